#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Flood benchmarks with bench/synflood, bounded in time (about 3 minutes):

  calibrate  --syn-rate max over memif (synflood as memif server on core
             0, syngated's worker on core 1): one worker's capacity is the
             TSC rate over the worker's busy cycles per SYN there (or what
             it answered, if higher);
  sweep      legitimate clients (an HTTP request each) while the SYN flood
             runs at 0, 25, 50, 100 and 200 % of that rate: success rate,
             connect and response latency p50/p99;
  limits     the same at 100 % with a tiny accept ring and connection
             table (--backlog 4 --conn-max 64) and a legitimate rate
             above what they hold;
  linux      the same generator, flood and legitimate load against (a)
             the kernel's listener in a namespace, tcp_syncookies=1,
             reached over a veth pair (synflood on net_af_packet), and
             (b) syngated on its DPDK path (memif); also (b') syngated on
             the far end of the same veth through net_af_packet.  SYNs
             answered per CPU-second of the receiving core (core 1: RPS
             steers the veth's receive processing there and the listener
             is pinned there; syngated's worker is lcore 1), at the
             highest rate the generator reaches, and the legitimate
             success rate.  The kernel's cycles per SYN over
             syngated's, side by side (the same offered load) and at
             capacity (the kernel's saturated core 1 against syngated's
             worker under --syn-rate max in the calibration).

  --workers N  the memif runs (and --smoke) with N syngated workers: the
             generator drives N memif queue pairs (--queues N) and sends
             each flow on the queue a NIC's RSS would pick (the Toeplitz
             hash of its 4-tuple, bench/synflood.c); syngated's worker k
             polls ring k.  The summaries add each worker's syn_in,
             answered and accepted, and the aggregate.  The kernel
             comparison keeps one worker (it is per core 1).
  --scaling  only the calibration, with 1 and then 2 workers, and the
             ratio of what they answered (and of their capacity from
             busy cycles).  Workers beyond the CPUs left after the
             generator's core 0 share CPUs: the ratio then says little.

Every address is in 198.18.0.0/15, inside the namespace this script
creates and deletes; every process is started with a timeout and stopped
by its PID.  Writes one JSON document (--out).

Usage: flood_bench.py --build DIR --out FILE [--seconds S] [--skip-linux]
           [--workers N] [--scaling] [--smoke]
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRV, CLI = "198.18.0.1", "198.18.0.2"
LEVELS = (0, 25, 50, 100, 200)
EAL_GEN = ["-l", "0", "--no-huge", "-m", "512", "--no-shconf", "--no-pci",
           "--log-level=lib.eal:warning", "--log-level=pmd.net.memif:error",
           "--no-telemetry"]
EAL_SG = ["-l", "0,1", "--no-huge", "-m", "512", "--no-shconf", "--no-pci",
          "--log-level=lib.eal:warning", "--log-level=pmd.net.memif:error"]
WORKERS_MAX = 8		# synflood --queues 1..8


def worker_cpus(workers):
    """The CPU of each syngated worker: CPU 1, 2, ... (core 0 is the
    generator's and syngated's main lcore's), round-robin over the CPUs
    there are."""
    cpus = sorted(os.sched_getaffinity(0))
    others = [c for c in cpus if c != 0] or [0]
    return [others[k % len(others)] for k in range(workers)]


def eal_sg(workers):
    """syngated's EAL options: main lcore 0 on CPU 0, worker lcore k on
    worker_cpus()[k - 1] (--lcores lets two lcores share a CPU)."""
    if workers == 1:
        return EAL_SG
    cpus = worker_cpus(workers)
    lcores = ",".join(["0@0"] + ["%d@%d" % (k + 1, c)
                                  for k, c in enumerate(cpus)])
    return ["--lcores", lcores] + EAL_SG[2:]


def log(*a):
    print(*a, flush=True)


def counters(line):
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)(?=\s|$)", line)}


def proc_cpu(pid):
    """utime + stime of a process, seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_busy(cpu):
    """Busy jiffies of one CPU (everything but idle and iowait)."""
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("cpu%d " % cpu):
                v = [int(x) for x in line.split()[1:]]
                return (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")
    return 0.0


def stop(p, grace=15):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


class Run:
    """synflood (one side) and syngated (the other), both bounded."""

    def __init__(self, build, tmp):
        self.build, self.tmp, self.n = build, tmp, 0

    def pair(self, gen_args, sg_args, seconds, gen_vdev, sg_vdev,
             sg_prefix=(), wait_sg=0.0, workers=1):
        self.n += 1
        if workers > 1:
            gen_args = gen_args + ["--queues", str(workers)]
        gj = os.path.join(self.tmp, "gen%d.json" % self.n)
        sglog = open(os.path.join(self.tmp, "sg%d.log" % self.n), "w+")
        gen_cmd = (["timeout", "-k", "5", str(int(seconds + 40)),
                    os.path.join(self.build, "bench/synflood")] + EAL_GEN +
                   ["--file-prefix", "sgbg%d_%d" % (os.getpid(), self.n),
                    "--vdev=" + gen_vdev, "--", "--dst", SRV,
                    "--duration", str(seconds), "--json", gj] + gen_args)
        sg_cmd = (list(sg_prefix) +
                  ["timeout", "-k", "5", str(int(seconds + 60)),
                   os.path.join(self.build, "app/syngated/syngated")] +
                  eal_sg(workers) +
                  ["--file-prefix", "sgbs%d_%d" % (os.getpid(), self.n),
                   "--vdev=" + sg_vdev, "--", "--addr", SRV + "/15",
                   "--listen", "8080", "--stats", "0"] + sg_args)
        gen = sg = None
        try:
            if wait_sg:
                sg = subprocess.Popen(sg_cmd, stdout=sglog,
                                      stderr=subprocess.STDOUT)
                time.sleep(wait_sg)
            gen = subprocess.Popen(gen_cmd, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
            if sg is None:
                time.sleep(0.5)
                sg = subprocess.Popen(sg_cmd, stdout=sglog,
                                      stderr=subprocess.STDOUT)
            busy0, t0 = cpu_busy(1), time.monotonic()
            out, _ = gen.communicate(timeout=seconds + 45)
            busy1, t1 = cpu_busy(1), time.monotonic()
        finally:
            # memif: the server (synflood) is gone first, as DPDK 22.11's
            # memif wants; then syngated.
            if gen is not None and gen.poll() is None:
                gen.kill()
                gen.wait()
            if sg is not None:
                stop(sg)
        sglog.seek(0)
        sgout = sglog.read()
        sglog.close()
        final = [ln for ln in sgout.splitlines() if ln.startswith("final ")]
        res = json.load(open(gj)) if os.path.exists(gj) else {}
        res["progress"] = [ln for ln in out.splitlines()
                           if ln.startswith("t=")]
        res["syngated"] = counters(final[-1]) if final else {}
        # "worker K: rx_pkts=... syn_in=..." at exit, with 2+ workers.
        res["workers"] = [counters(ln.split(":", 1)[1])
                          for ln in sgout.splitlines()
                          if re.match(r"worker \d+: ", ln)]
        res["n_workers"] = workers
        res["cpu1_busy_s"] = round(busy1 - busy0, 3)
        res["wall_s"] = round(t1 - t0, 3)
        m = re.search(r"TSC ([0-9.]+) GHz", out)
        res["tsc_ghz"] = float(m.group(1)) if m else None
        if not res.get("legit"):
            log(out[-2000:])
            log(sgout[-2000:])
        return res


def memif(tmp, n):
    sock = os.path.join(tmp, "memif%d.sock" % n)
    return ("net_memif0,role=server,socket=%s" % sock,
            "net_memif0,role=client,socket=%s" % sock)


def answered(c):
    """SYN-ACKs a worker (or all) sent: stateful and cookies."""
    return c.get("synack_out", 0) + c.get("cookies_sent", 0)


def summary(tag, r):
    lg = r.get("legit", {})
    log("  %-10s flood %8s pps delivered %8.0f answered %8.0f  legit "
        "%4d/%4d ok (%.1f %%)  connect p50 %s p99 %s ms" % (
            tag, r.get("offered", {}).get("syn_pps"),
            r.get("flood_delivered_pps", 0), r.get("synack_flood_pps", 0),
            lg.get("ok", 0), lg.get("started", 0),
            lg.get("success_pct") or 0, lg.get("connect_p50_ms"),
            lg.get("connect_p99_ms")))
    for k, w in enumerate(r.get("workers", [])):
        log("  %-10s worker %d: syn_in %d answered %d accepted %d" % (
            "", k, w.get("syn_in", 0), answered(w), w.get("accepted", 0)))
    if r.get("workers"):
        sg = r.get("syngated", {})
        log("  %-10s all %d:    syn_in %d answered %d accepted %d" % (
            "", len(r["workers"]), sg.get("syn_in", 0), answered(sg),
            sg.get("accepted", 0)))


def capacity(r):
    """SYNs a second the workers could answer, each on its own core: the
    TSC rate over each worker's busy cycles per SYN (memif I/O
    included), summed; None without the counters."""
    ghz = r.get("tsc_ghz")
    per = r.get("workers") or [r.get("syngated", {})]
    if not ghz or not all(w.get("syn_in") and w.get("busy_cycles")
                          for w in per):
        return None
    return int(sum(ghz * 1e9 * w["syn_in"] / w["busy_cycles"] for w in per))


def calibrate(run, tmp, seconds, legit, workers, n):
    """--syn-rate max over memif with that many workers."""
    g, s = memif(tmp, n)
    log("== calibrate: --syn-rate max over memif, %d worker(s), %.0f s" % (
        workers, seconds))
    cal = run.pair(["--syn-rate", "max", "--legit-rate", str(legit),
                    "--request"], ["--service", "http"], seconds, g, s,
                   workers=workers)
    summary("max", cal)
    return cal


def memif_runs(run, tmp, seconds, legit, workers):
    out = {"workers": workers}
    cal = calibrate(run, tmp, seconds, legit, workers, 0)
    out["calibration"] = cal
    out["max_answered_pps"] = int(cal.get("synack_flood_pps", 0))
    # What the worker cores can answer: the TSC rate over each worker's
    # own cycles per SYN under that load (busy_cycles counts the polls
    # that received, memif I/O included).  The generator on the other
    # core may not reach it; the sweep then shows offered vs delivered.
    sg = cal.get("syngated", {})
    cap = max(out["max_answered_pps"], capacity(cal) or 0)
    if sg.get("syn_in") and sg.get("busy_cycles"):
        out["worker_cycles_per_syn_under_max"] = round(
            sg["busy_cycles"] / sg["syn_in"], 1)
    out["capacity_pps"] = cap
    log("  capacity of %d worker(s): %d SYN/s (%s cycles per SYN)" % (
        workers, cap, out.get("worker_cycles_per_syn_under_max")))
    out["sweep"] = []
    log("== sweep: flood at %s %% of %d pps, %d legitimate conn/s with a "
        "request" % (LEVELS, cap, legit))
    for lvl in LEVELS:
        g, s = memif(tmp, lvl + 1)
        rate = cap * lvl // 100
        r = run.pair(["--syn-rate", str(rate), "--legit-rate", str(legit),
                      "--request"], ["--service", "http"], seconds, g, s,
                     workers=workers)
        r["level_pct"] = lvl
        summary("%d %%" % lvl, r)
        out["sweep"].append(r)
    log("== limits: 100 %% flood, --backlog 4 --conn-max 64, 2000 conn/s")
    g, s = memif(tmp, 999)
    r = run.pair(["--syn-rate", str(cap), "--legit-rate", "2000",
                  "--request"], ["--service", "http", "--backlog", "4",
                                 "--conn-max", "64"], seconds, g, s,
                 workers=workers)
    summary("limits", r)
    out["limits"] = r
    return out


def scaling(run, tmp, seconds, legit):
    """The calibration with 1, then 2 workers, and the ratios."""
    out = {"cpus": sorted(os.sched_getaffinity(0)),
           "worker_cpus_2": worker_cpus(2)}
    if len(set(worker_cpus(2))) < 2:
        log("note: CPUs %s: the 2 workers share CPU %s, the ratio measures "
            "sharing, not scaling" % (out["cpus"], worker_cpus(2)[0]))
    for n in (1, 2):
        cal = calibrate(run, tmp, seconds, legit, n, n)
        out["workers_%d" % n] = cal
    one, two = out["workers_1"], out["workers_2"]
    a1, a2 = one.get("synack_flood_pps", 0), two.get("synack_flood_pps", 0)
    c1, c2 = capacity(one), capacity(two)
    out["answered_ratio"] = round(a2 / a1, 3) if a1 else None
    out["capacity_ratio"] = round(c2 / c1, 3) if c1 and c2 else None
    log("== scaling: SYN-ACKs back %.0f/s with 1 worker, %.0f/s with 2: "
        "x%s; capacity from busy cycles %s and %s SYN/s: x%s" % (
            a1, a2, out["answered_ratio"], c1, c2, out["capacity_ratio"]))
    return out


def sh(*cmd, check=True):
    return subprocess.run(list(cmd), check=check, timeout=30,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True).stdout


def nstat(ns):
    out = sh("ip", "netns", "exec", ns, "nstat", "-az", check=False)
    keep = ("TcpExtSyncookiesSent", "TcpExtSyncookiesRecv",
            "TcpExtSyncookiesFailed", "TcpExtListenOverflows",
            "TcpExtListenDrops", "TcpExtTCPReqQFullDoCookies",
            "TcpExtTCPReqQFullDrop", "TcpPassiveOpens")
    return {k: int(v) for k, v in re.findall(r"^(\w+)\s+(\d+)", out, re.M)
            if k in keep}


def linux_runs(run, seconds, legit, rate):
    ns, vh, vn = "sgbk%d" % os.getpid(), "sgbv%d" % (os.getpid() % 10000), \
        "sgbn%d" % (os.getpid() % 10000)
    out = {}
    srcnet = "198.18.128.0/23"	# 510 spoofed hosts: the kernel's ARP table holds them
    flood = ["--syn-rate", str(rate), "--legit-rate", str(legit), "--request",
             "--src-net", srcnet]
    server = None
    try:
        sh("ip", "netns", "add", ns)
        sh("ip", "link", "add", vh, "type", "veth", "peer", "name", vn)
        sh("ip", "link", "set", vn, "netns", ns)
        for c in (["sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1"],
                  ["sysctl", "-qw", "net.ipv4.tcp_syncookies=1"],
                  ["sysctl", "-qw", "net.core.somaxconn=4096"],
                  ["ip", "link", "set", "lo", "up"],
                  ["ip", "addr", "add", SRV + "/15", "dev", vn],
                  ["ip", "link", "set", vn, "up"],
                  ["sh", "-c", "echo 2 > /sys/class/net/%s/queues/rx-0/rps_cpus"
                   % vn]):
            sh("ip", "netns", "exec", ns, *c)
        sh("sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % vh, check=False)
        sh("ip", "link", "set", vh, "up")
        sh("sh", "-c", "echo 1 > /sys/class/net/%s/queues/rx-0/rps_cpus" % vh)
        out["kernel_sysctls"] = {
            k: sh("ip", "netns", "exec", ns, "sysctl", "-n", k).strip()
            for k in ("net.ipv4.tcp_syncookies", "net.ipv4.tcp_max_syn_backlog",
                      "net.core.somaxconn", "net.ipv4.tcp_synack_retries")}
        server = subprocess.Popen(
            ["timeout", "-k", "5", str(int(seconds + 60)), "ip", "netns", "exec",
             ns, "taskset", "-c", "1", sys.executable,
             os.path.join(HERE, "kernel_server.py"), "--addr", SRV,
             "--max-seconds", str(seconds + 50)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        time.sleep(1)
        n0 = nstat(ns)
        log("== linux: kernel listener (tcp_syncookies=1) over veth, flood "
            "%s pps from %s" % (rate, srcnet))
        k = kernel_gen(run, flood, seconds, vh)
        n1 = nstat(ns)
        stop(server)
        server = None
        k["nstat"] = {x: n1.get(x, 0) - n0.get(x, 0) for x in n1}
        summary("kernel", k)
        out["kernel"] = k
        # (b) syngated on its own DPDK path, memif, same generator and
        # load; its core 1 runs only the worker.
        log("== linux side-by-side: syngated over memif, same load")
        g, sv = memif(run.tmp, 5000)
        s = run.pair(flood, ["--service", "http"], seconds, g, sv)
        summary("syngated", s)
        out["syngated"] = s
        # (b') syngated on the namespace's end of the same veth through
        # net_af_packet (the kernel's address removed so only syngated
        # answers): the same link, but every frame crosses the kernel's
        # packet socket both ways.
        sh("ip", "netns", "exec", ns, "ip", "addr", "flush", "dev", vn)
        log("== linux side-by-side: syngated via net_af_packet on the same "
            "veth, same load")
        s2 = run.pair(flood, ["--service", "http"], seconds,
                      "net_af_packet0,iface=" + vh,
                      "net_af_packet0,iface=%s" % vn,
                      sg_prefix=["ip", "netns", "exec", ns], wait_sg=2.0)
        summary("sg af_pkt", s2)
        out["syngated_af_packet"] = s2
    finally:
        if server is not None:
            stop(server)
        sh("ip", "netns", "del", ns, check=False)
        sh("ip", "link", "del", vh, check=False)
    for tag in ("kernel", "syngated", "syngated_af_packet"):
        r = out.get(tag, {})
        ans = r.get("rx", {}).get("synack_flood", 0)
        busy = r.get("cpu1_busy_s") or 0
        r["synacks_per_cpu_s"] = round(ans / busy) if busy else None
        if r.get("tsc_ghz") and ans:
            r["cycles_per_syn_cpu1"] = round(busy * r["tsc_ghz"] * 1e9 / ans, 1)
    k, s = out.get("kernel", {}), out.get("syngated", {})
    if k.get("cycles_per_syn_cpu1") and s.get("cycles_per_syn_cpu1"):
        out["kernel_over_syngated_cycles"] = round(
            k["cycles_per_syn_cpu1"] / s["cycles_per_syn_cpu1"], 2)
    for tag in ("syngated", "syngated_af_packet"):
        sgc = out.get(tag, {}).get("syngated", {})
        if sgc.get("syn_in"):
            out[tag]["worker_cycles_per_syn"] = round(
                sgc["busy_cycles"] / sgc["syn_in"], 1)
    return out


def ratios(res):
    """The kernel's cycles per SYN over syngated's, two ways, both from
    this run: (1) side by side, the same offered load, busy time of core
    1 each (syngated's worker is then below its capacity: its polls carry
    few frames and the memif polling of an almost empty ring is charged
    to the SYNs); (2) at capacity, each receiving core saturated: the
    kernel's core 1 in (a) is busy all the time, syngated's worker under
    --syn-rate max in the calibration (its busy cycles per SYN)."""
    lx = res["linux"]
    k = lx.get("kernel", {}).get("cycles_per_syn_cpu1")
    if lx.get("kernel_over_syngated_cycles"):
        log("  Linux / syngated cycles per SYN, same offered load: %.1fx "
            "(%s / %s)" % (lx["kernel_over_syngated_cycles"], k,
                           lx["syngated"].get("cycles_per_syn_cpu1")))
    cap = res.get("memif", {}).get("worker_cycles_per_syn_under_max")
    kr = lx.get("kernel", {})
    # Busy seconds of core 1 over the flood's seconds (the run's wall
    # time adds the generator's start and stop).
    busy = kr.get("cpu1_busy_s", 0) / res["seconds_per_run"]
    lx["kernel_cpu1_busy_per_flood_s"] = round(busy, 3)
    if busy < 0.9:
        log("  the kernel's core 1 was busy %.0f %% of the flood's time: "
            "not saturated, no ratio at capacity" % (100 * busy))
    elif k and cap:
        lx["kernel_over_syngated_at_capacity"] = round(k / cap, 2)
        log("  Linux / syngated cycles per SYN, each core saturated: %.1fx "
            "(%s / %s)" % (k / cap, k, cap))


def kernel_gen(run, flood, seconds, vh):
    """synflood alone against the kernel (no syngated)."""
    run.n += 1
    gj = os.path.join(run.tmp, "gen%d.json" % run.n)
    cmd = (["timeout", "-k", "5", str(int(seconds + 40)),
            os.path.join(run.build, "bench/synflood")] + EAL_GEN +
           ["--file-prefix", "sgbg%d_%d" % (os.getpid(), run.n),
            "--vdev=net_af_packet0,iface=" + vh, "--", "--dst", SRV,
            "--duration", str(seconds), "--json", gj] + flood)
    busy0, t0 = cpu_busy(1), time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=seconds + 45)
    busy1, t1 = cpu_busy(1), time.monotonic()
    res = json.load(open(gj)) if os.path.exists(gj) else {}
    res["progress"] = [ln for ln in p.stdout.splitlines() if ln.startswith("t=")]
    res["cpu1_busy_s"] = round(busy1 - busy0, 3)
    res["wall_s"] = round(t1 - t0, 3)
    m = re.search(r"TSC ([0-9.]+) GHz", p.stdout)
    res["tsc_ghz"] = float(m.group(1)) if m else None
    if not res.get("legit"):
        log(p.stdout[-2000:])
    return res


def smoke(a):
    """CI: synflood and syngated over memif for a second; the generator's
    figures must show the flood answered and every legitimate client in
    (and, with --workers 2+, every worker fed and answering)."""
    with tempfile.TemporaryDirectory(prefix="sg-flood.") as tmp:
        run = Run(os.path.abspath(a.build), tmp)
        g, s = memif(tmp, 0)
        r = run.pair(["--syn-rate", "50000", "--ack-rate", "5000",
                      "--rst-rate", "5000", "--legit-rate", "100",
                      "--request"], ["--service", "http"], 1.5, g, s,
                     workers=a.workers)
    summary("smoke", r)
    lg, sg, wk = r.get("legit", {}), r.get("syngated", {}), r["workers"]
    checks = [
        ("legitimate clients started", lg.get("started", 0) >= 50),
        ("every legitimate client completed", lg.get("ok") == lg.get("started")),
        # In proportion to what the generator got out: on a loaded
        # machine both ends slow down together (a fixed count failed).
        ("flood answered (SYN-ACKs back for >= 50 % of the SYNs sent)",
         r.get("sent", {}).get("syn", 0) >= 1000 and
         r.get("rx", {}).get("synack_flood", 0) >=
         r.get("sent", {}).get("syn", 0) // 2),
        ("syngated counted the ACK flood as cookie failures or no-flow",
         sg.get("cookies_failed", 0) + sg.get("drop_no_flow", 0) > 0),
        ("syngated's final line present", bool(sg)),
        ("progress lines printed", len(r.get("progress", [])) >= 1),
    ]
    if a.workers > 1:
        # No rates: on a loaded machine the workers may share a CPU.
        checks += [
            ("a line from each of the %d workers" % a.workers,
             len(wk) == a.workers),
            ("every worker received SYNs (syn_in > 0)",
             len(wk) == a.workers and all(w.get("syn_in", 0) > 0
                                          for w in wk)),
            ("every worker answered (SYN-ACKs or cookies > 0)",
             len(wk) == a.workers and all(answered(w) > 0 for w in wk)),
            ("the generator got replies on every queue",
             len(r.get("rx_per_queue", [])) == a.workers and
             all(n > 0 for n in r["rx_per_queue"])),
        ]
    bad = 0
    for name, ok in checks:
        log("  %s: %s" % ("ok" if ok else "FAIL", name))
        bad += not ok
    json.dump(r, open(a.out, "w"), indent=1)
    return 1 if bad else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, default=4.0)
    ap.add_argument("--legit-rate", type=int, default=200)
    ap.add_argument("--linux-rate", default="max")
    ap.add_argument("--skip-linux", action="store_true")
    ap.add_argument("--skip-memif", action="store_true")
    ap.add_argument("--smoke", action="store_true",
                    help="one 1-second memif run, checked (CI)")
    ap.add_argument("--workers", type=int, default=1,
                    help="syngated workers = memif queue pairs, 1..%d "
                    "(1)" % WORKERS_MAX)
    ap.add_argument("--scaling", action="store_true",
                    help="only the calibration, with 1 then 2 workers, "
                    "and the ratio")
    a = ap.parse_args()
    if not 1 <= a.seconds <= 30:
        sys.exit("flood_bench: --seconds: accepted 1..30")
    if not 1 <= a.workers <= WORKERS_MAX:
        sys.exit("flood_bench: --workers: accepted 1..%d" % WORKERS_MAX)
    if os.geteuid() != 0:
        sys.exit("flood_bench: needs root (namespaces, veth)")
    res = {"seconds_per_run": a.seconds, "legit_cps": a.legit_rate}
    if a.smoke:
        return smoke(a)
    with tempfile.TemporaryDirectory(prefix="sg-flood.") as tmp:
        run = Run(os.path.abspath(a.build), tmp)
        if a.scaling:
            res["scaling"] = scaling(run, tmp, a.seconds, a.legit_rate)
        elif not a.skip_memif:
            res["memif"] = memif_runs(run, tmp, a.seconds, a.legit_rate,
                                      a.workers)
        if not a.skip_linux and not a.scaling:
            res["linux"] = linux_runs(run, a.seconds, a.legit_rate,
                                      a.linux_rate)
            ratios(res)
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1)
    log("wrote", a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
