#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# --app-threads 0: syngated listens and never accepts, as a Linux listener
# whose application never calls accept().  With --backlog 4 and 10 kernel
# clients, 4 handshakes complete onto the accept ring and stay there; the
# rest meet the overflow policy, and the counters show it: with drop the
# ACKs are ignored (overflow_drop), with reset the clients get RST
# (overflow_reset).  Through a net_tap port in a namespace this script
# creates (netns_lib.sh; 198.18.0.0/15 only).
# Usage: listen_only.sh BUILD_DIR      (exit 77 = skipped)
set -uo pipefail
BUILD=${1:?usage: listen_only.sh BUILD_DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SYNGATED=$BUILD/app/syngated/syngated
PY=/usr/bin/python3
NS=sgopsl$$ IF=sgopsl0 SRV=198.18.11.1 CLI=198.18.11.2 PORT=8080

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -c /dev/net/tun ] || { echo "SKIP: /dev/net/tun missing"; exit 77; }
[ -x "$SYNGATED" ] || { echo "FAIL: $SYNGATED not built"; exit 1; }
# shellcheck source=netns_lib.sh
. "$HERE/netns_lib.sh"

# N kernel clients connect and hold on; after HOLD s each is "open" (no
# data, no error), "reset" (ECONNRESET, also when the RST beat connect()'s
# return on a loaded machine) or "failed" (no handshake).
clients() { # N HOLD
	nsx "$PY" - "$SRV" "$PORT" "$1" "$2" <<-'PYEOF'
	import errno, socket, sys, time
	host, port, n, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
	socks, failed, reset = [], 0, 0
	for _ in range(n):
	    s = socket.socket()
	    s.settimeout(5)
	    try:
	        s.connect((host, port))
	        socks.append(s)
	    except (ConnectionResetError, ConnectionRefusedError):
	        reset += 1      # the RST came before connect() returned
	        s.close()
	    except OSError:
	        failed += 1
	        s.close()
	time.sleep(hold)
	opened = 0
	for s in socks:
	    s.settimeout(0.2)
	    try:
	        reset += s.recv(1) == b""      # a FIN: not expected either
	    except socket.timeout:
	        opened += 1
	    except ConnectionResetError:
	        reset += 1
	    s.close()
	print(f"open={opened} reset={reset} failed={failed}")
	PYEOF
}

phase_drop() {
	start_daemon --app-threads 0 --backlog 4 --overflow drop --stats 1 \
		--synack-rto 200 --synack-retries 2 || { bad=1; return; }
	want "serving line says no service" grep -q 'service none (--app-threads 0' "$log"
	res=$(T=30 clients 10 2); echo "  clients: $res"
	want "every client's connect() returned (Linux completes on the SYN-ACK)" \
		grep -q 'failed=0' <<<"$res"
	sleep 1.2
	live=$(grep '^stats ' "$log" | tail -n 1)
	stop_daemon
	echo "  $(grep -o 'app_accepted=[0-9]* \|accepted=[0-9]* \|overflow_[a-z]*=[0-9]*\|accept_queued=[0-9]*\|drop_accept_overflow=[0-9]*' <<<"$final" | tr '\n' ' ')"
	want "exit 0 (status $drc)" [ "$drc" -eq 0 ]
	want "no application accept (app_accepted=$(get app_accepted))" [ "$(get app_accepted)" -eq 0 ]
	want "4 on the accept ring while running (accept_queued=$(get accept_queued "$live"))" \
		[ "$(get accept_queued "$live")" -eq 4 ]
	want "4 handshakes completed (accepted=$(get accepted))" [ "$(get accepted)" -eq 4 ]
	want "the other 6 dropped by the policy (overflow_drop=$(get overflow_drop) >= 6)" \
		[ "$(get overflow_drop)" -ge 6 ]
	want "no RST for them (overflow_reset=$(get overflow_reset))" [ "$(get overflow_reset)" -eq 0 ]
}

phase_reset() {
	start_daemon --app-threads 0 --backlog 4 --overflow reset --stats 1 || { bad=1; return; }
	res=$(T=30 clients 10 1); echo "  clients: $res"
	want "4 clients wait, 6 were reset ($res)" grep -q 'open=4 reset=6 failed=0' <<<"$res"
	stop_daemon
	want "exit 0 (status $drc)" [ "$drc" -eq 0 ]
	want "4 handshakes completed (accepted=$(get accepted))" [ "$(get accepted)" -eq 4 ]
	want "6 reset by the policy (overflow_reset=$(get overflow_reset))" [ "$(get overflow_reset)" -eq 6 ]
}

run "app-threads 0, overflow drop" phase_drop
run "app-threads 0, overflow reset" phase_reset
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
