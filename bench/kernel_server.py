#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The Linux side of the side-by-side benchmark: a listener on the kernel's
TCP stack answering each connection with syngated's http service reply
(one request, one response, close).  Standard library only; runs inside
the benchmark's network namespace, bounded by --max-seconds."""
import argparse
import selectors
import socket
import sys
import time

REPLY = (b"HTTP/1.1 200 OK\r\nServer: linux\r\nContent-Type: text/plain\r\n"
         b"Content-Length: 19\r\nConnection: close\r\n\r\nsyngate says hello\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--addr", default="198.18.0.1")
    ap.add_argument("--port", type=int, default=8080)
    ap.add_argument("--backlog", type=int, default=4096)
    ap.add_argument("--max-seconds", type=float, default=120)
    a = ap.parse_args()
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((a.addr, a.port))
    ls.listen(a.backlog)
    ls.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ)
    print("kernel_server: listening", flush=True)
    end = time.monotonic() + a.max_seconds
    served = 0
    while time.monotonic() < end:
        for key, _ in sel.select(timeout=0.2):
            if key.fileobj is ls:
                while True:
                    try:
                        c, _ = ls.accept()
                    except (BlockingIOError, ConnectionAbortedError):
                        break
                    c.setblocking(False)
                    sel.register(c, selectors.EVENT_READ)
                continue
            c = key.fileobj
            try:
                data = c.recv(4096)
                if data:
                    c.send(REPLY)
                    served += 1
            except OSError:
                pass
            sel.unregister(c)
            c.close()
    print("kernel_server: served=%d" % served, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
