#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Real clients over established connections: syngated on a net_tap port in
# a network namespace this script creates (198.18.0.1 served, 198.18.0.2 the
# kernel side, no default route).
#   http     curl gets the response; ab -n 20000 -c 200 has no failure and
#            the kernel's active opens equal the daemon's accepted count;
#            afterwards (short MSL) connections and mbufs are back to idle
#   echo     20 MB through echo with a half-close, SHA-256 checked, and
#            several clients at once
#   discard  5 MB into discard, the server closes after the client's FIN
#   stop     stopped while a client holds a connection: exit 0, no leak
#   soak     SG_SOAK_SECONDS (120) of spoofed SYNs and HTTP clients, then
#            every table and pool back to idle
# Usage: kernel_data.sh BUILD_DIR      (exit 77 = skipped)
set -euo pipefail

BUILD=${1:?usage: kernel_data.sh BUILD_DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SYNGATED=$BUILD/app/syngated/syngated
PY=/usr/bin/python3
NS=sgd$$
IF=sgt0
SRV=198.18.0.1
CLI=198.18.0.2
PORT=8080

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: kernel_data needs root"; exit 77; fi
if [ ! -c /dev/net/tun ]; then echo "SKIP: /dev/net/tun missing"; exit 77; fi
for c in ip timeout tail curl ab nstat "$PY"; do
	command -v "$c" >/dev/null || { echo "SKIP: $c not found"; exit 77; }
done
[ -x "$SYNGATED" ] || { echo "FAIL: $SYNGATED not built"; exit 1; }

. "$HERE/netns_lib.sh"

with_t() { local t=$1; shift; T=$t "$@"; }

# Idle mbuf count: the first stats line, before any client.
idle_mbufs() { get mbufs_used "$(grep -m1 '^stats ' "$log" || true)"; }

wait_stats() { # wait for a stats line after the current one count
	local n; n=$(grep -c '^stats ' "$log" || true)
	for _ in $(seq 1 40); do
		[ "$(grep -c '^stats ' "$log" || true)" -gt "$n" ] && return 0
		sleep 0.1
	done
}

phase_http() {
	start_daemon --stats 1 --service http --app-threads 2 --msl 500 ||
		{ bad=1; return; }
	wait_stats
	local idle out opens0 opens1 last
	idle=$(idle_mbufs)
	out=$(T=10 nsx curl -s -i http://$SRV:$PORT/ || true)
	echo "$out" | sed 's/^/  | /'
	want "curl: 200 and the body" grep -q "syngate says hello" <<<"$out"
	want "curl: status line HTTP/1.1 200" grep -q "^HTTP/1.1 200 OK" <<<"$out"
	opens0=$(T=5 nsx env NSTAT_HISTORY="$tmp/nstat.hist" nstat -asz TcpActiveOpens | awk '/TcpActiveOpens/ {print $2}')
	out=$(T=120 nsx ab -q -n 20000 -c 200 http://$SRV:$PORT/ 2>&1 || true)
	{ grep -E "Complete requests|Failed requests|Requests per second" <<<"$out" || tail -n 3 <<<"$out"; } | sed 's/^/  | /'
	want "ab: 20000 complete" grep -qE "^Complete requests: +20000" <<<"$out"
	want "ab: 0 failed" grep -qE "^Failed requests: +0" <<<"$out"
	opens1=$(T=5 nsx env NSTAT_HISTORY="$tmp/nstat.hist" nstat -asz TcpActiveOpens | awk '/TcpActiveOpens/ {print $2}')
	sleep 2	# 2 MSL = 1 s of TIME-WAIT, then a stats line
	wait_stats
	last=$(grep '^stats ' "$log" | tail -n 1)
	stop_daemon
	want "exit code 0 (got $drc)" test "$drc" -eq 0
	echo "  $final"
	want "kernel active opens ($((opens1 - opens0))) == accepted in that run ($(( $(get accepted) - 1 )))" \
		test $((opens1 - opens0)) -eq $(( $(get accepted) - 1 ))
	want "requests answered $(get app_requests) == 20001" test "$(get app_requests)" -eq 20001
	want "connections back to 0 (conns_used=$(get conns_used "$last"))" \
		test "$(get conns_used "$last")" -eq 0
	want "every connection freed (conn_freed=$(get conn_freed) == accepted)" \
		test "$(get conn_freed)" -eq "$(get accepted)"
	want "mbufs back to idle ($(get mbufs_used "$last") <= $idle + 256 cache)" \
		test "$(get mbufs_used "$last")" -le $((idle + 256))
}

phase_echo() {
	start_daemon --stats 1 --service echo --msl 500 || { bad=1; return; }
	wait_stats
	local idle last
	idle=$(idle_mbufs)
	# Bounded by what a correct stack needs: ~1 s here, 88 s when the
	# peer's window scale was ignored (issue 16), so 30 s.
	want "20 MB echo with half-close, checksummed, within 30 s" \
		with_t 60 nsx "$PY" "$HERE/echo_client.py" --host $SRV --port $PORT \
		--size $((20 << 20)) --deadline 30
	local pids=() i rc=0
	for i in 1 2 3 4; do
		T=120 nsx "$PY" "$HERE/echo_client.py" --host $SRV --port $PORT \
			--size $((2 << 20)) --deadline 100 &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" || rc=1; done
	want "4 parallel 2 MB echoes intact" test $rc -eq 0
	sleep 1.5
	wait_stats
	last=$(grep '^stats ' "$log" | tail -n 1)
	stop_daemon
	want "exit code 0 (got $drc)" test "$drc" -eq 0
	echo "  $final"
	want "connections back to 0" test "$(get conns_used "$last")" -eq 0
	want "mbufs back to idle ($(get mbufs_used "$last") <= $idle + 256)" \
		test "$(get mbufs_used "$last")" -le $((idle + 256))
	# 28 MiB echoed in segments of at most 1460 bytes: a correct stack
	# sends about that many (21 509 measured; 501 026 with the window
	# scale ignored) and retransmits next to nothing on a tap.
	local segs=$(( ((20 << 20) + 4 * (2 << 20)) / 1460 ))
	want "segments sent ($(get seg_out)) <= 2 x the $segs the data needs" \
		test "$(get seg_out)" -le $((2 * segs))
	want "retransmissions ($(get retransmits)) <= 2 % of segments + 50" \
		test "$(get retransmits)" -le $(( $(get seg_out) / 50 + 50 ))
}

phase_discard() {
	start_daemon --stats 0 --service discard --msl 500 || { bad=1; return; }
	want "5 MB discarded, server FIN after ours" \
		with_t 60 nsx "$PY" "$HERE/echo_client.py" --host $SRV --port $PORT \
		--size $((5 << 20)) --mode discard --deadline 50
	stop_daemon
	want "exit code 0 (got $drc)" test "$drc" -eq 0
	want "data segments received ($(get seg_in) >= 3000)" test "$(get seg_in)" -ge 3000
}

# Clients that never read: 1000 connections send to echo with their
# receive windows shut and never read a byte, so every one of them would
# hold a full receive queue and a full send queue -- far more than the
# 4096 mbufs given.  The connection-data budget keeps the RX refill and
# the replies supplied: ping and a new client are answered while they
# hold, the ports never ran out of mbufs (rx_nombuf), and everything is
# back to idle once they go.  (~150 such clients once made a worker deaf.)
# Their kernel sockets close with a RST that lands past what we took, so
# it draws a challenge ACK (RFC 5961), rate-limited: the few it misses go
# at --idle-timeout rather than at the next window probe (up to 60 s).
# Stopped while a client holds a connection: the service gives it back (a
# reset to the client), no leak (the ASan build fails the exit code).
phase_stop_held() {
	start_daemon --stats 1 --service echo --app-threads 1 ||
		{ bad=1; return; }
	local out=$tmp/held.out pid
	T=30 nsx bash -c "exec 3<>/dev/tcp/$SRV/$PORT; echo held >&3; \
		head -n 1 <&3; cat <&3 >/dev/null; echo end=\$?" >"$out" 2>&1 &
	pid=$!
	for _ in $(seq 1 50); do
		grep -q '^held' "$out" && break
		sleep 0.1
	done
	want "echo answered on the held connection" grep -q '^held' "$out"
	stop_daemon
	want "exit code 0 with a connection held (got $drc)" test "$drc" -eq 0
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

phase_noread() {
	DAEMON_MAX_SECONDS=240 start_daemon --stats 1 --service echo \
		--mbufs 4096 --msl 500 --idle-timeout 15 || { bad=1; return; }
	wait_stats
	local idle last ready=$tmp/noread.ready pid out
	idle=$(idle_mbufs)
	T=150 nsx "$PY" "$HERE/noread_clients.py" --host $SRV --port $PORT \
		--count 1000 --bytes 65536 --hold 10 --deadline 120 \
		--ready-file "$ready" >"$tmp/noread.log" 2>&1 &
	pid=$!
	for _ in $(seq 1 1200); do
		[ -e "$ready" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/  | /' "$tmp/noread.log"
	want "1000 never-reading clients connected" grep -q "connected=1000 " "$tmp/noread.log"
	sleep 2
	wait_stats
	out=$(grep '^stats ' "$log" | tail -n 1)
	echo "  while they hold: conns_used=$(get conns_used "$out") data_mbufs=$(get data_mbufs "$out")/$(get data_mbufs_cap "$out") mbufs_used=$(get mbufs_used "$out") drop_conn_nomem=$(get drop_conn_nomem "$out")"
	want "the budget is what held them back (data_mbufs at its cap)" \
		test "$(get data_mbufs "$out")" -ge $(( $(get data_mbufs_cap "$out") - 64 ))
	want "ping answered while they hold" \
		with_t 10 nsx ping -c 3 -i 0.2 -W 2 -q $SRV
	want "a new client's 64 KB echo intact while they hold" \
		with_t 40 nsx "$PY" "$HERE/echo_client.py" --host $SRV --port $PORT \
		--size 65536 --deadline 30
	wait "$pid" || true
	for _ in $(seq 1 40); do
		wait_stats
		last=$(grep '^stats ' "$log" | tail -n 1)
		[ "$(get conns_used "$last")" -eq 0 ] && break
	done
	stop_daemon
	want "exit code 0 (got $drc)" test "$drc" -eq 0
	want "no RX refill failed (rx_nombuf=$(get rx_nombuf))" test "$(get rx_nombuf)" -eq 0
	want "no reply lacked an mbuf (drop_no_mbuf=$(get drop_no_mbuf))" test "$(get drop_no_mbuf)" -eq 0
	want "connections back to 0 ($(get conns_used "$last"))" test "$(get conns_used "$last")" -eq 0
	want "connection data back to 0 ($(get data_mbufs "$last"))" test "$(get data_mbufs "$last")" -eq 0
	want "mbufs back to idle ($(get mbufs_used "$last") <= $idle + 256)" \
		test "$(get mbufs_used "$last")" -le $((idle + 256))
}

# An MSS the port cannot carry: DPDK 22.11's net_tap takes frames of 1522
# bytes at most, so --mss 8960 (MTU 9000) is refused at start with one line
# naming the option and what the port allows, exit status 2 (it used to
# start, and sg_send crashed writing 8948-byte segments into 2 KiB mbufs;
# tests/integration/test_conn.c shows jumbo segments where the port has
# the MTU).
phase_mss_refused() {
	local rc=0 out
	timeout 10 ip netns add "$NS" || { bad=1; return; }
	out=$(timeout -k 5 30 ip netns exec "$NS" "$SYNGATED" -l 0,1 --no-huge \
		-m 512 --no-shconf --file-prefix "$NS" --no-pci \
		--vdev=net_tap0,iface=$IF --log-level=lib.eal:warning \
		--log-level=pmd.*:crit -- --addr $SRV/24 --listen $PORT \
		--mss 8960 --service echo 2>&1) || rc=$?
	echo "$out" | grep syngate | sed 's/^/  | /'
	want "exit status 2 (got $rc)" test "$rc" -eq 2
	want "one line naming --mss and the largest it allows" \
		grep -qE "^syngated?: --mss 8960: .*give --mss 1460 or less" <<<"$out"
	want "not serving" test -z "$(grep '^syngated: serving' <<<"$out")"
}

# Soak: SOAK seconds of spoofed SYNs (scapy) while Linux clients keep
# making HTTP requests -- ab (the server closes first: TIME-WAIT) and curl
# keep-alive sessions (the client closes first) -- then everything must
# settle back to idle: no half-open entry, no connection, no queued
# accept, mbufs at their idle count.
SOAK=${SG_SOAK_SECONDS:-120}
phase_soak() {
	DAEMON_MAX_SECONDS=$((SOAK + 90)) start_daemon --stats 1 \
		--service http --app-threads 2 --msl 300 --synq-size 512 \
		--synack-retries 1 --synack-rto 200 || { bad=1; return; }
	wait_stats
	local idle mac spid2 end rounds=0 fails=0 out last
	idle=$(idle_mbufs)
	T=10 nsx curl -s http://$SRV:$PORT/ >/dev/null || true
	mac=$(timeout 5 ip -n "$NS" neigh show $SRV dev $IF | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')
	T=$((SOAK + 30)) nsx "$PY" "$HERE/spoof_syn.py" --iface $IF --dst $SRV \
		--dport $PORT --src-ip $CLI --src-net 198.18.128.0/17 \
		--count $((SOAK * 800)) --rate 800 --max-seconds "$SOAK" \
		${mac:+--dst-mac "$mac"} >"$tmp/soak-spoof.log" 2>&1 &
	spid2=$!
	end=$((SECONDS + SOAK))
	while [ $SECONDS -lt $end ]; do
		out=$(T=60 nsx ab -q -n 2000 -c 50 http://$SRV:$PORT/ 2>&1 || true)
		grep -qE "^Failed requests: +0" <<<"$out" || fails=$((fails + 1))
		grep -qE "^Complete requests: +2000" <<<"$out" || fails=$((fails + 1))
		T=20 nsx curl -s -o /dev/null -o /dev/null -o /dev/null \
			http://$SRV:$PORT/a http://$SRV:$PORT/b http://$SRV:$PORT/c ||
			fails=$((fails + 1))
		rounds=$((rounds + 1))
	done
	wait "$spid2" || true
	sed 's/^/  /' "$tmp/soak-spoof.log" | tail -n 2
	echo "  $rounds rounds of ab -n 2000 -c 50 + a 3-request curl session"
	want "every round without a failed request ($fails failures)" test "$fails" -eq 0
	sleep 3
	wait_stats
	last=$(grep '^stats ' "$log" | tail -n 1)
	stop_daemon
	want "exit code 0 (got $drc)" test "$drc" -eq 0
	echo "  syn_in=$(get syn_in) cookies_sent=$(get cookies_sent) synq_pruned=$(get synq_pruned) accepted=$(get accepted) app_requests=$(get app_requests) time_wait=$(get time_wait)"
	want "the flood was met (syn_in $(get syn_in) > accepted $(get accepted))" \
		test "$(get syn_in)" -gt "$(get accepted)"
	want "half-open table back to 0 ($(get synq_used "$last"))" test "$(get synq_used "$last")" -eq 0
	want "connections back to 0 ($(get conns_used "$last"))" test "$(get conns_used "$last")" -eq 0
	want "accept rings empty ($(get accept_queued "$last"))" test "$(get accept_queued "$last")" -eq 0
	want "every connection freed ($(get conn_freed) == $(get accepted))" \
		test "$(get conn_freed)" -eq "$(get accepted)"
	want "mbufs back to idle ($(get mbufs_used "$last") <= $idle + 256)" \
		test "$(get mbufs_used "$last")" -le $((idle + 256))
}

run "http: curl, ab -n 20000 -c 200, back to idle" phase_http
run "echo: 20 MB half-close, 4 in parallel" phase_echo
run "discard: 5 MB" phase_discard
run "mss: 8960 refused on a port with a 1500-byte MTU" phase_mss_refused
run "stop: a client holds a connection when the daemon stops" phase_stop_held
run "noread: 1000 clients that never read, ping and a new client answered" phase_noread
if timeout 30 "$PY" -c 'import scapy.all' >/dev/null 2>&1; then
	run "soak: ${SOAK} s of spoofed SYNs with HTTP clients, back to idle" phase_soak
else
	echo "SKIP: soak (python3-scapy not importable)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
