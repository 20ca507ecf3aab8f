#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Mixed, rate-limited, bounded flood for the soak (standard library only).

Sends Ethernet frames on IFACE (an AF_PACKET socket: run it inside the
soak's network namespace, as root) to the syngated port whose MAC is
--dst-mac, at --rate frames a second in total, mixed by --mix weights:

  syn4, syn6   spoofed SYNs (MSS, SACK-permitted, timestamps, WS) from
               random sources in --src-net4 / --src-net6 and random ports
  ack4, ack6   spoofed bare ACKs with random sequence and ack numbers
               (each one a cookie guess)
  rst4, rst6   spoofed RSTs with random sequence numbers
  garbage      malformed frames: random bytes behind an IPv4, IPv6 or
               unknown ethertype, bad IPv4 header checksums and IHLs, bad
               TCP checksums, truncated segments, IPv4 fragments, IPv6
               fragment headers and runaway extension-header chains

Every frame is packed by hand with struct (scapy is too slow for a soak).
Bounded twice: --count frames at most and --max-seconds of wall time; SIGTERM
stops it cleanly too.  Every second (and at the end) it writes its counts as
JSON to --status (atomically), and prints them as the last line.  Every
address must lie in 198.18.0.0/15 or 2001:db8::/32.
"""
import argparse
import ipaddress
import json
import os
import random
import signal
import socket
import struct
import sys
import time

NET4 = ipaddress.ip_network("198.18.0.0/15")
NET6 = ipaddress.ip_network("2001:db8::/32")
KINDS = ("syn4", "syn6", "ack4", "ack6", "rst4", "rst6", "garbage")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


class Packer:
    def __init__(self, rnd, mymac, dmac, dst4, dst6, dport, net4, net6):
        self.r = rnd
        self.eth4 = dmac + mymac + b"\x08\x00"
        self.eth6 = dmac + mymac + b"\x86\xdd"
        self.ethx = dmac + mymac
        self.dst4 = dst4
        self.dst6 = dst6
        self.dport = dport
        self.base4 = int(net4.network_address)
        self.n4 = net4.num_addresses
        self.base6 = int(net6.network_address)
        self.n6 = net6.num_addresses

    def src4(self):
        return (self.base4 + self.r.randrange(1, self.n4 - 1)).to_bytes(4, "big")

    def src6(self):
        return (self.base6 + self.r.randrange(1, self.n6 - 1)).to_bytes(16, "big")

    def tcp(self, flags, ph, opts=b"", seq=None, ack=0, win=64240):
        r = self.r
        hl = 20 + len(opts)
        t = struct.pack("!HHIIBBHHH", r.randrange(1024, 65536), self.dport,
                        r.randrange(1 << 32) if seq is None else seq, ack,
                        hl // 4 << 4, flags, win, 0, 0) + opts
        c = csum(ph(len(t)) + t)
        return t[:16] + struct.pack("!H", c) + t[18:]

    def ip4(self, src, l4, proto=6, frag=0x4000, ihl=5, bad_ck=False):
        h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(l4),
                        self.r.randrange(65536), frag, 64, proto, 0, src,
                        self.dst4)
        c = csum(h)
        if bad_ck:
            c ^= 0x5a5a
        return self.eth4 + h[:10] + struct.pack("!H", c) + h[12:] + l4

    def ip6(self, src, l4, nh=6):
        h = struct.pack("!IHBB16s16s", 0x60000000, len(l4), nh, 64, src,
                        self.dst6)
        return self.eth6 + h + l4

    def ph4(self, src):
        return lambda n: src + self.dst4 + struct.pack("!BBH", 0, 6, n)

    def ph6(self, src):
        return lambda n: src + self.dst6 + struct.pack("!IxxxB", n, 6)

    def synopts(self):
        return (struct.pack("!BBH", 2, 4, 1460) + b"\x04\x02" +
                struct.pack("!BBII", 8, 10, self.r.randrange(1 << 32), 0) +
                b"\x01\x03\x03\x07")

    def syn4(self):
        s = self.src4()
        return self.ip4(s, self.tcp(0x02, self.ph4(s), self.synopts(), ack=0))

    def syn6(self):
        s = self.src6()
        return self.ip6(s, self.tcp(0x02, self.ph6(s), self.synopts(), ack=0))

    def ack4(self):
        s = self.src4()
        return self.ip4(s, self.tcp(0x10, self.ph4(s),
                                    ack=self.r.randrange(1 << 32)))

    def ack6(self):
        s = self.src6()
        return self.ip6(s, self.tcp(0x10, self.ph6(s),
                                    ack=self.r.randrange(1 << 32)))

    def rst4(self):
        s = self.src4()
        return self.ip4(s, self.tcp(0x04, self.ph4(s), win=0))

    def rst6(self):
        s = self.src6()
        return self.ip6(s, self.tcp(0x04, self.ph6(s), win=0))

    def garbage(self):
        r = self.r
        k = r.randrange(10)
        if k == 0:   # random bytes behind IPv4
            return self.eth4 + os.urandom(r.randrange(0, 120))
        if k == 1:   # random bytes behind IPv6
            return self.eth6 + os.urandom(r.randrange(0, 120))
        if k == 2:   # unknown ethertype
            return self.ethx + struct.pack("!H", r.choice(
                (0x88b5, 0x88b6, 0x0801, 0x9000))) + os.urandom(r.randrange(46, 100))
        if k == 3:   # IPv4 header checksum wrong
            s = self.src4()
            return self.ip4(s, self.tcp(0x02, self.ph4(s)), bad_ck=True)
        if k == 4:   # IPv4 IHL below 5
            s = self.src4()
            return self.ip4(s, self.tcp(0x02, self.ph4(s)), ihl=r.randrange(0, 5))
        if k == 5:   # TCP checksum wrong
            s = self.src4()
            f = bytearray(self.syn4())
            f[14 + 20 + 16] ^= 0xff
            return bytes(f)
        if k == 6:   # truncated TCP segment (totlen says more)
            f = self.syn4() if r.randrange(2) else self.syn6()
            return f[:r.randrange(14, len(f) - 1)]
        if k == 7:   # IPv4 fragment (MF set, or an offset)
            s = self.src4()
            return self.ip4(s, self.tcp(0x02, self.ph4(s)),
                            frag=r.choice((0x2000, 0x0010, 0x2008)))
        if k == 8:   # IPv6 fragment header in front of TCP
            s = self.src6()
            t = self.tcp(0x02, self.ph6(s))
            fh = struct.pack("!BBHI", 6, 0, 1, r.randrange(1 << 32))
            return self.ip6(s, fh + t, nh=44)
        # IPv6 chain of 9 destination-options headers (one too many)
        s = self.src6()
        t = self.tcp(0x02, self.ph6(s))
        chain = b""
        for i in range(9):
            chain += struct.pack("!BB6x", 60 if i < 8 else 6, 0)
        return self.ip6(s, chain + t, nh=60)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--iface", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--dst4", default="198.18.0.1")
    ap.add_argument("--dst6", default=None)
    ap.add_argument("--dport", type=int, default=8080)
    ap.add_argument("--src-net4", default="198.18.128.0/17")
    ap.add_argument("--src-net6", default="2001:db8:8000::/48")
    ap.add_argument("--rate", type=float, default=2000.0, help="frames/s, all kinds")
    ap.add_argument("--mix", default="syn4=35,syn6=25,ack4=8,ack6=7,rst4=5,rst6=5,garbage=15")
    ap.add_argument("--count", type=int, default=100000)
    ap.add_argument("--max-seconds", type=float, default=60.0)
    ap.add_argument("--status", default=None)
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()

    dst4 = ipaddress.ip_address(a.dst4)
    net4 = ipaddress.ip_network(a.src_net4)
    net6 = ipaddress.ip_network(a.src_net6)
    if dst4 not in NET4 or not net4.subnet_of(NET4):
        sys.exit("flood: IPv4 addresses must lie in 198.18.0.0/15")
    dst6 = None
    if a.dst6:
        dst6 = ipaddress.ip_address(a.dst6)
        if dst6 not in NET6 or not net6.subnet_of(NET6):
            sys.exit("flood: IPv6 addresses must lie in 2001:db8::/32")
    if not 1 <= a.count <= 50_000_000 or not 0 < a.rate <= 50000 \
            or not 0 < a.max_seconds <= 86400:
        sys.exit("flood: bad --count, --rate or --max-seconds")

    weights = {}
    for kv in a.mix.split(","):
        k, v = kv.split("=")
        if k not in KINDS:
            sys.exit("flood: unknown kind %s" % k)
        if k.endswith("6") and dst6 is None:
            continue
        weights[k] = float(v)
    kinds = [k for k in weights if weights[k] > 0]
    if not kinds:
        sys.exit("flood: nothing to send")
    cum, t = [], 0.0
    for k in kinds:
        t += weights[k]
        cum.append(t)

    stop = [False]

    def on_term(_sig, _frm):
        stop[0] = True
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)

    rnd = random.Random(a.seed)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((a.iface, 0))
    mymac = sock.getsockname()[4][:6]
    dmac = bytes.fromhex(a.dst_mac.replace(":", ""))
    p = Packer(rnd, mymac, dmac, dst4.packed, dst6.packed if dst6 else b"",
               a.dport, net4, net6)
    gen = {k: getattr(p, k) for k in kinds}
    counts = {k: 0 for k in KINDS}
    counts.update(sent=0, send_errors=0, seconds=0.0, done=False)

    def status(done=False):
        counts["seconds"] = round(time.monotonic() - t0, 2)
        counts["done"] = done
        if a.status:
            tmp = a.status + ".tmp"
            with open(tmp, "w") as f:
                json.dump(counts, f)
            os.replace(tmp, a.status)

    t0 = time.monotonic()
    deadline = t0 + a.max_seconds
    chunk = max(1, min(100, int(a.rate / 50)))
    next_status = t0 + 1.0
    sent = 0
    try:
        while sent < a.count and not stop[0]:
            now = time.monotonic()
            if now >= deadline:
                break
            for _ in range(min(chunk, a.count - sent)):
                x = rnd.random() * t
                i = 0
                while cum[i] < x:
                    i += 1
                k = kinds[i]
                try:
                    sock.send(gen[k]())
                    counts[k] += 1
                except OSError:
                    counts["send_errors"] += 1
                sent += 1
            counts["sent"] = sent
            now = time.monotonic()
            if now >= next_status:
                status()
                next_status = now + 1.0
            ahead = t0 + sent / a.rate - now
            if ahead > 0:
                time.sleep(min(ahead, max(0.0, deadline - now)))
    finally:
        sock.close()
    status(done=True)
    print(json.dumps(counts), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
