#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The benchmark suite, one command, bounded (about 5 minutes on 2 cores):
#   1. dpdk-testpmd, io forwarding between two net_null ports on one
#      forwarding core: "DPDK doing no work", Mpps (the ceiling);
#   2. sg_bench: cycles per packet of syngate's hot paths on one core;
#      then --workers 2: one engine of 1, then 2 workers on lcores 0 and
#      1, aggregate Mpps and the scaling from 1 to 2;
#   3. sg_memory: bytes per half-open entry and connection, and the peak
#      resident memory of syngated at its default configuration;
#   4. flood_bench.py: synflood against syngated over memif (capacity, the
#      flood-resilience sweep, the limits), then the same load against the
#      Linux kernel's listener and syngated side by side;
#   5. plot.py: PNG plots next to the JSON.
# Writes bench/results/<date>-<host>.json and -*.png.  Uses 2 MiB
# hugepages (reserving 512 if none are, given back at exit) for 1 and 2;
# stops nothing of anyone else's, but wants the machine otherwise idle.
# Usage: bench/run.sh [BUILD_DIR] [PACKETS] [SECONDS_PER_FLOOD_RUN]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
PACKETS=${2:-4194304}
SECS=${3:-4}
PY=/usr/bin/python3
[ "$(id -u)" -eq 0 ] || { echo "bench/run.sh: needs root"; exit 2; }
if ! "$PY" -c 'import matplotlib' 2>/dev/null; then
	echo "== installing python3-matplotlib (plots)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-matplotlib >/dev/null ||
		{ apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-matplotlib >/dev/null; }
fi
[ -x "$BUILD/bench/synflood" ] || { echo "bench/run.sh: build first (./dev.sh test or ninja -C $BUILD)"; exit 2; }

HP=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
hp_before=$(cat "$HP" 2>/dev/null || echo 0) mounted_here=0
tmp=$(mktemp -d /tmp/sg-bench.XXXXXX)
cleanup() {
	rm -rf "$tmp"
	[ "$mounted_here" -eq 1 ] && umount /dev/hugepages 2>/dev/null
	[ -w "$HP" ] && echo "$hp_before" >"$HP" 2>/dev/null
	true
}
trap cleanup EXIT
EAL_MEM=(--no-huge -m 1024 --no-shconf)
if [ -w "$HP" ]; then
	[ "$hp_before" -ge 512 ] || echo 512 >"$HP" || true
	if ! grep -q hugetlbfs /proc/mounts; then
		mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages && mounted_here=1
	fi
	if [ "$(cat "$HP")" -ge 512 ] && grep -q hugetlbfs /proc/mounts; then
		EAL_MEM=(-m 1024 --file-prefix "sgbench$$")
	fi
fi
out=bench/results/$(date +%Y-%m-%d)-$(hostname -s)
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)

echo "== machine"
echo "$cpu, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, kernel $(uname -r); memory: ${EAL_MEM[*]}"

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

echo "== sg_bench, 1 vs 2 workers ($PACKETS packets per scenario, lcores 0,1)"
"$BUILD/bench/sg_bench" -l 0,1 "${EAL_MEM[@]}" --no-pci \
	--log-level='lib.*:error' --no-telemetry -- --packets "$PACKETS" \
	--workers 2 --json "$tmp/sg_mw.json"

echo "== memory"
"$BUILD/bench/sg_memory" --no-huge -m 1024 --no-shconf --no-pci -l 0 \
	--log-level='lib.*:error' --no-telemetry --file-prefix "sgmem$$" | tee "$tmp/mem.txt"
# Peak resident memory of the daemon at its default configuration (one
# worker on a net_null port, default tables), hugepage-less so it is all
# in the process's RSS, with the embedded default's -m (sized to the
# tables; syngated --help shows it).
dm=$("$BUILD/app/syngated/syngated" --help | grep -o -- '--no-huge -m [0-9]*' | awk '{print $3}')
timeout -k 5 20 "$BUILD/app/syngated/syngated" -l 0,1 --no-huge -m "${dm:-512}" \
	--no-shconf --no-pci --vdev=net_null0 --file-prefix "sgrss$$" \
	--log-level=lib.eal:warning -- --stats 0 >"$tmp/rss.log" 2>&1 &
rpid=$!
sleep 3
spid=$(cat /proc/$rpid/task/$rpid/children 2>/dev/null | awk '{print $1}')
hwm=$(awk '/VmHWM/ {print $2}' /proc/"${spid:-$rpid}"/status 2>/dev/null || echo 0)
kill -TERM "${spid:-$rpid}" 2>/dev/null || true
wait "$rpid" 2>/dev/null || true
echo "syngated peak RSS at the default config (16384 conns, 8192 half-open, 16383 mbufs, 1 worker): $((hwm / 1024)) MiB"

echo "== flood benchmarks ($SECS s per run)"
"$PY" bench/flood_bench.py --build "$BUILD" --out "$tmp/flood.json" --seconds "$SECS"

"$PY" - "$tmp/sg.json" "$tp" "$out.json" "$cpu" "$tmp/mem.txt" "$hwm" "$tmp/flood.json" "${EAL_MEM[*]}" "$tmp/sg_mw.json" <<'PY'
import json, sys, datetime, os, platform, re
sg = json.load(open(sys.argv[1]))
tp = float(sys.argv[2])
mem = open(sys.argv[5]).read()
res = {"date": datetime.date.today().isoformat(), "cpu": sys.argv[4],
       "machine": {"cores": os.cpu_count(), "kernel": platform.release(),
                   "eal_memory": sys.argv[8]},
       "testpmd_io_pps": tp, "sg_bench": sg, "ratio_to_testpmd": {},
       "memory": {k: float(v) for k, v in re.findall(r"(bytes_per_\w+|engine_fixed_bytes)=([0-9.]+)", mem.split("with_ipv6")[0])},
       "memory_ipv6": {k: float(v) for k, v in re.findall(r"(bytes_per_\w+|engine_fixed_bytes)=([0-9.]+)", mem.split("with_ipv6")[-1])},
       "peak_rss_kib_default_config": int(sys.argv[6] or 0),
       "flood": json.load(open(sys.argv[7])),
       "sg_bench_workers": json.load(open(sys.argv[9]))["workers"]}
print("== ratio to testpmd (same machine, same run)")
for k, v in sg["scenarios"].items():
    r = v["mpps_per_core"] * 1e6 / tp if tp else 0
    res["ratio_to_testpmd"][k] = round(r, 3)
    print(f"{k:13s} {v['mpps_per_core']:6.2f} Mpps  {r:5.2f} x testpmd")
fl = res["flood"]
lx = fl.get("linux", {})
print("== side by side (cycles per SYN answered, receiving core)")
for k in ("kernel", "syngated", "syngated_af_packet"):
    r = lx.get(k, {})
    print(f"{k:19s} {r.get('cycles_per_syn_cpu1')} cycles/SYN, "
          f"{r.get('synacks_per_cpu_s')} SYNs per CPU-second, legit "
          f"{r.get('legit', {}).get('success_pct')} %")
print("kernel / syngated:", lx.get("kernel_over_syngated_cycles"))
json.dump(res, open(sys.argv[3], "w"), indent=1)
print("wrote", sys.argv[3])
PY
"$PY" bench/plot.py "$out.json" "$out"
ls -1 "$out"*
