#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The Linux stack talking IPv6 to syngated on a net_tap port, inside a
# network namespace this script creates (and deletes on every exit path).
# The daemon serves both families at once (--addr twice).
#   phase 1  cookies auto: neighbour discovery and ping -6 answered; 200
#            IPv6 and 100 IPv4 connect()s complete together, no cookies
#   phase 2  cookies always: 200 IPv6 connect()s, every one by cookie
#   phase 3  data: an echo service over IPv6, 5 MB with half-close and
#            4 parallel 1 MB streams, checksummed; curl -6 gets an HTTP
#            page; every connection is freed
# Addresses: 2001:db8::1 (and 198.18.0.1) served by syngated, 2001:db8::2
# (and 198.18.0.2) the kernel side of the tap.  No default route.
# Usage: kernel_ipv6.sh BUILD_DIR      (exit 77 = skipped)
set -euo pipefail

BUILD=${1:?usage: kernel_ipv6.sh BUILD_DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SYNGATED=$BUILD/app/syngated/syngated
PY=/usr/bin/python3
NS=sg6$$
IF=sgt0
SRV=198.18.0.1
CLI=198.18.0.2
SRV6=2001:db8::1
CLI6=2001:db8::2
PORT=8080
N=${SG_K6_CLIENTS:-200}

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: kernel_ipv6 needs root"; exit 77; fi
if [ ! -c /dev/net/tun ]; then echo "SKIP: /dev/net/tun missing"; exit 77; fi
for c in ip timeout tail ping curl "$PY"; do
	command -v "$c" >/dev/null || { echo "SKIP: $c not found"; exit 77; }
done
[ -x "$SYNGATED" ] || { echo "FAIL: $SYNGATED not built"; exit 1; }

. "$HERE/netns_lib.sh"

with_t() { local t=$1; shift; T=$t "$@"; }

clients() { # host count
	T=75 nsx "$PY" "$HERE/tcp_clients.py" --host "$1" --port $PORT \
		-n "$2" -p 20 --timeout 10 --deadline 60
}

end_ok() {
	want "exit code 0 (got $drc)" test "$drc" -eq 0
	want "final line present" test -n "$final"
	if [ -n "$final" ]; then echo "  $final"; fi
}

phase1() {
	start_daemon --stats 0 || { bad=1; return; }
	# The kernel must resolve 2001:db8::1 by neighbour discovery first.
	want "ping -6: 3 echo replies" with_t 15 nsx ping -6 -c 3 -i 0.2 -W 2 $SRV6
	local mac
	mac=$(timeout 5 ip -n "$NS" -6 neigh show $SRV6 dev $IF | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')
	want "neighbour entry for $SRV6 learnt (lladdr ${mac:-none})" test -n "$mac"
	local p6 p4 rc6=0 rc4=0
	clients $SRV6 "$N" >"$tmp/c6.log" 2>&1 & p6=$!
	clients $SRV 100 >"$tmp/c4.log" 2>&1 & p4=$!
	wait $p6 || rc6=$?
	wait $p4 || rc4=$?
	sed 's/^/  v6 /' "$tmp/c6.log"
	sed 's/^/  v4 /' "$tmp/c4.log"
	want "$N IPv6 connects complete" test $rc6 -eq 0
	want "100 IPv4 connects complete at the same time" test $rc4 -eq 0
	stop_daemon
	end_ok
	want "accepted=$(get accepted) >= $((N + 100))" test "$(get accepted)" -ge $((N + 100))
	want "nd_replies=$(get nd_replies) >= 1" test "$(get nd_replies)" -ge 1
	want "icmp_replies=$(get icmp_replies) >= 3" test "$(get icmp_replies)" -ge 3
	want "cookies_sent=$(get cookies_sent) == 0" test "$(get cookies_sent)" -eq 0
}

phase2() {
	start_daemon --stats 0 --cookies always || { bad=1; return; }
	want "$N IPv6 connects complete" clients $SRV6 "$N"
	stop_daemon
	end_ok
	want "cookies_ok=$(get cookies_ok) >= $N" test "$(get cookies_ok)" -ge "$N"
	want "no half-open entry (synq_added=$(get synq_added))" test "$(get synq_added)" -eq 0
	want "accepted=$(get accepted) >= $N" test "$(get accepted)" -ge "$N"
}

phase3() {
	start_daemon --stats 0 --service echo --msl 500 || { bad=1; return; }
	want "5 MB IPv6 echo with half-close, checksummed" \
		with_t 90 nsx "$PY" "$HERE/echo_client.py" --host $SRV6 --port $PORT \
		--size $((5 << 20)) --deadline 80
	local pids=() i rc=0
	for i in 1 2 3 4; do
		T=90 nsx "$PY" "$HERE/echo_client.py" --host $SRV6 --port $PORT \
			--size $((1 << 20)) --deadline 80 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || rc=1; done
	want "4 parallel 1 MB IPv6 echoes intact" test $rc -eq 0
	sleep 1.5	# 2 MSL of TIME-WAIT
	stop_daemon
	end_ok
	want "5 connections accepted ($(get accepted))" test "$(get accepted)" -eq 5
	want "every connection freed (conn_freed=$(get conn_freed))" \
		test "$(get conn_freed)" -eq "$(get accepted)"
	want "data segments in ($(get seg_in) >= 3000)" test "$(get seg_in)" -ge 3000

	start_daemon --stats 0 --service http || { bad=1; return; }
	local out
	out=$(T=10 nsx curl -s -6 -i "http://[$SRV6]:$PORT/" || true)
	echo "$out" | head -n 3 | sed 's/^/  | /'
	want "curl -6: HTTP/1.1 200 and the body" grep -q "syngate says hello" <<<"$out"
	stop_daemon
	end_ok
}

run "phase 1: IPv6 + IPv4, cookies auto, ND and ping" phase1
run "phase 2: IPv6, cookies always" phase2
run "phase 3: IPv6 data (echo, http)" phase3
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
