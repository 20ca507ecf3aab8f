#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Endurance run (issue 10 item 4): syngated under mixed load for the whole
# time, restarted with a new configuration every few minutes.
#
# Two daemons run side by side, each on its own net_tap port inside its own
# network namespace (created here, deleted on every exit path; addresses
# 198.18.0.0/15 and 2001:db8::/32 only, no default route): one serves
# `http`, one `echo`, both over IPv4 and IPv6, both with a fleet key file.
# Against each, for the whole time:
#   - tests/soak/flood.py: spoofed SYNs over IPv4 and IPv6, ACKs, RSTs and
#     garbage at --rate frames/s (mixed), bounded by count and time;
#   - http: wrk with keep-alive and wrk with `Connection: close` (IPv4 and
#     IPv6 in turn), curl sessions of three keep-alive requests, ab (HTTP/1.0,
#     the server closes);
#   - echo: two streams of half-closed echo transfers (64 KiB .. 4 MiB, IPv4
#     and IPv6 in turn) checked byte for byte (length and SHA-256) by
#     tests/integration/echo_client.py.
# Every minute: both daemons alive, a fresh client answered (curl gets the
# page, a 4 KiB echo comes back), one progress line; every minute (offset
# 30 s) the key file gets a new secret and both daemons a SIGHUP, which
# must log `syngated: reloaded`.  At the end of each configuration: the
# clients stop, then within the SYN-ACK schedule and 2 MSL (+ slack)
# every table, ring and pool is idle (telemetry: synq_used, conns_used,
# accept_queued, flood_workers, data_mbufs 0; mbufs_used back to its idle
# count + the mempool cache), SIGINT, exit status 0, no sanitizer report.
#
# Client errors (a reset, a refused or timed-out connection) are failures,
# except in a configuration with --overflow reset, where the daemon may
# reset a handshake whose accept ring is full: there they are tolerated up
# to the daemon's own overflow_reset count.  A wrong answer (non-2xx, a
# byte of echo that differs) is always a failure.
#
# Usage: soak.sh BUILD_DIR [--minutes M | --seconds S] [--slot-seconds S]
#                [--configs NAME,...] [--rate FRAMES_PER_S] [--json FILE]
#                [--list]
# Exit 0 only if nothing failed; 77 = cannot run here (not root, no tun,
# a tool missing).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ITEST=$(cd "$HERE/../integration" && pwd)
PY=/usr/bin/python3

# name|options.  Each slot of the run restarts the daemons with the next.
CONFIGS=(
	"auto-default|--cookies auto --app-threads 1"
	"always-short|--cookies always --synack-rto 200 --synack-retries 1 --msl 500 --app-threads 2"
	"tiny-synq|--cookies auto --synq-size 64 --synack-rto 200 --synack-retries 2 --msl 1000 --app-threads 2"
	"backlog-drop|--backlog 4 --overflow drop --synack-rto 300 --synack-retries 3 --msl 500 --app-threads 1"
	"backlog-reset|--backlog 4 --overflow reset --synack-rto 200 --synack-retries 1 --msl 500 --app-threads 2"
	"auto-shortmsl|--cookies auto --synq-size 1024 --msl 500 --app-threads 2"
	"always-defmsl|--cookies always --app-threads 1"
)

BUILD=''
TOTAL=$((30 * 60))
SLOT=170
ONLY=''
RATE=${SG_SOAK_RATE:-2000}
JSON=''
while [ $# -gt 0 ]; do
	case $1 in
	--minutes) TOTAL=$(($2 * 60)); shift 2 ;;
	--seconds) TOTAL=$2; shift 2 ;;
	--slot-seconds) SLOT=$2; shift 2 ;;
	--configs) ONLY=$2; shift 2 ;;
	--rate) RATE=$2; shift 2 ;;
	--json) JSON=$2; shift 2 ;;
	--list) for c in "${CONFIGS[@]}"; do echo "${c%%|*}: ${c#*|}"; done; exit 0 ;;
	-*) echo "soak: unknown option $1" >&2; exit 2 ;;
	*) BUILD=$1; shift ;;
	esac
done
[ -n "$BUILD" ] || { echo "usage: soak.sh BUILD_DIR [--minutes M] ..." >&2; exit 2; }
SYNGATED=$BUILD/app/syngated/syngated

if [ -n "$ONLY" ]; then
	sel=()
	IFS=, read -ra names <<<"$ONLY"
	for n in "${names[@]}"; do
		found=''
		for c in "${CONFIGS[@]}"; do
			[ "${c%%|*}" = "$n" ] && { sel+=("$c"); found=1; }
		done
		[ -n "$found" ] || { echo "soak: no configuration '$n' (--list)" >&2; exit 2; }
	done
	CONFIGS=("${sel[@]}")
fi

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: the soak needs root"; exit 77; fi
if [ ! -c /dev/net/tun ]; then echo "SKIP: /dev/net/tun missing"; exit 77; fi
for c in ip timeout wrk ab curl ping "$PY"; do
	command -v "$c" >/dev/null || { echo "SKIP: $c not found"; exit 77; }
done
[ -x "$SYNGATED" ] || { echo "FAIL: $SYNGATED not built"; exit 1; }

NSLOTS=$((TOTAL / SLOT))
[ "$NSLOTS" -ge 1 ] || NSLOTS=1
SLOTLEN=$((TOTAL / NSLOTS))
RUN=$(mktemp -d /tmp/sgsoak.XXXXXX)
JSON=${JSON:-$RUN/summary.json}
KEY=$RUN/fleet.key
IF=sgsk0
SRV=198.18.0.1 CLI=198.18.0.2 SRV6=2001:db8::1 CLI6=2001:db8::2 PORT=8080
INSTS=(h e)
declare -A NS SVC DPID SGPID LOG MAC FPID IDLE_MBUFS
NS[h]=sgsoak$$h NS[e]=sgsoak$$e SVC[h]=http SVC[e]=echo
LOADPIDS=()
T_START=$SECONDS

# ---- cleanup: everything by PID, namespaces by name -------------------
cleanup() {
	set +e
	local p i
	for p in "${LOADPIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for i in "${INSTS[@]}"; do
		[ -n "${FPID[$i]:-}" ] && kill -TERM "${FPID[$i]}" 2>/dev/null
	done
	for p in "${LOADPIDS[@]}"; do timeout 20 tail --pid="$p" -f /dev/null 2>/dev/null; done
	for i in "${INSTS[@]}"; do
		if [ -n "${DPID[$i]:-}" ]; then
			kill -TERM "${SGPID[$i]:-${DPID[$i]}}" 2>/dev/null
			if ! timeout 30 tail --pid="${DPID[$i]}" -f /dev/null 2>/dev/null; then
				[ -n "${SGPID[$i]:-}" ] && kill -KILL "${SGPID[$i]}" 2>/dev/null
				kill -KILL "${DPID[$i]}" 2>/dev/null
			fi
		fi
		ip netns del "${NS[$i]}" 2>/dev/null
		rm -rf "/var/run/dpdk/${NS[$i]}"
	done
}
trap cleanup EXIT
trap 'echo "soak: interrupted"; exit 130' INT TERM

# ---- bookkeeping -------------------------------------------------------
FAILS=0
fail() {
	FAILS=$((FAILS + 1))
	echo "  FAIL: $*"
	printf '%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "${CUR_CFG:-}" "$*" >>"$RUN/failures.tsv"
}
now() { date +%s; }
elapsed() { local s=$((SECONDS - T_START)); printf '%d:%02d' $((s / 60)) $((s % 60)); }
# get NAME LINE: counter from a name=value line, -1 if absent
get() {
	local v
	v=$(sed -n "s/.* $1=\([0-9][0-9]*\).*/\1/p" <<<" $2")
	echo "${v:--1}"
}
tel() { # inst: one telemetry line (empty on failure)
	timeout 10 "$PY" "$HERE/tel.py" "/var/run/dpdk/${NS[$1]}/dpdk_telemetry.v2" 2>/dev/null || true
}
nsx() { # inst seconds cmd...
	local i=$1 t=$2; shift 2
	timeout -k 5 "$t" ip netns exec "${NS[$i]}" "$@"
}
new_key() { # a new fleet secret, written whole (mode 600) then renamed
	(
		umask 077
		printf 'secret = %s\n' "$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')" >"$KEY.tmp"
	)
	mv -f "$KEY.tmp" "$KEY"
}

# Totals over the run (bash integers).  Client-side figures come from the
# loops' result files, daemon-side ones from each daemon's final line.
declare -A TOT
for k in syn_sent frames_sent syn_in accepted app_requests http_requests \
	curl_requests echo_bytes echo_transfers echo_corrupt client_errors \
	tolerated_errors fresh_checks reloads slots; do TOT[$k]=0; done
SLOTS_JSON=''

# ---- one daemon ------------------------------------------------------
start_inst() { # inst maxsec options...
	local i=$1 max=$2; shift 2
	local ns=${NS[$i]} log=$RUN/slot$SLOTNO-${SVC[$i]}.log
	LOG[$i]=$log
	: >"$log"
	timeout 10 ip netns add "$ns" || return 1
	timeout 10 ip -n "$ns" link set lo up || return 1
	# shellcheck disable=SC2086
	timeout -k 10 "$max" ip netns exec "$ns" "$SYNGATED" -l 0,1 \
		--no-huge -m 512 --no-shconf --file-prefix "$ns" --no-pci \
		--vdev=net_tap0,iface=$IF --log-level=lib.eal:warning -- \
		--addr $SRV/24 --addr $SRV6/64 --listen $PORT \
		--service "${SVC[$i]}" --stats 10 --cookie-key-file "$KEY" \
		"$@" >"$log" 2>&1 &
	DPID[$i]=$! SGPID[$i]=''
	local _ p
	for _ in $(seq 1 100); do
		p=$(cat /proc/"${DPID[$i]}"/task/"${DPID[$i]}"/children 2>/dev/null || true)
		SGPID[$i]=${p%% *}
		[ -n "${SGPID[$i]}" ] && break
		sleep 0.02
	done
	for _ in $(seq 1 300); do
		timeout 5 ip -n "$ns" link show $IF >/dev/null 2>&1 && break
		kill -0 "${DPID[$i]}" 2>/dev/null || { echo "  ${SVC[$i]}: daemon exited at start"; return 1; }
		sleep 0.1
	done
	timeout 10 ip -n "$ns" addr add $CLI/24 dev $IF || return 1
	timeout 10 ip -n "$ns" -6 addr add $CLI6/64 dev $IF nodad || return 1
	timeout 10 ip -n "$ns" link set $IF up || return 1
	for _ in $(seq 1 300); do
		grep -q '^syngated: serving' "$log" && break
		kill -0 "${DPID[$i]}" 2>/dev/null || { echo "  ${SVC[$i]}: daemon exited at start"; return 1; }
		sleep 0.1
	done
	grep -q '^syngated: serving' "$log" || { echo "  ${SVC[$i]}: not serving after 30 s"; return 1; }
	# Resolve both addresses (the flood needs the port's MAC).
	nsx "$i" 15 ping -c 2 -i 0.2 -W 2 -q $SRV >/dev/null 2>&1 || true
	nsx "$i" 15 ping -6 -c 2 -i 0.2 -W 2 -q $SRV6 >/dev/null 2>&1 || true
	MAC[$i]=$(timeout 5 ip -n "$ns" neigh show $SRV dev $IF | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')
	[ -n "${MAC[$i]}" ] || { echo "  ${SVC[$i]}: no ARP entry for $SRV"; return 1; }
	local _t
	for _ in $(seq 1 50); do
		[ -S "/var/run/dpdk/$ns/dpdk_telemetry.v2" ] && break
		sleep 0.1
	done
	_t=$(tel "$i")
	IDLE_MBUFS[$i]=$(get mbufs_used "$_t")
	return 0
}

# stop_inst inst: SIGINT by PID, bounded wait; sets DRC and FINAL
stop_inst() {
	local i=$1
	DRC=0 FINAL=''
	[ -n "${DPID[$i]:-}" ] || { DRC=255; return; }
	kill -INT "${SGPID[$i]:-${DPID[$i]}}" 2>/dev/null || true
	if ! timeout 60 tail --pid="${DPID[$i]}" -f /dev/null; then
		echo "  ${SVC[$i]}: no exit within 60 s of SIGINT; killing"
		[ -n "${SGPID[$i]}" ] && kill -KILL "${SGPID[$i]}" 2>/dev/null
		kill -KILL "${DPID[$i]}" 2>/dev/null
	fi
	wait "${DPID[$i]}"
	DRC=$?
	DPID[$i]='' SGPID[$i]=''
	timeout 10 ip netns del "${NS[$i]}" 2>/dev/null || true
	rm -rf "/var/run/dpdk/${NS[$i]}"
	FINAL=$(grep '^final ' "${LOG[$i]}" | tail -n 1 || true)
}

# ---- load loops (each bounded by $LOAD_END and per-command timeouts) ---
# A loop's children run in the background so a SIGTERM to the loop ends
# them too.
loop_prologue='child=""; trap '\''[ -n "$child" ] && kill -TERM $child 2>/dev/null; exit 143'\'' TERM INT'
bg() { # outfile seconds cmd... (inside a loop)
	local out=$1 t=$2; shift 2
	timeout -k 5 "$t" "$@" >"$out" 2>&1 &
	child=$!
	wait "$child"
	local rc=$?
	child=''
	return $rc
}

url() { # family path
	if [ "$1" = 6 ]; then echo "http://[$SRV6]:$PORT$2"; else echo "http://$SRV:$PORT$2"; fi
}
host() { if [ "$1" = 6 ]; then echo $SRV6; else echo $SRV; fi; }

# wrk: mode ka|close, results "wrk MODE fam rc requests non2xx connect read write timeout"
wrk_loop() {
	eval "$loop_prologue"
	local mode=$1 res=$2 conns fam=4 n=0 rem d o
	[ "$mode" = ka ] && conns=16 || conns=8
	while :; do
		rem=$((LOAD_END - $(now)))
		[ "$rem" -ge 3 ] || break
		d=$((rem < 10 ? rem : 10))
		o=$RUN/wrk-$mode.out
		if [ "$mode" = ka ]; then
			bg "$o" $((d + 20)) ip netns exec "${NS[h]}" wrk -t1 -c$conns -d${d}s --timeout 10s "$(url $fam /ka)"
		else
			bg "$o" $((d + 20)) ip netns exec "${NS[h]}" wrk -t1 -c$conns -d${d}s --timeout 10s -H 'Connection: close' "$(url $fam /close)"
		fi
		local rc=$? req non2 sc
		req=$(sed -n 's/^ *\([0-9][0-9]*\) requests in .*/\1/p' "$o")
		non2=$(sed -n 's/^ *Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$o")
		sc=$(sed -n 's/^ *Socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' "$o")
		echo "wrk $mode $fam $rc ${req:--1} ${non2:-0} ${sc:-0 0 0 0}" >>"$res"
		[ -z "$req" ] && cp "$o" "$RUN/wrk-$mode-noparse-$SLOTNO-$n.out"
		[ "${sc:-0 0 0 0}" = "0 0 0 0" ] && [ "${non2:-0}" = 0 ] ||
			cp "$o" "$RUN/wrk-$mode-err-$SLOTNO-$n.out"
		n=$((n + 1))
		fam=$((fam == 4 ? 6 : 4))
		sleep 2
	done
}

# curl sessions (3 keep-alive requests on one connection) and ab (HTTP/1.0,
# the server closes; -r: a reset is a failed request, not the end of the run).
# Results "curl fam rc ok" / "ab fam rc complete failed non2xx"
curl_ab_loop() {
	eval "$loop_prologue"
	local res=$1 fam=4 o=$RUN/curlab.out
	while [ $(($(now) + 3)) -lt "$LOAD_END" ]; do
		bg "$o" 20 ip netns exec "${NS[h]}" curl -s -m 15 --keepalive-time 5 \
			-w '%{http_code} %{num_connects}\n' -o /dev/null -o /dev/null -o /dev/null \
			"$(url $fam /s1)" "$(url $fam /s2)" "$(url $fam /s3)"
		local rc=$? ok
		ok=$(grep -c '^200 ' "$o")
		echo "curl $fam $rc $ok" >>"$res"
		if [ "$rc" -ne 0 ] || [ "$ok" -ne 3 ]; then cp "$o" "$RUN/curl-fail-$SLOTNO-$(now).out"; fi
		bg "$o" 60 ip netns exec "${NS[h]}" ab -q -r -n 300 -c 10 -s 10 "$(url $fam /ab)"
		rc=$?
		local comp failed non2
		comp=$(sed -n 's/^Complete requests: *\([0-9]*\).*/\1/p' "$o")
		failed=$(sed -n 's/^Failed requests: *\([0-9]*\).*/\1/p' "$o")
		non2=$(sed -n 's/^Non-2xx responses: *\([0-9]*\).*/\1/p' "$o")
		echo "ab $fam $rc ${comp:-0} ${failed:-0} ${non2:-0}" >>"$res"
		if [ "$rc" -ne 0 ]; then cp "$o" "$RUN/ab-fail-$SLOTNO-$(now).out"; fi
		fam=$((fam == 4 ? 6 : 4))
		sleep 1
	done
}

# half-closed echo transfers.  Results "echo fam size ok|corrupt|conn"
echo_loop() {
	eval "$loop_prologue"
	local res=$1 id=$2 fam=4 o=$RUN/echo-$2.out size
	[ "$id" = 2 ] && fam=6
	while [ $(($(now) + 5)) -lt "$LOAD_END" ]; do
		size=$(( (RANDOM % 64 + 1) * 65536 ))
		bg "$o" 75 ip netns exec "${NS[e]}" "$PY" "$ITEST/echo_client.py" \
			--host "$(host $fam)" --port $PORT --size "$size" --deadline 60
		local rc=$? kind
		if [ "$rc" -eq 0 ] && grep -q "sha256_match=True" "$o"; then
			kind=ok
		elif grep -q "^echo: sent=" "$o"; then
			kind=corrupt	# connected, closed cleanly, bytes differ
		else
			kind=conn
		fi
		echo "echo $fam $size $kind" >>"$res"
		[ "$kind" = ok ] || cp "$o" "$RUN/echo-$kind-$SLOTNO-$id-$(now).out"
		fam=$((fam == 4 ? 6 : 4))
	done
}

# ---- checks ----------------------------------------------------------
fresh_check() { # every minute: both alive, a fresh client answered
	local i fam=$1 try ok out
	for i in "${INSTS[@]}"; do
		if ! kill -0 "${SGPID[$i]:-${DPID[$i]}}" 2>/dev/null; then
			fail "${SVC[$i]} daemon is not running (see ${LOG[$i]})"
			continue
		fi
		ok=''
		for try in 1 2 3; do
			if [ "$i" = h ]; then
				out=$(nsx h 10 curl -s -m 8 "$(url $fam /fresh)" 2>&1 || true)
				grep -q "syngate says hello" <<<"$out" && { ok=1; break; }
			else
				nsx e 30 "$PY" "$ITEST/echo_client.py" --host "$(host $fam)" \
					--port $PORT --size 4096 --deadline 20 >"$RUN/fresh.out" 2>&1 &&
					{ ok=1; break; }
			fi
			sleep 1
		done
		TOT[fresh_checks]=$((TOT[fresh_checks] + 1))
		[ -n "$ok" ] || fail "${SVC[$i]}: a fresh IPv$fam client was not answered (3 tries)"
	done
}

reload_keys() {
	local i n0 _
	new_key
	for i in "${INSTS[@]}"; do
		[ -n "${SGPID[$i]:-}" ] || continue
		n0=$(grep -c '^syngated: reloaded' "${LOG[$i]}")
		kill -HUP "${SGPID[$i]}" 2>/dev/null || { fail "${SVC[$i]}: SIGHUP: no such process"; continue; }
		for _ in $(seq 1 100); do
			[ "$(grep -c '^syngated: reloaded' "${LOG[$i]}")" -gt "$n0" ] && break
			sleep 0.1
		done
		if [ "$(grep -c '^syngated: reloaded' "${LOG[$i]}")" -gt "$n0" ]; then
			TOT[reloads]=$((TOT[reloads] + 1))
		else
			fail "${SVC[$i]}: no 'syngated: reloaded' within 10 s of SIGHUP"
		fi
	done
}

flood_sent() { # inst: "syn frames" from its status file
	"$PY" - "$RUN/flood-${SVC[$1]}-$SLOTNO.json" <<-'PYEOF' 2>/dev/null || echo "0 0"
	import json, sys
	d = json.load(open(sys.argv[1]))
	print(d["syn4"] + d["syn6"], d["sent"])
	PYEOF
}

progress() {
	local syn=0 fr=0 acc=0 req=0 i s t eb
	for i in "${INSTS[@]}"; do
		read -r s t <<<"$(flood_sent "$i")"
		syn=$((syn + s)) fr=$((fr + t))
		t=$(tel "$i")
		[ -n "$t" ] || continue
		[ "$(get accepted "$t")" -lt 0 ] || acc=$((acc + $(get accepted "$t")))
	done
	# Requests the clients completed so far in this slot.
	req=$(awk '$1 == "wrk" && $5 > 0 { n += $5 } $1 == "ab" && $4 > $5 { n += $4 - $5 }
		$1 == "curl" { n += $4 } END { printf "%.0f\n", n }' "$RUN/res-h-$SLOTNO" 2>/dev/null)
	eb=$(awk '$1 == "echo" && $4 == "ok" { n += $3 } END { printf "%.0f\n", n }' "$RUN/res-e-$SLOTNO" 2>/dev/null)
	echo "soak: $(elapsed) slot $((SLOTNO + 1))/$NSLOTS $CUR_CFG:" \
		"syns_sent=$((TOT[syn_sent] + syn)) frames_sent=$((TOT[frames_sent] + fr))" \
		"accepted=$((TOT[accepted] + acc)) requests_completed=$((TOT[http_requests] + TOT[curl_requests] + req))" \
		"echo_bytes_verified=$((TOT[echo_bytes] + eb)) reloads=${TOT[reloads]} failures=$FAILS"
}

# idle: every table, ring and pool back to idle; bounded by the SYN-ACK
# schedule and 2 MSL.  Sets IDLE_S.
wait_idle() { # inst limit_seconds
	local i=$1 lim=$2 t0=$SECONDS t ok='' last=''
	while [ $((SECONDS - t0)) -le "$lim" ]; do
		t=$(tel "$i")
		if [ -n "$t" ]; then
			last=$t
			if [ "$(get synq_used "$t")" -eq 0 ] && [ "$(get conns_used "$t")" -eq 0 ] &&
				[ "$(get accept_queued "$t")" -eq 0 ] && [ "$(get flood_workers "$t")" -eq 0 ] &&
				[ "$(get data_mbufs "$t")" -le 0 ] &&
				[ "$(get mbufs_used "$t")" -le $((IDLE_MBUFS[$i] + 256)) ]; then
				ok=1
				break
			fi
		fi
		sleep 0.5
	done
	IDLE_S=$((SECONDS - t0))
	if [ -n "$ok" ]; then
		echo "  ${SVC[$i]}: idle after ${IDLE_S} s (limit $lim s): synq_used=0 conns_used=0 accept_queued=0 data_mbufs=0 mbufs_used=$(get mbufs_used "$t") (idle ${IDLE_MBUFS[$i]})"
	else
		fail "${SVC[$i]}: not idle ${lim} s after the load stopped: synq_used=$(get synq_used "$last") conns_used=$(get conns_used "$last") accept_queued=$(get accept_queued "$last") flood_workers=$(get flood_workers "$last") data_mbufs=$(get data_mbufs "$last") mbufs_used=$(get mbufs_used "$last") (idle ${IDLE_MBUFS[$i]})"
	fi
}

opt() { # NAME DEFAULT OPTIONS: value of --NAME in OPTIONS
	local v
	v=$(sed -n "s/.*--$1 \([^ ]*\).*/\1/p" <<<" $3")
	echo "${v:-$2}"
}

# ---- one slot --------------------------------------------------------
run_slot() {
	local cfg=$1 slot_end=$2
	CUR_CFG=${cfg%%|*}
	local opts=${cfg#*|} i
	local rto retries msl cookies overflow sched_ms idle_lim
	rto=$(opt synack-rto 1000 "$opts") retries=$(opt synack-retries 5 "$opts")
	msl=$(opt msl 30000 "$opts") cookies=$(opt cookies auto "$opts")
	overflow=$(opt overflow drop "$opts")
	sched_ms=$((rto * ((1 << (retries + 1)) - 1)))
	[ "$cookies" = always ] && sched_ms=0
	# The bound: the longer of the SYN-ACK schedule and 2 MSL, plus 5 s
	# for the last clients to finish and the polling.
	idle_lim=$(( ( (sched_ms > 2 * msl ? sched_ms : 2 * msl) + 999) / 1000 + 5 ))
	echo "== slot $((SLOTNO + 1))/$NSLOTS at $(elapsed): $CUR_CFG ($opts); idle bound $idle_lim s"
	local slot_fail0=$FAILS
	local t_slot=$SECONDS
	for i in "${INSTS[@]}"; do
		if ! start_inst "$i" $((slot_end - $(now) + 120)) $opts; then
			fail "${SVC[$i]}: did not start with $opts"
			tail -n 20 "${LOG[$i]}" | sed 's/^/  | /'
		fi
	done
	# Load until the idle bound and the stop still fit in the slot.
	LOAD_END=$((slot_end - idle_lim - 20))
	[ "$LOAD_END" -gt $(($(now) + 30)) ] || LOAD_END=$(($(now) + 30))
	local lsecs=$((LOAD_END - $(now)))
	export LOAD_END
	local res_h=$RUN/res-h-$SLOTNO res_e=$RUN/res-e-$SLOTNO
	: >"$res_h"; : >"$res_e"
	LOADPIDS=()
	for i in "${INSTS[@]}"; do
		FPID[$i]=''
		[ -n "${DPID[$i]:-}" ] && [ -n "${MAC[$i]:-}" ] || continue
		nsx "$i" $((lsecs + 30)) "$PY" "$HERE/flood.py" --iface $IF \
			--dst-mac "${MAC[$i]}" --dst4 $SRV --dst6 $SRV6 --dport $PORT \
			--rate "$RATE" --count $((RATE * lsecs)) --max-seconds "$lsecs" \
			--status "$RUN/flood-${SVC[$i]}-$SLOTNO.json" \
			>"$RUN/flood-${SVC[$i]}-$SLOTNO.out" 2>&1 &
		FPID[$i]=$!
	done
	if [ -n "${DPID[h]:-}" ]; then
		wrk_loop ka "$res_h" & LOADPIDS+=($!)
		wrk_loop close "$res_h" & LOADPIDS+=($!)
		curl_ab_loop "$res_h" & LOADPIDS+=($!)
	fi
	if [ -n "${DPID[e]:-}" ]; then
		echo_loop "$res_e" 1 & LOADPIDS+=($!)
		echo_loop "$res_e" 2 & LOADPIDS+=($!)
	fi
	# Minute ticks: fresh clients and progress; SIGHUP reloads in between.
	local next_tick=$(($(now) + 60)) next_hup=$(($(now) + 30)) fam=4
	while [ "$(now)" -lt "$LOAD_END" ]; do
		sleep 1
		for i in "${INSTS[@]}"; do
			if [ -n "${DPID[$i]:-}" ] && ! kill -0 "${DPID[$i]}" 2>/dev/null; then
				fail "${SVC[$i]} daemon died during the load (see ${LOG[$i]})"
				tail -n 30 "${LOG[$i]}" | cut -c1-300 | sed 's/^/  | /'
				wait "${DPID[$i]}"; echo "  exit status $?"
				DPID[$i]='' SGPID[$i]=''
			fi
		done
		if [ "$(now)" -ge "$next_hup" ]; then
			reload_keys
			next_hup=$((next_hup + 60))
		fi
		if [ "$(now)" -ge "$next_tick" ]; then
			fresh_check $fam
			fam=$((fam == 4 ? 6 : 4))
			progress
			next_tick=$((next_tick + 60))
		fi
	done
	# The loops stop by themselves at LOAD_END; wait for them (bounded).
	local p
	for p in "${LOADPIDS[@]}"; do
		if ! timeout 120 tail --pid="$p" -f /dev/null; then
			fail "a load loop did not end 120 s after the load time; stopped"
			kill -TERM "$p" 2>/dev/null
		fi
		wait "$p" 2>/dev/null
	done
	LOADPIDS=()
	for i in "${INSTS[@]}"; do
		[ -n "${FPID[$i]}" ] || continue
		timeout 40 tail --pid="${FPID[$i]}" -f /dev/null || kill -TERM "${FPID[$i]}" 2>/dev/null
		wait "${FPID[$i]}" 2>/dev/null
		FPID[$i]=''
	done
	# A last fresh client with the load gone, then idle and stop.
	fresh_check $fam
	progress
	local syn fr s_syn=0 s_fr=0 s_acc=0 s_req=0 idle_h=-1 idle_e=-1
	for i in "${INSTS[@]}"; do
		read -r syn fr <<<"$(flood_sent "$i")"
		s_syn=$((s_syn + syn)) s_fr=$((s_fr + fr))
		if [ -z "${DPID[$i]:-}" ]; then continue; fi
		IDLE_S=-1
		wait_idle "$i" "$idle_lim"
		[ "$i" = h ] && idle_h=$IDLE_S || idle_e=$IDLE_S
	done
	local ovr_h=0 ovr_e=0
	for i in "${INSTS[@]}"; do
		[ -n "${DPID[$i]:-}" ] || continue
		stop_inst "$i"
		[ "$DRC" -eq 0 ] || fail "${SVC[$i]}: exit status $DRC after SIGINT (want 0)"
		if grep -qE 'ERROR: AddressSanitizer|LeakSanitizer|runtime error:|SUMMARY: ' "${LOG[$i]}"; then
			fail "${SVC[$i]}: sanitizer report in ${LOG[$i]}"
			grep -m5 -E 'ERROR: AddressSanitizer|LeakSanitizer|runtime error:|SUMMARY: ' "${LOG[$i]}" | sed 's/^/  | /'
		fi
		if [ -z "$FINAL" ]; then
			fail "${SVC[$i]}: no final stats line"
			continue
		fi
		echo "  ${SVC[$i]}: exit $DRC; syn_in=$(get syn_in "$FINAL") accepted=$(get accepted "$FINAL") app_requests=$(get app_requests "$FINAL") cookies_sent=$(get cookies_sent "$FINAL") cookies_ok=$(get cookies_ok "$FINAL") cookies_failed=$(get cookies_failed "$FINAL") synq_pruned=$(get synq_pruned "$FINAL") overflow_drop=$(get overflow_drop "$FINAL") overflow_reset=$(get overflow_reset "$FINAL") rst_out=$(get rst_out "$FINAL") conn_reset=$(get conn_reset "$FINAL") time_wait=$(get time_wait "$FINAL") conn_freed=$(get conn_freed "$FINAL") rx_nombuf=$(get rx_nombuf "$FINAL") drop_no_mbuf=$(get drop_no_mbuf "$FINAL")"
		[ "$(get conn_freed "$FINAL")" -eq "$(get accepted "$FINAL")" ] ||
			fail "${SVC[$i]}: conn_freed $(get conn_freed "$FINAL") != accepted $(get accepted "$FINAL")"
		s_acc=$((s_acc + $(get accepted "$FINAL")))
		TOT[syn_in]=$((TOT[syn_in] + $(get syn_in "$FINAL")))
		[ "$i" = h ] && { s_req=$(get app_requests "$FINAL"); ovr_h=$(get overflow_reset "$FINAL"); }
		[ "$i" = e ] && ovr_e=$(get overflow_reset "$FINAL")
	done
	# Client results.
	local w_req w_bad w_err c_ok c_err a_comp a_err e_ok e_bytes e_corr e_conn err_h err_e
	w_req=$(awk '$1 == "wrk" && $5 > 0 { n += $5 } END { printf "%.0f\n", n }' "$res_h")
	w_bad=$(awk '$1 == "wrk" { n += $6 } END { printf "%.0f\n", n }' "$res_h")
	w_err=$(awk '$1 == "wrk" { n += $7 + $8 + $9 + $10 + ($5 < 0) } END { printf "%.0f\n", n }' "$res_h")
	c_ok=$(awk '$1 == "curl" { n += $4 } END { printf "%.0f\n", n }' "$res_h")
	c_err=$(awk '$1 == "curl" && ($3 != 0 || $4 != 3) { n++ } END { printf "%.0f\n", n }' "$res_h")
	# (ab -r can count more failed than complete requests: resets)
	a_comp=$(awk '$1 == "ab" && $4 > $5 { n += $4 - $5 } END { printf "%.0f\n", n }' "$res_h")
	a_err=$(awk '$1 == "ab" { n += $5 + ($3 != 0) } END { printf "%.0f\n", n }' "$res_h")
	local a_non2
	a_non2=$(awk '$1 == "ab" { n += $6 } END { printf "%.0f\n", n }' "$res_h")
	e_ok=$(awk '$1 == "echo" && $4 == "ok" { n++ } END { printf "%.0f\n", n }' "$res_e")
	e_bytes=$(awk '$1 == "echo" && $4 == "ok" { n += $3 } END { printf "%.0f\n", n }' "$res_e")
	e_corr=$(awk '$1 == "echo" && $4 == "corrupt" { n++ } END { printf "%.0f\n", n }' "$res_e")
	e_conn=$(awk '$1 == "echo" && $4 == "conn" { n++ } END { printf "%.0f\n", n }' "$res_e")
	echo "  clients: wrk $w_req requests ($w_bad non-2xx, $w_err socket errors), curl $c_ok requests ($c_err failed sessions), ab $a_comp requests ($a_err failed, $a_non2 non-2xx), echo $e_ok transfers $e_bytes bytes verified ($e_corr corrupt, $e_conn connection errors)"
	[ "$w_bad" -eq 0 ] || fail "wrk: $w_bad non-2xx responses"
	[ "$a_non2" -eq 0 ] || fail "ab: $a_non2 non-2xx responses"
	[ "$e_corr" -eq 0 ] || fail "echo: $e_corr transfers came back different (see $RUN/echo-corrupt-*)"
	err_h=$((w_err + c_err + a_err)) err_e=$e_conn
	local tol=0
	if [ "$overflow" = reset ]; then
		# The daemon may reset handshakes whose accept ring is full.
		if [ "$err_h" -le "$ovr_h" ] && [ "$err_e" -le "$ovr_e" ]; then
			tol=$((err_h + err_e))
			[ "$tol" -gt 0 ] && echo "  tolerated: $err_h http and $err_e echo client errors <= overflow_reset ($ovr_h, $ovr_e)"
			err_h=0 err_e=0
		fi
	fi
	[ "$err_h" -eq 0 ] || fail "http clients: $err_h connection errors (wrk $w_err, curl $c_err, ab $a_err; overflow_reset=$ovr_h)"
	[ "$err_e" -eq 0 ] || fail "echo clients: $err_e connection errors (overflow_reset=$ovr_e)"
	[ "$e_ok" -gt 0 ] || fail "echo: no transfer completed in the slot"
	[ $((w_req + a_comp + c_ok)) -gt 0 ] || fail "http: no request completed in the slot"
	TOT[syn_sent]=$((TOT[syn_sent] + s_syn))
	TOT[frames_sent]=$((TOT[frames_sent] + s_fr))
	TOT[accepted]=$((TOT[accepted] + s_acc))
	TOT[app_requests]=$((TOT[app_requests] + s_req))
	TOT[http_requests]=$((TOT[http_requests] + w_req + a_comp))
	TOT[curl_requests]=$((TOT[curl_requests] + c_ok))
	TOT[echo_bytes]=$((TOT[echo_bytes] + e_bytes))
	TOT[echo_transfers]=$((TOT[echo_transfers] + e_ok))
	TOT[echo_corrupt]=$((TOT[echo_corrupt] + e_corr))
	TOT[client_errors]=$((TOT[client_errors] + w_err + c_err + a_err + e_conn))
	TOT[tolerated_errors]=$((TOT[tolerated_errors] + tol))
	TOT[slots]=$((TOT[slots] + 1))
	for i in "${INSTS[@]}"; do timeout 10 ip netns del "${NS[$i]}" 2>/dev/null; done
	local sf=$((FAILS - slot_fail0))
	echo "  slot $((SLOTNO + 1)) $CUR_CFG: $((SECONDS - t_slot)) s, load $lsecs s, syns_sent=$s_syn frames_sent=$s_fr accepted=$s_acc app_requests=$s_req echo_bytes=$e_bytes failures=$sf"
	SLOTS_JSON+="${SLOTS_JSON:+,}{\"config\":\"$CUR_CFG\",\"options\":\"$opts\",\"seconds\":$((SECONDS - t_slot)),\"load_seconds\":$lsecs,\"syns_sent\":$s_syn,\"frames_sent\":$s_fr,\"accepted\":$s_acc,\"app_requests\":$s_req,\"client_requests\":$((w_req + a_comp + c_ok)),\"echo_bytes_verified\":$e_bytes,\"echo_transfers\":$e_ok,\"client_errors\":$((w_err + c_err + a_err + e_conn)),\"tolerated_errors\":$tol,\"idle_seconds\":{\"http\":$idle_h,\"echo\":$idle_e},\"idle_bound_seconds\":$idle_lim,\"failures\":$sf}"
}

# ---- main ------------------------------------------------------------
new_key
COMMIT=$(git -C "$HERE" rev-parse --short HEAD 2>/dev/null || echo unknown)
echo "soak: $NSLOTS configuration(s) of $SLOTLEN s ($TOTAL s), $RATE flood frames/s per daemon, build $BUILD, commit $COMMIT; logs in $RUN"
T_START=$SECONDS
RUN_END=$(($(now) + TOTAL))
for SLOTNO in $(seq 0 $((NSLOTS - 1))); do
	cfg=${CONFIGS[$((SLOTNO % ${#CONFIGS[@]}))]}
	run_slot "$cfg" $(($(now) + (RUN_END - $(now)) / (NSLOTS - SLOTNO)))
done

# A slot cut short (bash abandons the whole loop on an expansion error,
# for one) is a failure, not a shorter pass.
if [ "${TOT[slots]}" -ne "$NSLOTS" ]; then
	fail "run" "only ${TOT[slots]} of $NSLOTS configurations completed"
fi
result=pass
[ "$FAILS" -eq 0 ] || result=fail
cat >"$JSON" <<EOF
{"result":"$result","date":"$(date -u +%FT%TZ)","commit":"$COMMIT","build":"$BUILD","asan":$([ -n "${ASAN_OPTIONS:-}" ] && echo true || echo false),"host":"$(uname -n)","cores":$(nproc),"seconds":$((SECONDS - T_START)),"flood_rate_per_daemon":$RATE,
"totals":{"slots":${TOT[slots]},"syns_sent":${TOT[syn_sent]},"flood_frames_sent":${TOT[frames_sent]},"syn_in":${TOT[syn_in]},"connections_accepted":${TOT[accepted]},"requests_answered":${TOT[app_requests]},"client_http_requests":$((TOT[http_requests] + TOT[curl_requests])),"echo_bytes_verified":${TOT[echo_bytes]},"echo_transfers":${TOT[echo_transfers]},"echo_corrupt":${TOT[echo_corrupt]},"client_errors":${TOT[client_errors]},"tolerated_client_errors":${TOT[tolerated_errors]},"fresh_client_checks":${TOT[fresh_checks]},"key_reloads":${TOT[reloads]},"failures":$FAILS},
"slots":[$SLOTS_JSON]}
EOF
echo "soak summary: $result in $(elapsed): ${TOT[slots]} configurations, syns_sent=${TOT[syn_sent]} (flood frames ${TOT[frames_sent]}, syn_in ${TOT[syn_in]}), connections=${TOT[accepted]}, requests=${TOT[app_requests]} (clients counted $((TOT[http_requests] + TOT[curl_requests]))), echo_bytes_verified=${TOT[echo_bytes]} in ${TOT[echo_transfers]} transfers, fresh checks ${TOT[fresh_checks]}, key reloads ${TOT[reloads]}, client errors ${TOT[client_errors]} (tolerated ${TOT[tolerated_errors]}), failures=$FAILS"
echo "soak: summary JSON in $JSON; logs in $RUN"
if [ "$FAILS" -ne 0 ]; then
	echo "soak: failures:"; cut -f2- "$RUN/failures.tsv" | sed 's/^/  /'
	exit 1
fi
exit 0
