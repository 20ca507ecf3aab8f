#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""
Mutation check for lib/: apply each curated single-line mutation
(tests/mutate/mutations.py) to a scratch copy of the tree, rebuild
incrementally, run the fast tests that can kill it, and report the kill
rate and the survivors.

The real tree is never modified: the sources are copied into a work
directory (default /var/tmp/sg-mutate; files whose content did not change
are left alone, so rebuilds stay incremental), which has its own meson
build.  A mutation whose
snippet is no longer found exactly once is reported as stale, not run.

  mutate.py [--quick] [--only ID,...] [--work DIR] [--out DIR]
            [--timeout S] [--list] [--check]

Default: each mutation runs its likely killers first, then the rest of
the fast suite until a test fails.  --quick: only its likely killers.
Exit status: 0 when the kill rate reaches --target (default 95), else 1.
"""
import argparse
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from mutations import MUTATIONS, KILLERS  # noqa: E402

SKIP_DIRS = {".git", "__pycache__"}


def log(*a):
    print(*a, flush=True)


def sync_tree(src, dst):
    """Copy src to dst, only files whose size or mtime differ; remove
    files dst has that src has not.  Build directories are skipped."""
    seen = set()
    for d, dirs, files in os.walk(src):
        rel = os.path.relpath(d, src)
        dirs[:] = [x for x in dirs if x not in SKIP_DIRS and
                   not (rel == "." and (x == "build" or
                                        x.startswith("build-")))]
        td = os.path.join(dst, rel)
        os.makedirs(td, exist_ok=True)
        seen.add(os.path.normpath(td))
        for f in files:
            s = os.path.join(d, f)
            t = os.path.join(td, f)
            seen.add(os.path.normpath(t))
            if os.path.islink(s):
                continue
            # Same content: leave it (and its mtime: no rebuild).
            # Else a fresh mtime, so ninja rebuilds whatever the scratch
            # copy held before (even a mutant left by a killed run).
            try:
                if os.path.getsize(s) == os.path.getsize(t):
                    with open(s, "rb") as a, open(t, "rb") as b:
                        if a.read() == b.read():
                            continue
            except FileNotFoundError:
                pass
            shutil.copyfile(s, t)
            shutil.copymode(s, t)
    for d, dirs, files in os.walk(dst):
        rel = os.path.relpath(d, dst)
        if rel == "." and "build" in dirs:
            dirs.remove("build")
        for f in files:
            p = os.path.normpath(os.path.join(d, f))
            if p not in seen:
                os.unlink(p)


def git(*args):
    try:
        return subprocess.run(["git", "-C", ROOT] + list(args),
                              capture_output=True, text=True,
                              check=True).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return "unknown"


class Runner:
    def __init__(self, work, timeout):
        self.src = os.path.join(work, "src")
        self.build = os.path.join(work, "build")
        self.timeout = timeout
        self.tests = {}		# fast test name -> ninja target

    def setup(self):
        sync_tree(ROOT, self.src)
        if not os.path.exists(os.path.join(self.build, "build.ninja")):
            r = subprocess.run(["meson", "setup", "-Dwerror=false",
                                self.build, self.src],
                               capture_output=True, text=True)
            if r.returncode != 0:
                sys.exit("mutate: meson setup failed:\n" + r.stdout +
                         r.stderr)
        r = subprocess.run(["meson", "introspect", "--tests", self.build],
                           capture_output=True, text=True, check=True)
        r2 = subprocess.run(["meson", "introspect", "--targets",
                             self.build],
                            capture_output=True, text=True, check=True)
        files = {x["id"]: x["filename"] for x in json.loads(r2.stdout)}
        for t in json.loads(r.stdout):
            if not any(x == "fast" or x.endswith(":fast")
                       for x in t["suite"]):
                continue
            exe = t["cmd"][0]
            if exe.startswith(self.build + os.sep):
                target = os.path.relpath(exe, self.build)
            else:		# a script (layers): what it checks
                target = " ".join(
                    os.path.relpath(f, self.build)
                    for d in t.get("depends", []) for f in files.get(d, []))
            self.tests[t["name"]] = target

    def ninja(self, tests):
        targets = sorted({x for t in tests for x in self.tests[t].split()})
        r = subprocess.run(["ninja", "-C", self.build] + targets,
                           capture_output=True, text=True)
        return r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]

    def run_test(self, name):
        """'pass', 'fail' or 'timeout'."""
        cmd = ["meson", "test", "-C", self.build, "--no-rebuild",
               "--suite", "fast", name]
        try:
            r = subprocess.run(cmd, capture_output=True, text=True,
                               timeout=self.timeout, start_new_session=True)
        except subprocess.TimeoutExpired:
            return "timeout"
        return "pass" if r.returncode == 0 else "fail"


def order(m, tests, quick):
    first = [t for t in KILLERS.get(m["file"], []) if t in tests]
    first += [t for t in m.get("tests", []) if t in tests and
              t not in first]
    if quick:
        return first
    return first + [t for t in sorted(tests) if t not in first]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true",
                    help="run only each mutation's likely killers")
    ap.add_argument("--only", default="",
                    help="comma-separated mutation ids")
    ap.add_argument("--work", default=os.environ.get(
        "SG_MUTATE_WORK", "/var/tmp/sg-mutate"))
    ap.add_argument("--timeout", type=int, default=300,
                    help="seconds per test run (a hang counts as killed)")
    ap.add_argument("--target", type=float, default=95.0)
    ap.add_argument("--out", default=None,
                    help="directory for report.{md,json} (the work dir)")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--check", action="store_true",
                    help="only check every snippet is found once")
    a = ap.parse_args()

    muts = MUTATIONS
    if a.only:
        ids = set(a.only.split(","))
        muts = [m for m in muts if m["id"] in ids]
    if a.list:
        for m in muts:
            log("%-22s %-14s %s" % (m["id"], m["file"], m["what"]))
        return 0

    def count(m, root):
        with open(os.path.join(root, "lib", m["file"])) as f:
            return f.read().count(m["old"])

    if a.check:
        bad = 0
        for m in muts:
            n = count(m, ROOT)
            if n != 1:
                bad += 1
                log("%s: %s found %d times" % (m["id"], m["file"], n))
        log("%d mutations, %d stale" % (len(muts), bad))
        return 1 if bad else 0

    commit = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--", "lib", "tests") != ""
    run = Runner(os.path.abspath(a.work), a.timeout)
    log("mutate: syncing the tree into %s" % a.work)
    run.setup()
    alltests = set(run.tests)
    used = set()
    for m in muts:
        used.update(order(m, alltests, a.quick))
    log("mutate: baseline build and tests (%d)" % len(used))
    ok, out = run.ninja(used)
    if not ok:
        sys.exit("mutate: the unmutated tree does not build:\n" + out)
    broken = set()
    for t in sorted(used):
        if run.run_test(t) != "pass":
            broken.add(t)
            log("mutate: %s fails unmutated: not used as a killer" % t)

    results = []
    current = {}

    def restore():
        if current:
            with open(current["path"], "w") as f:
                f.write(current["text"])
            current.clear()

    def on_signal(sig, frame):
        restore()
        log("\nmutate: interrupted; scratch tree restored")
        sys.exit(130)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    t_start = time.time()
    for i, m in enumerate(muts, 1):
        path = os.path.join(run.src, "lib", m["file"])
        with open(path) as f:
            text = f.read()
        res = {"id": m["id"], "file": m["file"], "what": m["what"],
               "old": m["old"], "new": m["new"]}
        n = text.count(m["old"])
        t0 = time.time()
        if n != 1:
            res["status"] = "stale"
            res["detail"] = "snippet found %d times" % n
        else:
            tests = [t for t in order(m, alltests, a.quick)
                     if t not in broken]
            current.update(path=path, text=text)
            try:
                with open(path, "w") as f:
                    f.write(text.replace(m["old"], m["new"], 1))
                # Build each test's program just before running it: a
                # mutant the first test kills relinks one program only.
                ok, out = run.ninja(tests[:1])
                if not ok:
                    res["status"] = "build-error"
                    res["detail"] = out[-600:]
                else:
                    res["status"] = "survived"
                    for t in tests:
                        ok, out = run.ninja([t])
                        v = run.run_test(t) if ok else "build-error"
                        if v != "pass":
                            res["status"] = "killed"
                            res["detail"] = "%s: %s" % (t, v)
                            break
            finally:
                restore()
        if res["status"] == "survived" and m.get("equivalent"):
            res["status"] = "equivalent"
            res["detail"] = m["equivalent"]
        res["seconds"] = round(time.time() - t0, 1)
        results.append(res)
        log("[%2d/%d] %-9s %-24s %s" % (i, len(muts), res["status"],
                                         m["id"], res.get("detail", "")))
    # Leave the scratch build matching the sources for the next run.
    run.ninja(used)

    by = {}
    for r in results:
        by.setdefault(r["status"], []).append(r)
    killed = len(by.get("killed", []))
    counted = killed + len(by.get("survived", []))
    rate = 100.0 * killed / counted if counted else 0.0
    report = {
        "date": datetime.datetime.now(datetime.timezone.utc)
        .strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "dirty": dirty,
        "mode": "quick" if a.quick else "full",
        "mutations": len(results),
        "killed": killed,
        "survived": len(by.get("survived", [])),
        "equivalent": len(by.get("equivalent", [])),
        "stale": len(by.get("stale", [])),
        "build_error": len(by.get("build-error", [])),
        "kill_rate": round(rate, 1),
        "broken_baseline": sorted(broken),
        "minutes": round((time.time() - t_start) / 60, 1),
        "results": results,
    }
    out = a.out or a.work
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "report.json"), "w") as f:
        json.dump(report, f, indent=1)
    md = ["# Mutation report", "",
          "- date: %s" % report["date"],
          "- commit: %s%s" % (report["commit"],
                              " (lib/ or tests/ modified)" if report["dirty"] else ""),
          "- mode: %s, %d mutations, %.1f min" % (report["mode"],
                                                   len(results),
                                                   report["minutes"]),
          "- killed %d, survived %d, equivalent %d, stale %d, "
          "build errors %d" % (killed, report["survived"],
                               report["equivalent"], report["stale"],
                               report["build_error"]),
          "- kill rate: %.1f %% (killed / (killed + survived))" % rate, "",
          "| id | file | status | detail |", "| --- | --- | --- | --- |"]
    for r in results:
        md.append("| %s | %s | %s | %s |" % (
            r["id"], r["file"], r["status"],
            r.get("detail", "").replace("|", "/").replace("\n", " ")[:160]))
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    log("")
    log("killed %d / %d counted: %.1f %% (equivalent %d, stale %d, "
        "build errors %d)" % (killed, counted, rate, report["equivalent"],
                              report["stale"], report["build_error"]))
    for r in by.get("survived", []):
        log("SURVIVED %s (%s): %s" % (r["id"], r["file"], r["what"]))
    for r in by.get("stale", []):
        log("STALE    %s (%s): %s" % (r["id"], r["file"], r["detail"]))
    log("report: %s/report.{md,json}" % out)
    return 0 if rate >= a.target and not by.get("stale") else 1


if __name__ == "__main__":
    sys.exit(main())
