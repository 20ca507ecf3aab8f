#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Real kernel TCP clients for the syngated integration test.

Opens N connections to HOST:PORT with non-blocking connect(), at most
PARALLEL in flight, each bounded by a per-connect timeout and the whole run
by an overall deadline.  A connection counts as ok when connect() completes
(the three-way handshake is done); the socket is then closed at once with
SO_LINGER 0.  A server that resets the connection right after accepting it
can beat the client to its wake-up, so connect() then reports ECONNRESET;
Linux gives ECONNRESET only for a RST received after ESTABLISHED (a RST
answering the SYN is ECONNREFUSED), so that also counts as a completed
handshake, reported as reset_after_connect.  Prints `ok=N failed=M` plus connect latency percentiles and
exits non-zero unless every connect succeeded.  Standard library only.
"""
import argparse
import errno
import ipaddress
import selectors
import socket
import struct
import sys
import time

LINGER0 = struct.pack("ii", 1, 0)


def pct(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    k = min(len(sorted_vals) - 1, max(0, int(round(p / 100.0 * (len(sorted_vals) - 1)))))
    return sorted_vals[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--host", default="198.18.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--src", default=None, help="source address to bind")
    ap.add_argument("-n", "--count", type=int, default=300)
    ap.add_argument("-p", "--parallel", type=int, default=20)
    ap.add_argument("--timeout", type=float, default=10.0, help="per connect, seconds")
    ap.add_argument("--deadline", type=float, default=60.0, help="whole run, seconds")
    a = ap.parse_args()

    # Safety: only ever talk to the benchmarking range (or the IPv6
    # documentation range) the test namespace owns.
    host = ipaddress.ip_address(a.host)
    nets = (ipaddress.ip_network("198.18.0.0/15"), ipaddress.ip_network("2001:db8::/32"))
    if not any(host.version == n.version and host in n for n in nets):
        sys.exit("tcp_clients: refusing target outside 198.18.0.0/15 and 2001:db8::/32")
    family = socket.AF_INET6 if host.version == 6 else socket.AF_INET
    if a.count < 1 or a.parallel < 1:
        sys.exit("tcp_clients: count and parallel must be >= 1")

    sel = selectors.DefaultSelector()
    start = time.monotonic()
    end = start + a.deadline
    pending = {}  # fd -> (sock, t0)
    launched = ok = failed = reset_after = 0
    lat = []
    errs = {}

    def fail(reason):
        nonlocal failed
        failed += 1
        errs[reason] = errs.get(reason, 0) + 1

    def finish(s, t0, err):
        nonlocal ok, reset_after
        if err in (0, errno.ECONNRESET):
            ok += 1
            reset_after += err == errno.ECONNRESET
            lat.append(time.monotonic() - t0)
        else:
            fail(errno.errorcode.get(err, str(err)))
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER0)
        except OSError:
            pass
        s.close()

    while (launched < a.count or pending) and time.monotonic() < end:
        while launched < a.count and len(pending) < a.parallel:
            launched += 1
            s = socket.socket(family, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                if a.src:
                    s.bind((a.src, 0))
                t0 = time.monotonic()
                err = s.connect_ex((a.host, a.port))
            except OSError as e:
                s.close()
                fail(errno.errorcode.get(e.errno, str(e.errno)))
                continue
            if err == errno.EINPROGRESS:
                pending[s.fileno()] = (s, t0)
                sel.register(s, selectors.EVENT_WRITE)
            else:
                finish(s, t0, err)
        wait = max(0.0, min(0.1, end - time.monotonic()))
        for key, _ in sel.select(timeout=wait):
            s, t0 = pending.pop(key.fd)
            sel.unregister(s)
            finish(s, t0, s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR))
        now = time.monotonic()
        for fd, (s, t0) in list(pending.items()):
            if now - t0 > a.timeout:
                del pending[fd]
                sel.unregister(s)
                finish(s, t0, errno.ETIMEDOUT)

    for fd, (s, t0) in list(pending.items()):
        sel.unregister(s)
        finish(s, t0, errno.ETIMEDOUT)
    failed += a.count - launched  # never started: deadline passed
    if a.count - launched:
        errs["not_started"] = a.count - launched

    lat.sort()
    ms = [x * 1000.0 for x in lat]
    line = "ok=%d failed=%d reset_after_connect=%d elapsed=%.2fs p50_ms=%.2f p99_ms=%.2f max_ms=%.2f" % (
        ok, failed, reset_after, time.monotonic() - start, pct(ms, 50), pct(ms, 99),
        ms[-1] if ms else float("nan"))
    if errs:
        line += " errors=" + ",".join("%s:%d" % kv for kv in sorted(errs.items()))
    print(line, flush=True)
    return 0 if ok == a.count and failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
