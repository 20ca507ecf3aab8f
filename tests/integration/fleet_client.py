#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Half a handshake with each of two hosts: send a SYN on --syn-iface (to
host A), read its SYN-ACK, then send the ACK on --ack-iface (to host B).
The client's address is not assigned to the interfaces, so the kernel
stays out of it.  Prints 'synack seq=N' and exits 0 when the SYN-ACK came;
bounded by --timeout."""
import argparse
import sys
import time

from scapy.all import AsyncSniffer, Ether, IP, TCP, conf, get_if_hwaddr, sendp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--syn-iface", required=True)
    ap.add_argument("--syn-mac", required=True)
    ap.add_argument("--ack-iface", required=True)
    ap.add_argument("--ack-mac", required=True)
    ap.add_argument("--src", default="198.18.0.50")
    ap.add_argument("--dst", default="198.18.0.1")
    ap.add_argument("--dport", type=int, default=8080)
    ap.add_argument("--sport", type=int, default=45678)
    ap.add_argument("--timeout", type=float, default=5.0)
    a = ap.parse_args()
    conf.verb = 0
    isn = 123456789
    sniff = AsyncSniffer(iface=a.syn_iface, count=1, timeout=a.timeout,
                         lfilter=lambda p: TCP in p and p[TCP].dport == a.sport
                         and p[TCP].flags == "SA")
    sniff.start()
    time.sleep(0.5)     # the capture socket must be open before the SYN
    mine = get_if_hwaddr(a.syn_iface)
    sendp(Ether(src=mine, dst=a.syn_mac) /
          IP(src=a.src, dst=a.dst) /
          TCP(sport=a.sport, dport=a.dport, flags="S", seq=isn,
              options=[("MSS", 1460)]), iface=a.syn_iface)
    sniff.join()
    got = sniff.results or []
    if not got:
        print("no SYN-ACK")
        return 1
    seq = got[0][TCP].seq
    print(f"synack seq={seq}")
    sendp(Ether(src=get_if_hwaddr(a.ack_iface), dst=a.ack_mac) /
          IP(src=a.src, dst=a.dst) /
          TCP(sport=a.sport, dport=a.dport, flags="A", seq=isn + 1,
              ack=(seq + 1) % (1 << 32)), iface=a.ack_iface)
    return 0


if __name__ == "__main__":
    sys.exit(main())
