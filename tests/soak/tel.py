#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Read syngated's /syngate/stats over the EAL telemetry socket and print
it as one stats-style line of name=value pairs (standard library only).
Usage: tel.py SOCKET_PATH"""
import json
import socket
import sys


def main():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(sys.argv[1])
    s.recv(16384)
    s.send(b"/syngate/stats")
    d = json.loads(s.recv(1 << 20).decode())["/syngate/stats"]
    print("tel " + " ".join("%s=%s" % (k, v) for k, v in d.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
