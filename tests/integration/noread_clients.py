#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Clients that send and never read (standard library only).

Opens --count connections to --host:--port with a tiny receive buffer, so
their windows close as soon as the server answers, sends up to --bytes on
each without blocking, then holds them all open for --hold seconds without
reading a byte, and closes them.  Prints how many connected and how many
bytes went out.  Bounded: every connect has a timeout, the whole run
--deadline seconds.
"""
import argparse
import ipaddress
import resource
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--bytes", type=int, default=65536)
    ap.add_argument("--hold", type=float, default=10.0)
    ap.add_argument("--deadline", type=float, default=60.0)
    ap.add_argument("--ready-file", help="touched once all are connected")
    a = ap.parse_args()

    host = ipaddress.ip_address(a.host)
    nets = (ipaddress.ip_network("198.18.0.0/15"), ipaddress.ip_network("2001:db8::/32"))
    if not any(host.version == n.version and host in n for n in nets):
        sys.exit("noread_clients: refusing target outside 198.18.0.0/15 and 2001:db8::/32")

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, a.count + 64)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    end = time.monotonic() + a.deadline
    payload = b"x" * a.bytes
    socks, sent, failed = [], 0, 0
    for _ in range(a.count):
        if time.monotonic() > end:
            break
        s = socket.socket(socket.AF_INET6 if host.version == 6 else socket.AF_INET)
        # Before connect: the window we offer stays tiny, and shut.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        s.settimeout(5)
        try:
            s.connect((a.host, a.port))
        except OSError:
            failed += 1
            s.close()
            continue
        s.setblocking(False)
        try:
            sent += s.send(payload)
        except BlockingIOError:
            pass
        socks.append(s)
    print(f"noread: connected={len(socks)} failed={failed} bytes_sent={sent}",
          flush=True)
    if a.ready_file:
        open(a.ready_file, "w").close()
    hold_end = min(end, time.monotonic() + a.hold)
    while time.monotonic() < hold_end:
        time.sleep(0.2)
    for s in socks:
        s.close()
    return 0 if len(socks) == a.count else 1


if __name__ == "__main__":
    sys.exit(main())
