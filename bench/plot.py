#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Plots of a bench/run.sh result file: legitimate success rate and connect
latency against the flood rate (the memif sweep), and cycles per SYN of
the kernel and syngated (the side-by-side).

Usage: plot.py RESULT.json PREFIX   -> PREFIX-success.png, PREFIX-latency.png,
                                       PREFIX-linux.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    res = json.load(open(sys.argv[1]))
    prefix = sys.argv[2]
    fl = res.get("flood", {})
    mem = fl.get("memif", {})
    sweep = mem.get("sweep", [])
    cap = mem.get("capacity_pps", 0)
    title = "%s, %s" % (res.get("cpu", "?"), res.get("date", "?"))
    if sweep:
        lvl = [r["level_pct"] for r in sweep]
        succ = [r["legit"].get("success_pct") or 0 for r in sweep]
        deliv = [r.get("flood_delivered_pps", 0) / 1e6 for r in sweep]
        fig, ax = plt.subplots(figsize=(7, 4.2))
        ax.plot(lvl, succ, "o-", label="legitimate connections completed")
        ax.set_xlabel("SYN flood offered, %% of one worker's capacity "
                      "(%.2f Mpps)" % (cap / 1e6))
        ax.set_ylabel("success rate, %")
        ax.set_ylim(0, 105)
        ax.grid(True, alpha=0.3)
        for x, y, d in zip(lvl, succ, deliv):
            ax.annotate("%.2f Mpps in" % d, (x, y), textcoords="offset points",
                        xytext=(0, -14), ha="center", fontsize=7)
        ax.set_title("syngated under SYN flood (memif)\n" + title, fontsize=9)
        ax.legend(loc="lower left", fontsize=8)
        fig.tight_layout()
        fig.savefig(prefix + "-success.png", dpi=110)

        fig, ax = plt.subplots(figsize=(7, 4.2))
        for key, lab, st in (("connect_p50_ms", "connect p50", "o-"),
                             ("connect_p99_ms", "connect p99", "s--"),
                             ("response_p50_ms", "response p50", "^-"),
                             ("response_p99_ms", "response p99", "v--")):
            ys = [r["legit"].get(key) for r in sweep]
            ax.plot(lvl, [y if y is not None else float("nan") for y in ys],
                    st, label=lab)
        ax.set_yscale("log")
        ax.set_xlabel("SYN flood offered, % of one worker's capacity")
        ax.set_ylabel("latency, ms (log)")
        ax.grid(True, which="both", alpha=0.3)
        ax.set_title("legitimate clients' latency under SYN flood\n" + title,
                     fontsize=9)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(prefix + "-latency.png", dpi=110)
    lx = fl.get("linux", {})
    bars = [(n, lx.get(k, {}).get("cycles_per_syn_cpu1"))
            for n, k in (("Linux\n(veth, syncookies)", "kernel"),
                         ("syngated\n(memif)", "syngated"),
                         ("syngated\n(af_packet on veth)",
                          "syngated_af_packet"))]
    bars = [(n, v) for n, v in bars if v]
    if bars:
        fig, ax = plt.subplots(figsize=(7, 4.2))
        ax.bar([n for n, _ in bars], [v for _, v in bars],
               color=["#999999", "#2a7ab9", "#8fb8de"][:len(bars)])
        ax.set_yscale("log")
        ax.set_ylabel("CPU cycles per SYN answered (receiving core, log)")
        for i, (_, v) in enumerate(bars):
            ax.annotate("%.0f" % v, (i, v), textcoords="offset points",
                        xytext=(0, 3), ha="center", fontsize=8)
        ax.set_title("SYN flood: cost per SYN, same generator\n" + title,
                     fontsize=9)
        fig.tight_layout()
        fig.savefig(prefix + "-linux.png", dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main())
