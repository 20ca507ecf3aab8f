#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A minimal rte_telemetry client (JSON over SOCK_SEQPACKET): send each
command given, print one JSON object {command: reply} per line."""
import json
import socket
import sys


def main():
    path = sys.argv[1]
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(path)
    info = json.loads(s.recv(16384).decode())
    out = {"_info": info}
    for cmd in sys.argv[2:]:
        s.send(cmd.encode())
        out[cmd] = json.loads(s.recv(1 << 20).decode())
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
