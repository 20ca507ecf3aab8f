#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Micro-benchmarks with their ceiling, in one run on one machine:
#   1. dpdk-testpmd, io forwarding between two net_null ports on one
#      forwarding core: "DPDK doing no work", Mpps;
#   2. sg_bench: cycles per packet of syngate's hot paths on one core.
# Prints both and the ratios, writes bench/results/<date>-<host>.json.
# Usage: bench/run.sh [BUILD_DIR] [PACKETS]     (bounded: about a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
PACKETS=${2:-1048576}
EAL_MEM=(--no-huge -m 1024 --no-shconf)
if [ "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages 2>/dev/null || echo 0)" -ge 512 ] &&
   grep -q hugetlbfs /proc/mounts; then
	EAL_MEM=(-m 1024 --file-prefix "sgbench$$")
fi
out=bench/results/$(date +%Y-%m-%d)-$(hostname -s).json
tmp=$(mktemp -d /tmp/sg-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

echo "== machine"
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)
echo "$cpu, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; memory: ${EAL_MEM[*]}"

echo "== dpdk-testpmd io forwarding, net_null x2, 1 forwarding core (8 s)"
timeout -k 5 10 dpdk-testpmd -l 0,1 "${EAL_MEM[@]}" --no-pci \
	--vdev net_null0 --vdev net_null1 --log-level=lib.eal:warning -- \
	--total-num-mbufs=16384 --forward-mode=io -a --stats-period=2 \
	>"$tmp/testpmd.log" 2>&1 || true
tp=$(awk '/Rx-pps:/ {v[NR % 2] = $2} END {print v[0] + v[1]}' "$tmp/testpmd.log")
echo "testpmd: $((tp / 1000)) kpps forwarded (both directions)"

echo "== sg_bench ($PACKETS packets per scenario, 1 core)"
taskset -c 1 "$BUILD/bench/sg_bench" -l 1 "${EAL_MEM[@]}" --no-pci \
	--log-level='lib.*:error' --no-telemetry -- --packets "$PACKETS" \
	--json "$tmp/sg.json"
"$(command -v python3)" - "$tmp/sg.json" "$tp" "$out" "$cpu" <<'PY'
import json, sys, datetime
sg = json.load(open(sys.argv[1]))
tp = float(sys.argv[2])
res = {"date": datetime.date.today().isoformat(), "cpu": sys.argv[4],
       "testpmd_io_pps": tp, "sg_bench": sg, "ratio_to_testpmd": {}}
print("== ratio to testpmd (same machine, same run)")
for k, v in sg["scenarios"].items():
    r = v["mpps_per_core"] * 1e6 / tp if tp else 0
    res["ratio_to_testpmd"][k] = round(r, 3)
    print(f"{k:13s} {v['mpps_per_core']:6.2f} Mpps  {r:5.2f} x testpmd")
json.dump(res, open(sys.argv[3], "w"), indent=1)
print("wrote", sys.argv[3])
PY
