#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Smoke test: syngated on a net_null port receives a stream of frames it
# cannot parse (all-zero Ethernet, ethertype 0), drops and counts every one
# of them, sends nothing, and exits cleanly on SIGTERM with its counters.
set -euo pipefail
SYNGATED=${1:?usage: null_smoke.sh path/to/syngated}
log=$(mktemp /tmp/sg-null.XXXXXX)
trap 'rm -f "$log"; [ -n "${pid:-}" ] && kill -9 "$pid" 2>/dev/null || true' EXIT

"$SYNGATED" -l 0,1 --no-huge -m 256 --no-shconf --no-pci \
	--vdev=net_null0,copy=1,size=64 --log-level=lib.eal:warning -- \
	--addr 198.18.0.1/24 --listen 8080 --stats 1 >"$log" 2>&1 &
pid=$!
for _ in $(seq 1 50); do
	grep -q '^stats ' "$log" && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
sleep 1
kill -TERM "$pid"
rc=0
timeout 20 tail --pid="$pid" -f /dev/null || rc=$?
wait "$pid" || rc=$?
pid=
cat "$log"
[ "$rc" -eq 0 ] || { echo "FAIL: exit code $rc"; exit 1; }
final=$(grep '^final ' "$log" | tail -n 1)
[ -n "$final" ] || { echo "FAIL: no final line"; exit 1; }
get() { sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$final"; }
rx=$(get rx_pkts); tx=$(get tx_pkts); bad=$(get drop_ethertype)
echo "rx_pkts=$rx tx_pkts=$tx drop_ethertype=$bad"
[ "$rx" -gt 1000 ] || { echo "FAIL: too few frames received"; exit 1; }
[ "$tx" -eq 0 ] || { echo "FAIL: answered garbage"; exit 1; }
[ "$bad" -eq "$rx" ] || { echo "FAIL: not every frame counted as a drop"; exit 1; }
echo "1 passed, 0 failed"
