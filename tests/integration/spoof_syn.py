#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Bounded spoofed-SYN burst for the syngated integration test.

Sends COUNT TCP SYNs from random sources in SRC_NET (random ports, random
ISNs) to DST:DPORT as Ethernet frames on IFACE, paced at RATE frames/s and
stopped at MAX_SECONDS whatever happens.  The Ethernet destination is
--dst-mac, or learned by ARPing DST with scapy.  Every address involved must
lie in 198.18.0.0/15.  Must run inside the test's network namespace, as root.
Prints `sent=N seconds=S mac=...`; exits non-zero if not everything was sent.
"""
import argparse
import ipaddress
import logging
import random
import socket
import struct
import sys
import time

logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import ARP, Ether, get_if_hwaddr, srp  # noqa: E402

BENCH = ipaddress.ip_network("198.18.0.0/15")


def arp_mac(iface, src_ip, dst_ip, mymac):
    req = Ether(dst="ff:ff:ff:ff:ff:ff", src=mymac) / ARP(
        op=1, hwsrc=mymac, psrc=src_ip, pdst=dst_ip)
    ans, _ = srp(req, iface=iface, timeout=1, retry=3, verbose=False)
    for _, r in ans:
        if r.haslayer(ARP) and r[ARP].op == 2 and r[ARP].psrc == dst_ip:
            return r[ARP].hwsrc
    return None


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def syn_frame(rnd, mymac, mac, src, dst, dport):
    """Ether/IPv4/TCP SYN with MSS, SACK-permitted, timestamps, WS 7,
    packed by hand (scapy is far too slow to build a soak's worth under
    load)."""
    opts = (struct.pack("!BBH", 2, 4, 1460) + b"\x04\x02" +
            struct.pack("!BBII", 8, 10, rnd.randrange(1 << 32), 0) +
            b"\x01\x03\x03\x07")
    tcp = struct.pack("!HHIIBBHHH", rnd.randrange(1024, 65536), dport,
                      rnd.randrange(1 << 32), 0, (20 + len(opts)) // 4 << 4,
                      0x02, 64240, 0, 0) + opts
    ph = src + dst + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(ph + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp),
                     rnd.randrange(65536), 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return mac + mymac + b"\x08\x00" + ip + tcp


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--iface", default="sgt0")
    ap.add_argument("--dst", default="198.18.0.1")
    ap.add_argument("--dport", type=int, default=8080)
    ap.add_argument("--src-ip", default="198.18.0.2", help="our address, for ARP")
    ap.add_argument("--src-net", default="198.18.128.0/17")
    ap.add_argument("--dst-mac", default=None)
    ap.add_argument("--count", type=int, default=3000)
    ap.add_argument("--rate", type=float, default=3000.0, help="frames per second")
    ap.add_argument("--max-seconds", type=float, default=20.0)
    ap.add_argument("--seed", type=int, default=None)
    a = ap.parse_args()

    src_net = ipaddress.ip_network(a.src_net)
    for addr in (a.dst, a.src_ip):
        if ipaddress.ip_address(addr) not in BENCH:
            sys.exit("spoof_syn: %s is outside 198.18.0.0/15" % addr)
    if not src_net.subnet_of(BENCH):
        sys.exit("spoof_syn: source net outside 198.18.0.0/15")
    if not 1 <= a.count <= 1000000 or a.rate <= 0:
        sys.exit("spoof_syn: bad --count/--rate")

    deadline = time.monotonic() + a.max_seconds
    mymac = get_if_hwaddr(a.iface)
    mac = a.dst_mac or arp_mac(a.iface, a.src_ip, a.dst, mymac)
    if not mac:
        print("spoof_syn: no ARP reply from %s on %s" % (a.dst, a.iface), flush=True)
        return 2

    rnd = random.Random(a.seed)
    base = int(src_net.network_address)
    hosts = src_net.num_addresses
    dst_b = ipaddress.ip_address(a.dst).packed
    mac_b = bytes.fromhex(mac.replace(":", ""))
    mymac_b = bytes.fromhex(mymac.replace(":", ""))

    print("spoof_syn: sending %d SYNs to %s:%d via %s (mac %s)" %
          (a.count, a.dst, a.dport, a.iface, mac), flush=True)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((a.iface, 0))
    chunk = max(1, min(100, int(a.rate / 20)))
    sent = 0
    t0 = time.monotonic()
    try:
        while sent < a.count and time.monotonic() < deadline:
            for _ in range(min(chunk, a.count - sent)):
                src = (base + rnd.randrange(1, hosts - 1)).to_bytes(4, "big")
                try:
                    sock.send(syn_frame(rnd, mymac_b, mac_b, src, dst_b,
                                        a.dport))
                except BlockingIOError:
                    pass
                sent += 1
            ahead = t0 + sent / a.rate - time.monotonic()
            if ahead > 0:
                time.sleep(min(ahead, max(0.0, deadline - time.monotonic())))
    finally:
        sock.close()
    secs = time.monotonic() - t0
    print("sent=%d seconds=%.2f mac=%s" % (sent, secs, mac), flush=True)
    return 0 if sent == a.count else 1


if __name__ == "__main__":
    sys.exit(main())
