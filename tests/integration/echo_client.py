#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Echo/discard client for syngated's kernel tests (standard library only).

echo:    send SIZE random bytes (a reader thread drains the echo at the same
         time), then shutdown(SHUT_WR) -- a half-close -- and keep reading
         until the server's FIN; the SHA-256 of what came back must match.
discard: send SIZE bytes, half-close, expect the server's FIN and no data.
Bounded by --deadline seconds.  Exit 0 only if everything matched.
"""
import argparse
import hashlib
import ipaddress
import os
import socket
import sys
import threading
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--size", type=int, default=20 << 20)
    ap.add_argument("--mode", choices=["echo", "discard"], default="echo")
    ap.add_argument("--deadline", type=float, default=60.0)
    a = ap.parse_args()

    # Safety: only the ranges the test namespaces own.
    host = ipaddress.ip_address(a.host)
    nets = (ipaddress.ip_network("198.18.0.0/15"), ipaddress.ip_network("2001:db8::/32"))
    if not any(host.version == n.version and host in n for n in nets):
        sys.exit("echo_client: refusing target outside 198.18.0.0/15 and 2001:db8::/32")

    data = os.urandom(a.size)
    want = hashlib.sha256(data).hexdigest()
    s = socket.create_connection((a.host, a.port), timeout=10)
    s.settimeout(a.deadline)
    got = hashlib.sha256()
    count = [0]
    err = []

    def reader():
        try:
            while True:
                b = s.recv(1 << 16)
                if not b:
                    return
                got.update(b)
                count[0] += len(b)
        except Exception as e:  # noqa: BLE001 - reported below
            err.append(e)

    t = threading.Thread(target=reader)
    t.start()
    t0 = time.monotonic()
    view = memoryview(data)
    off = 0
    while off < len(data):
        off += s.send(view[off:off + (1 << 16)])
    s.shutdown(socket.SHUT_WR)
    t.join(a.deadline)
    secs = time.monotonic() - t0
    s.close()
    if t.is_alive() or err:
        print(f"{a.mode}: FAIL reader {'stuck' if t.is_alive() else err}")
        return 1
    if a.mode == "echo":
        ok = count[0] == a.size and got.hexdigest() == want
        print(f"echo: sent={a.size} received={count[0]} "
              f"sha256_match={got.hexdigest() == want} "
              f"seconds={secs:.2f} MBps={a.size / secs / 1e6:.1f}")
    else:
        ok = count[0] == 0
        print(f"discard: sent={a.size} received={count[0]} "
              f"seconds={secs:.2f} MBps={a.size / secs / 1e6:.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
