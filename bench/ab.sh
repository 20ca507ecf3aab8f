#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Interleaved A/B of sg_bench: two builds (e.g. before and after a change,
# built from two worktrees), run alternately ROUNDS times pinned to one
# core; prints per scenario the minimum and the median cycles/packet of
# each (the minimum is the least disturbed by a busy machine).
#   bench/ab.sh BUILD_A BUILD_B [ROUNDS] [CPU] [PACKETS]
# (PACKETS per scenario, 262144 by default; issue 13's table used 4194304).
# AB_HUGE=1 runs on hugepages (mounted, enough reserved) instead of
# --no-huge, whose first touch of a 4 KiB page costs a fault inside the
# timed loop once the tables outgrow what the run touched before.
set -euo pipefail
A=$1 B=$2 ROUNDS=${3:-7} CPU=${4:-1} PACKETS=${5:-262144}
out=$(mktemp -d /tmp/sg-ab.XXXXXX)
trap 'rm -rf "$out"' EXIT
mem=(--no-huge -m 1024 --no-shconf)
[ -n "${AB_HUGE:-}" ] && mem=(-m 2048 --file-prefix sg-ab)
args=("${mem[@]}" --no-pci -l "$CPU"
      --log-level='lib.*:error' --no-telemetry -- --packets "$PACKETS")
for ((i = 0; i < ROUNDS; i++)); do
	for side in A B; do
		dir=$A; [ "$side" = B ] && dir=$B
		taskset -c "$CPU" "$dir/bench/sg_bench" "${args[@]}" |
			awk -v s="$side" '/cycles\/pkt  *[0-9]/ && !/subtracted/ {
				print s, $1, $2 }' >> "$out/all"
	done
done
/usr/bin/python3 - "$out/all" "$A" "$B" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
sc = []
for s, n, v in rows:
    if n not in sc:
        sc.append(n)
print(f"A = {sys.argv[2]}\nB = {sys.argv[3]}")
print(f"{'scenario':<14}{'A min':>9}{'B min':>9}{'B/A':>7}"
      f"{'A median':>10}{'B median':>10}")
for n in sc:
    a = [float(v) for s, m, v in rows if m == n and s == "A"]
    b = [float(v) for s, m, v in rows if m == n and s == "B"]
    if not a or not b:		# a scenario only one build has
        only = "B" if b else "A"
        print(f"{n:<14}  only in {only}: min {min(a or b):.1f}, "
              f"median {statistics.median(a or b):.1f}")
        continue
    print(f"{n:<14}{min(a):9.1f}{min(b):9.1f}{min(b)/min(a):7.2f}"
          f"{statistics.median(a):10.1f}{statistics.median(b):10.1f}")
PY
