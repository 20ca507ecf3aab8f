#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Smoke test of sg_bench --workers: two workers on lcores 0 and 1 must
# finish, print a scaling line for each of the three scenarios and lose no
# handshake.  Speed is not checked: CI machines are loaded.
set -euo pipefail
SG_BENCH=${1:?usage: workers_smoke.sh path/to/sg_bench}
log=$(mktemp /tmp/sg-mw.XXXXXX)
trap 'rm -f "$log"' EXIT

rc=0
"$SG_BENCH" --no-huge -m 1024 --no-shconf --no-pci -l 0,1 \
	--file-prefix "sgmw$$" --log-level='lib.*:error' --no-telemetry -- \
	--workers 2 --packets 4096 >"$log" 2>&1 || rc=$?
cat "$log"
[ "$rc" -eq 0 ] || { echo "FAIL: exit code $rc"; exit 1; }
for s in syn_cookie syn_stateful handshake; do
	grep -Eq "^$s +scaling: [0-9]+\.[0-9]{2}x" "$log" ||
		{ echo "FAIL: no scaling line for $s"; exit 1; }
done
! grep -q 'warning' "$log" || { echo "FAIL: handshakes lost"; exit 1; }
echo "1 passed, 0 failed"
