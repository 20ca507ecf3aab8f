#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The library's layering holds (docs/architecture.md, "Modules"):

 - no call cycle among lib/ modules: a module uses a symbol only another
   defines (nm of the built objects) => an arrow; the arrows form no cycle;
 - no include cycle among lib/ and include/ headers;
 - the shared library exports sg_* symbols only.

Usage: check_layers.py SRCDIR SHARED_LIB (its objects are in
SHARED_LIB.p, as meson builds them).  Prints the layers."""
import os
import re
import subprocess
import sys


def sccs(nodes, edges):
    index, low, on, stack, out, n = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)
    sys.setrecursionlimit(10000)
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return [c for c in out if len(c) > 1]


def nm(path, *flags):
    return subprocess.run(["nm", *flags, path], capture_output=True,
                          text=True, check=True).stdout.splitlines()


def main():
    src, shared = sys.argv[1:3]
    objdir = shared + ".p"
    fail = False
    # calls
    defs, uses = {}, {}
    for o in sorted(os.listdir(objdir)):
        if not o.endswith(".o"):
            continue
        m = o.split(".")[0]
        uses[m] = set()
        for line in nm(os.path.join(objdir, o)):
            p = line.split()
            if len(p) == 2 and p[0] == "U":
                uses[m].add(p[1])
            elif len(p) == 3 and p[1] in "TDBRG":
                defs[p[2]] = m
    if len(uses) < 10:
        print(f"{objdir}: {len(uses)} objects: not the library's")
        return 1
    edges = {m: {defs[s] for s in u if s in defs and defs[s] != m}
             for m, u in uses.items()}
    for c in sccs(uses, edges):
        fail = True
        print("call cycle:", " <-> ".join(sorted(c)))
    layer = {}

    def depth(m, seen=()):
        if m not in layer:
            layer[m] = 1 + max((depth(t, seen + (m,)) for t in edges[m]
                                if t not in seen), default=0)
        return layer[m]
    for m in uses:
        depth(m)
    for lv in sorted(set(layer.values())):
        print(f"layer {lv}:", " ".join(sorted(m for m in layer
                                              if layer[m] == lv)))
    # includes
    inc = {}
    hdrs = {}
    for d in ("lib", "include"):
        for f in os.listdir(os.path.join(src, d)):
            if f.endswith(".h"):
                hdrs[f] = os.path.join(src, d, f)
    for h, path in hdrs.items():
        with open(path) as fh:
            inc[h] = {x for x in re.findall(r'^#include "([^"]+)"',
                                             fh.read(), re.M) if x in hdrs}
    for c in sccs(hdrs, inc):
        fail = True
        print("include cycle:", " <-> ".join(sorted(c)))
    # exports
    bad = [ln.split()[-1] for ln in nm(shared, "-D", "--defined-only")
           if not ln.split()[-1].startswith("sg_")]
    if bad:
        fail = True
        print("exported beyond sg_*:", " ".join(bad[:20]))
    print("FAIL" if fail else "OK: no call or include cycle; only sg_* "
          "exported")
    return 1 if fail else 0


if __name__ == "__main__":
    sys.exit(main())
