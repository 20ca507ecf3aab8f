#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Telemetry: syngated on net_tap in a network namespace this script creates;
# its /syngate/ commands are read over the EAL telemetry socket with our
# own client (tests/integration/telemetry_client.py) and with the stock
# dpdk-telemetry.py, and the figures move when Linux clients connect.
# Usage: telemetry.sh BUILD_DIR      (exit 77 = skipped)
set -euo pipefail

BUILD=${1:?usage: telemetry.sh BUILD_DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SYNGATED=$BUILD/app/syngated/syngated
PY=/usr/bin/python3
NS=sgt$$
IF=sgt0
SRV=198.18.0.1
CLI=198.18.0.2
PORT=8080

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: telemetry needs root"; exit 77; fi
if [ ! -c /dev/net/tun ]; then echo "SKIP: /dev/net/tun missing"; exit 77; fi
[ -x "$SYNGATED" ] || { echo "FAIL: $SYNGATED not built"; exit 1; }

. "$HERE/netns_lib.sh"

SOCK=/var/run/dpdk/$NS/dpdk_telemetry.v2

# tel CMD...: one JSON line {cmd: reply}
tel() { timeout 10 "$PY" "$HERE/telemetry_client.py" "$SOCK" "$@"; }
# jq-less field access: tel_get JSON PYTHON-EXPR
tel_get() { "$PY" -c "import json,sys; d=json.loads(sys.argv[1]); print($2)" "$1"; }

phase() {
	start_daemon --stats 0 --listen 8081 --synq-size 128 ||
		{ bad=1; return; }
	for _ in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
	want "telemetry socket $SOCK exists" test -S "$SOCK"
	local before after cfg lst wk
	before=$(tel /syngate/stats)
	want "before: syn_in 0" test "$(tel_get "$before" 'd["/syngate/stats"]["/syngate/stats"]["syn_in"]')" -eq 0
	want "every stats-line name is there (drop reasons included)" \
		test "$(tel_get "$before" 'len(d["/syngate/stats"]["/syngate/stats"])')" -ge 80
	T=60 nsx "$PY" "$HERE/tcp_clients.py" --host $SRV --port $PORT \
		--src $CLI -n 50 -p 10 --timeout 10 --deadline 30 >/dev/null
	after=$(tel /syngate/stats /syngate/workers /syngate/worker,0 \
		/syngate/listeners /syngate/config)
	echo "  $(tel_get "$after" 'json.dumps(d["/syngate/workers"])')"
	echo "  $(tel_get "$after" 'json.dumps(d["/syngate/listeners"])')"
	want "after 50 connects: syn_in >= 50" \
		test "$(tel_get "$after" 'd["/syngate/stats"]["/syngate/stats"]["syn_in"]')" -ge 50
	want "after: accepted >= 50" \
		test "$(tel_get "$after" 'd["/syngate/stats"]["/syngate/stats"]["accepted"]')" -ge 50
	want "worker 0 is stateful" \
		test "$(tel_get "$after" 'd["/syngate/workers"]["/syngate/workers"]["0"]["state"]')" = stateful
	want "worker,0 has its own counters" \
		test "$(tel_get "$after" 'd["/syngate/worker,0"]["/syngate/worker"]["syn_in"]')" -ge 50
	want "listeners 8080 and 8081 with their backlog" \
		test "$(tel_get "$after" 'sorted(d["/syngate/listeners"]["/syngate/listeners"].keys())')" = "['8080', '8081']"
	want "config in force: synq_size 128, cookies auto" \
		test "$(tel_get "$after" '(d["/syngate/config"]["/syngate/config"]["synq_size"], d["/syngate/config"]["/syngate/config"]["cookies"])')" = "(128, 'auto')"
	if command -v dpdk-telemetry.py >/dev/null; then
		local out
		out=$(printf '/syngate/stats\n/syngate/config\n' |
			timeout 10 dpdk-telemetry.py -f "$NS" 2>&1 || true)
		want "the stock dpdk-telemetry.py reads /syngate/stats" \
			grep -q '"syn_in"' <<<"$out"
	fi
	stop_daemon
	want "exit code 0 (got $drc)" test "$drc" -eq 0
}

# SIGHUP: the config file and the key file are read again; what may
# change at run time changes (seen through /syngate/config).
phase_reload() {
	local conf key before after
	conf=$tmp/reload.ini key=$tmp/key
	printf '[syngate]\ncookies = auto\nsynack_retries = 5\noverflow = drop\n' >"$conf"
	printf 'secret = %064d\n' 7 >"$key"
	chmod 600 "$key"
	start_daemon --stats 0 --config "$conf" --cookie-key-file "$key" ||
		{ bad=1; return; }
	for _ in $(seq 1 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
	before=$(tel /syngate/config)
	want "before: cookies auto" test "$(tel_get "$before" 'd["/syngate/config"]["/syngate/config"]["cookies"]')" = auto
	printf '[syngate]\ncookies = always\nsynack_retries = 2\noverflow = reset\n' >"$conf"
	printf 'secret = %064d\n' 8 >"$key"
	kill -HUP "${sgpid:-$dpid}"
	for _ in $(seq 1 50); do grep -q '^syngated: reloaded' "$log" && break; sleep 0.1; done
	after=$(tel /syngate/config)
	want "reloaded (log line)" grep -q '^syngated: reloaded' "$log"
	want "after SIGHUP: cookies always, synack_retries 2, overflow reset" \
		test "$(tel_get "$after" '(d["/syngate/config"]["/syngate/config"]["cookies"], d["/syngate/config"]["/syngate/config"]["synack_retries"], d["/syngate/config"]["/syngate/config"]["overflow"])')" = "('always', 2, 'reset')"
	want "the new policy is used: cookies for every SYN" \
		env T=30 bash -c 'ip netns exec '"$NS"' '"$PY"' '"$HERE"'/tcp_clients.py --host '"$SRV"' --port '"$PORT"' --src '"$CLI"' -n 5 -p 1 --timeout 5 --deadline 20 >/dev/null'
	stop_daemon
	want "cookies_sent=$(get cookies_sent) >= 5 after the reload" test "$(get cookies_sent)" -ge 5
	want "exit code 0 (got $drc)" test "$drc" -eq 0
}

run "telemetry: /syngate/ commands, figures move with traffic" phase
run "reload: SIGHUP applies config and key file" phase_reload
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
