#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Real kernel clients against syngated on a net_tap port, all inside a
# network namespace this script creates (and deletes on every exit path).
#   phase 1  cookies auto: 300 Linux connect()s complete, no cookies used
#   phase 2  cookies always: 300 connect()s complete, all through cookies
#   phase 3  synq-size 256, cookies auto: a spoofed SYN burst fills the
#            half-open table, cookie mode switches on, and 300 legitimate
#            connect()s still complete
# Addresses: 198.18.0.1 served by syngated, 198.18.0.2 the kernel side of the
# tap, spoofed sources in 198.18.128.0/17.  No default route, no forwarding.
# Usage: kernel_clients.sh BUILD_DIR      (exit 77 = skipped)
set -euo pipefail

BUILD=${1:?usage: kernel_clients.sh BUILD_DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SYNGATED=$BUILD/app/syngated/syngated
PY=/usr/bin/python3
NS=sgk$$
IF=sgt0
SRV=198.18.0.1
CLI=198.18.0.2
PORT=8080
N=${SG_KC_CLIENTS:-300}
SPOOF=${SG_KC_SPOOF:-3000}

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: kernel_clients needs root"; exit 77; fi
if [ ! -c /dev/net/tun ]; then echo "SKIP: /dev/net/tun missing"; exit 77; fi
for c in ip timeout tail "$PY"; do
	command -v "$c" >/dev/null || { echo "SKIP: $c not found"; exit 77; }
done
[ -x "$SYNGATED" ] || { echo "FAIL: $SYNGATED not built"; exit 1; }

. "$HERE/netns_lib.sh"

clients() { # count [extra args]
	local n=$1; shift
	T=$(( ${CLIENT_DEADLINE:-60} + 15 )) nsx "$PY" "$HERE/tcp_clients.py" \
		--host $SRV --port $PORT --src $CLI -n "$n" -p 20 --timeout 10 \
		--deadline "${CLIENT_DEADLINE:-60}" "$@"
}

common_end() { # daemon exit and final line
	want "exit code 0 (got $drc)" test "$drc" -eq 0
	want "final line present" test -n "$final"
	if [ -n "$final" ]; then echo "  $final"; fi
	want "accepted=$(get accepted) >= $1" test "$(get accepted)" -ge "$1"
	want "app_accepted=$(get app_accepted) >= $1" test "$(get app_accepted)" -ge "$1"
	if [ -n "${workers:-}" ]; then
		# Several workers (SG_LCORES): the kernel spreads the flows
		# over the tap's queues, and every worker served some.
		sed 's/^/  /' <<<"$workers"
		want "every worker accepted connections" \
			test -z "$(grep ' accepted=0 ' <<<"$workers")"
	fi
}

phase1() {
	start_daemon --stats 0 || { bad=1; return; }
	want "$N connects complete" clients "$N"
	stop_daemon
	common_end "$N"
	want "cookies_sent=$(get cookies_sent) == 0" test "$(get cookies_sent)" -eq 0
	local to; to=$(get synq_timeout)
	want "synq_timeout=$to small (<= 5)" test "$to" -ge 0 -a "$to" -le 5
}

phase2() {
	start_daemon --stats 0 --cookies always || { bad=1; return; }
	want "$N connects complete" clients "$N"
	stop_daemon
	common_end "$N"
	want "cookies_sent=$(get cookies_sent) >= $N" test "$(get cookies_sent)" -ge "$N"
	want "cookies_ok=$(get cookies_ok) >= $N" test "$(get cookies_ok)" -ge "$N"
	want "synq_added=$(get synq_added) == 0" test "$(get synq_added)" -eq 0
}

phase3() {
	start_daemon --stats 1 --synq-size 256 --cookies auto || { bad=1; return; }
	# Warm-up: proves the port answers and puts its MAC in the neighbour table.
	want "3 warm-up connects complete" clients 3
	local mac
	mac=$(timeout 5 ip -n "$NS" neigh show $SRV dev $IF | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')
	echo "  syngate port MAC: ${mac:-unknown (spoof_syn will ARP)}"
	T=60 nsx "$PY" "$HERE/spoof_syn.py" --iface $IF --dst $SRV --dport $PORT \
		--src-ip $CLI --src-net 198.18.128.0/17 --count "$SPOOF" --rate 3000 \
		--max-seconds 40 ${mac:+--dst-mac "$mac"} >"$tmp/spoof.log" 2>&1 &
	spid=$!
	for _ in $(seq 1 300); do # scapy import + frame build, bounded 30 s
		grep -q '^spoof_syn: sending' "$tmp/spoof.log" && break
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.1
	done
	sleep 0.3 # let the burst fill the table, then connect while it runs
	want "$N connects complete during/after the SYN burst" clients "$N"
	local src=0
	wait "$spid" || src=$?
	spid=''
	sed 's/^/  /' "$tmp/spoof.log"
	want "spoof burst sent all $SPOOF SYNs (rc $src)" test "$src" -eq 0
	sleep 1.2 # one more stats line after the burst
	stop_daemon
	common_end $((N + 3))
	local maxused=0 cap=-1 l u
	while IFS= read -r l; do
		u=$(get synq_used "$l")
		if [ "$u" -gt "$maxused" ]; then maxused=$u; fi
		if [ "$(get synq_cap "$l")" -ge 0 ]; then cap=$(get synq_cap "$l"); fi
	done < <(grep -E '^(stats|final) ' "$log" || true)
	local cm; cm=$(get cookie_mode_on)
	echo "  max synq_used=$maxused synq_cap=$cap cookie_mode_on=$cm"
	want "half-open table filled (synq_used reached synq_cap) or cookie mode on" \
		test \( "$cap" -gt 0 -a "$maxused" -ge "$cap" \) -o "$cm" -ge 1
	want "cookies_sent=$(get cookies_sent) > 0" test "$(get cookies_sent)" -gt 0
	# Cookie mode starts at the high-water mark (7/8 of the cap): the
	# burst must have put that many entries in the table.  (A counter,
	# not the sampled synq_used gauge: pruning under flood empties the
	# table between two stats lines.)
	local added; added=$(get synq_added)
	want "spoofed entries filled the table to its high-water mark (synq_added=$added >= $((cap - cap / 8)))" \
		test "$cap" -gt 0 -a "$added" -ge $((cap - cap / 8))
	echo "  cookies_ok=$(get cookies_ok) (legitimate handshakes completed by cookie)"
}

run "phase 1: cookies auto, $N kernel connects" phase1
run "phase 2: cookies always, $N kernel connects" phase2
if timeout 30 "$PY" -c 'import scapy.all' >/dev/null 2>&1; then
	run "phase 3: synq-size 256, $SPOOF spoofed SYNs + $N kernel connects" phase3
else
	echo "SKIP: phase 3 (python3-scapy not importable)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
