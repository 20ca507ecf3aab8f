#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Packet capture: syngated (hugepage-backed, multi-process) on net_tap in a
# network namespace this script creates; the stock dpdk-dumpcap attaches
# as a secondary process and captures a Linux client's handshake; the
# pcapng is read back with scapy and must hold SYN, SYN-ACK and ACK.
# Needs 2 MiB hugepages: reserves them if none are (and gives them back).
# Usage: pdump.sh BUILD_DIR      (exit 77 = skipped)
set -euo pipefail

BUILD=${1:?usage: pdump.sh BUILD_DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SYNGATED=$BUILD/app/syngated/syngated
PY=/usr/bin/python3
NS=sgp$$
IF=sgt0
SRV=198.18.0.1
CLI=198.18.0.2
PORT=8080
HP=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages

if [ "$(id -u)" -ne 0 ]; then echo "SKIP: pdump needs root"; exit 77; fi
if [ ! -c /dev/net/tun ]; then echo "SKIP: /dev/net/tun missing"; exit 77; fi
command -v dpdk-dumpcap >/dev/null || { echo "SKIP: no dpdk-dumpcap"; exit 77; }
"$PY" -c 'import scapy.all' 2>/dev/null || { echo "SKIP: no scapy"; exit 77; }
[ -w "$HP" ] || { echo "SKIP: no 2 MiB hugepages here"; exit 77; }
hp_before=$(cat "$HP")
mounted_here=0
if [ "$hp_before" -lt 256 ]; then echo 256 >"$HP"; fi
if [ "$(cat "$HP")" -lt 128 ]; then
	echo "$hp_before" >"$HP"; echo "SKIP: could not reserve hugepages"; exit 77
fi
if ! grep -q hugetlbfs /proc/mounts; then
	mkdir -p /dev/hugepages
	mount -t hugetlbfs nodev /dev/hugepages && mounted_here=1
fi

. "$HERE/netns_lib.sh"
# The daemon's hugepage files outlive it (secondaries may attach): remove
# them, or the pages stay taken on a machine whose hugetlbfs was mounted
# before this test (and is not unmounted by it).
drop_hugefiles() {
	local mp
	for mp in $(awk '$3 == "hugetlbfs" { print $2 }' /proc/mounts); do
		rm -f "$mp/${NS}"map_*
	done
}
trap 'cleanup; drop_hugefiles; [ $mounted_here -eq 1 ] && umount /dev/hugepages; echo "$hp_before" >"$HP"' EXIT

phase() {
	local cap=$tmp/cap.pcapng cpid out
	EAL_MEM="-m 256" start_daemon --stats 0 || { bad=1; return; }
	timeout 30 dpdk-dumpcap --file-prefix="$NS" -i 0 -w "$cap" -q \
		-a duration:20 >"$tmp/dumpcap.log" 2>&1 &
	cpid=$!
	for _ in $(seq 1 100); do [ -s "$cap" ] && break; sleep 0.1; done
	sleep 1
	want "one Linux connect completes" env T=20 bash -c \
		'ip netns exec '"$NS"' '"$PY"' '"$HERE"'/tcp_clients.py --host '"$SRV"' --port '"$PORT"' --src '"$CLI"' -n 1 -p 1 --timeout 5 --deadline 10 >/dev/null'
	sleep 1
	kill -INT "$cpid" 2>/dev/null || true
	wait "$cpid" || true
	sed 's/^/  | /' "$tmp/dumpcap.log"
	stop_daemon
	want "exit code 0 (got $drc)" test "$drc" -eq 0
	out=$("$PY" - "$cap" <<'PY'
import sys
from scapy.all import rdpcap, TCP
flags = [p[TCP].sprintf("%TCP.flags%") for p in rdpcap(sys.argv[1]) if TCP in p]
print(" ".join(flags))
PY
)
	echo "  captured TCP flags: $out"
	want "SYN captured" grep -qw S <<<"$out"
	want "SYN-ACK captured" grep -qw SA <<<"$out"
	want "ACK captured" grep -qw A <<<"$out"
}

run "pdump: dpdk-dumpcap captures a handshake" phase
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
