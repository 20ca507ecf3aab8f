#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Write the seed corpus of fuzz_worker (see the op list at the top of
fuzz_worker.c): handshakes, cookie handshakes after a SYN burst, data both
ways, both ways of closing, resets, ARP/ICMP, and one frame per parser drop
reason.  Run: tests/fuzz/make_corpus.py tests/fuzz/corpus"""
import os
import struct
import sys

SRV = bytes([198, 18, 0, 1])
SRV6 = bytes([0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1])
CLI6 = bytes([0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [2])
CLI = bytes([198, 18, 0, 2])
SMAC = bytes([2, 0, 0, 0, 0, 1])
CMAC = bytes([2, 0, 0, 0, 0, 2])
SYN, ACK, FIN, RST, PSH = 0x02, 0x10, 0x01, 0x04, 0x08


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ipv4(proto, payload, src=CLI, dst=SRV, frag=0x4000, ihl=5, ttl=64):
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(payload), 1,
                    frag, ttl, proto, 0, src, dst)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def tcp(sport, dport, seq, ack, flags, opts=b"", data=b"", src=CLI, dst=SRV,
        win=29200):
    off = (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags,
                    win, 0, 0) + opts
    ph = src + dst + struct.pack("!BBH", 0, 6, len(h) + len(data))
    c = csum(ph + h + data)
    return h[:16] + struct.pack("!H", c) + h[18:] + data


def ipv6(nh, payload, src=CLI6, dst=SRV6, hlim=64, plen=None):
    return struct.pack("!IHBB16s16s", 0x60000000,
                       len(payload) if plen is None else plen, nh, hlim,
                       src, dst) + payload


def l4_6(proto, body, ck_off, src=CLI6, dst=SRV6):
    """body with its checksum (at ck_off) over the IPv6 pseudo header."""
    ph = src + dst + struct.pack("!IxxxB", len(body), proto)
    c = csum(ph + body[:ck_off] + b"\0\0" + body[ck_off + 2:])
    return body[:ck_off] + struct.pack("!H", c) + body[ck_off + 2:]


def tcp6(sport, dport, seq, ack, flags, opts=b"", src=CLI6, dst=SRV6):
    off = (20 + len(opts)) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, off << 4, flags,
                    29200, 0, 0) + opts
    return l4_6(6, h, 16, src, dst)


def eth(payload, etype=0x0800):
    return SMAC + CMAC + struct.pack("!H", etype) + payload


def raw(frame, nic_good=False):
    return bytes([0x08 if nic_good else 0x00]) + \
        struct.pack("!H", len(frame)) + frame


def seg(client, flags, dseq=0, dack=0, win=0xFFFF, opts=0x0F, data=b""):
    """op 2: a well-formed segment from client (0..7, +0x80: port 8081)."""
    return bytes([2, client, flags, dseq & 0xFF, dack & 0xFF, win >> 8,
                  win & 0xFF, opts, len(data)]) + data


def tick(ms=0, s=0):
    return bytes([4, (0x80 | s) if s else ms])


ACCEPT = bytes([5])


def app(conn, action):
    """op 6: 0/1 recv, 2/3 send, 4 shutdown, 5 close, 6 abort, 7 recv mbufs"""
    return bytes([6, (conn << 3) | action])


def handshake(c=0, data=b""):
    out = seg(c, SYN) + seg(c, ACK | (PSH if data else 0), data=data)
    return out


def seg6(client, flags, **kw):
    """op 3: as seg(), over IPv6."""
    return b"\x03" + seg(client, flags, **kw)[1:]


def handshake6(c=0, data=b""):
    return seg6(c, SYN) + seg6(c, ACK | (PSH if data else 0), data=data)


def syn_burst(n, dport=8080):
    out = b""
    for i in range(n):
        src = bytes([198, 18, 128 + (i >> 8), i & 0xFF])
        t = tcp(1024 + i, dport, 1000 * i, 0, SYN,
                opts=b"\x02\x04\x05\xb4", src=src)
        out += raw(eth(ipv4(6, t, src=src)))
    return out


def seeds():
    s = {}
    s["handshake"] = handshake() + ACCEPT
    s["handshake_data_echo"] = (handshake(0, b"hello") + ACCEPT + app(0, 0)
                                + app(0, 2) + seg(0, ACK) + app(0, 5)
                                + seg(0, ACK | FIN) + tick(s=1))
    s["passive_close"] = (handshake(1) + ACCEPT + seg(1, ACK | FIN)
                          + app(0, 0) + app(0, 2) + app(0, 5) + seg(1, ACK))
    s["active_close_time_wait"] = (handshake(2) + ACCEPT + app(0, 5)
                                   + seg(2, ACK) + seg(2, ACK | FIN)
                                   + seg(2, ACK | FIN, dseq=0xFF)
                                   + tick(150) + tick(s=1))
    s["simultaneous_close"] = (handshake(3) + ACCEPT + app(0, 5)
                               + seg(3, ACK | FIN, dack=0xFF) + seg(3, ACK))
    s["half_close"] = (handshake(4, b"x" * 40) + ACCEPT + app(0, 4)
                       + seg(4, ACK) + app(0, 1) + app(0, 7) + seg(4, FIN | ACK))
    s["rst_in_syn_recv"] = seg(5, SYN) + seg(5, RST)
    s["rst_established"] = (handshake(6) + ACCEPT + seg(6, RST, dseq=5)
                            + seg(6, SYN) + seg(6, RST))
    s["dup_syn_retransmit"] = (seg(7, SYN) + seg(7, SYN) + tick(s=1)
                               + tick(s=3) + seg(7, ACK))
    s["zero_window"] = (handshake(0) + ACCEPT + seg(0, ACK, win=0)
                        + app(0, 2) + app(0, 3) + tick(s=1) + tick(s=2)
                        + seg(0, ACK) + tick(s=1))
    s["data_both_ways"] = (handshake(1) + ACCEPT
                           + b"".join(seg(1, ACK | PSH, data=bytes([65 + i]) * 64)
                                      for i in range(8))
                           + app(0, 0) + app(0, 2) + app(0, 2) + seg(1, ACK)
                           + seg(1, ACK, dseq=0x40, data=b"ooo") + tick(50))
    s["syn_flood_cookie_handshake"] = (syn_burst(70) + handshake(2)
                                       + ACCEPT + app(0, 0) + bytes([7])
                                       + seg(2, ACK))
    s["syn_flood_listener2"] = syn_burst(70, 8081) + handshake(0x82)
    s["ack_flood"] = b"".join(
        raw(eth(ipv4(6, tcp(2000 + i, 8080, i * 7919, i * 104729, ACK))))
        for i in range(40))
    s["closed_port"] = raw(eth(ipv4(6, tcp(3000, 9999, 1, 0, SYN))))
    arp = (struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + CMAC + CLI
           + b"\0" * 6 + SRV)
    s["arp_request"] = raw(b"\xff" * 6 + CMAC + b"\x08\x06" + arp)
    icmp = b"\x08\x00\x00\x00\x01\x02\x00\x07ping"
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    s["icmp_echo"] = raw(eth(ipv4(1, icmp)))
    good = tcp(4000, 8080, 5, 0, SYN, opts=b"\x02\x04\x05\xb4")
    bad = {
        "short_frame": eth(b"")[:10],
        "ethertype": eth(ipv4(6, good), 0x88CC),
        "ip_version": eth(b"\x65" + ipv4(6, good)[1:]),
        "ip_bad_ihl": eth(ipv4(6, good, ihl=4)),
        "ip_bad_totlen": eth(ipv4(6, good)[:2] + b"\x0f\xff" + ipv4(6, good)[4:]),
        "ip_fragment": eth(ipv4(6, good, frag=0x2000)),
        "ip_bad_cksum": eth(ipv4(6, good)[:10] + b"\0\0" + ipv4(6, good)[12:]),
        "ip_martian": eth(ipv4(6, good, src=bytes([127, 0, 0, 1]))),
        "l4_proto": eth(ipv4(17, b"\0" * 8)),
        "tcp_short": eth(ipv4(6, good[:12])),
        "tcp_bad_doff": eth(ipv4(6, good[:12] + b"\xf0" + good[13:])),
        "tcp_bad_cksum": eth(ipv4(6, good[:16] + b"\0\0" + good[18:])),
        "tcp_bad_opt": eth(ipv4(6, tcp(4000, 8080, 5, 0, SYN,
                                       opts=b"\x01\x01\x02\x09"))),
        "tcp_bad_flags": eth(ipv4(6, tcp(4000, 8080, 5, 0, SYN | FIN))),
        "tcp_bad_port": eth(ipv4(6, tcp(0, 8080, 5, 0, SYN))),
        "icmp_bad_cksum": eth(ipv4(1, b"\x08\x00\x00\x00\x00\x00\x00\x00")),
    }
    for name, frame in bad.items():
        s["malformed_" + name] = raw(frame)
        s["nicgood_" + name] = raw(frame, nic_good=True)
    # IPv6
    s["v6_handshake_data_close"] = (handshake6(0, b"hello6") + ACCEPT
                                    + app(0, 0) + app(0, 2) + seg6(0, ACK)
                                    + app(0, 5) + seg6(0, ACK | FIN)
                                    + tick(s=1))
    s["v6_and_v4_same_ports"] = (handshake6(1) + handshake(1) + ACCEPT
                                 + seg6(1, ACK | FIN) + seg(1, RST))
    s["v6_syn_flood_cookie"] = b"".join(
        raw(eth(ipv6(6, tcp6(1024 + i, 8080, 1000 * i, 0, SYN,
                             opts=b"\x02\x04\x05\xa0",
                             src=CLI6[:14] + struct.pack("!H", 0x100 + i))),
                0x86DD)) for i in range(70)) + handshake6(2) + ACCEPT
    snm = bytes([0xff, 2] + [0] * 9 + [1, 0xff, 0, 0, 1])
    ns = struct.pack("!BBHI", 135, 0, 0, 0) + SRV6 + b"\x01\x01" + CMAC
    s["v6_neighbour_solicitation"] = raw(eth(
        ipv6(58, l4_6(58, ns, 2, dst=snm), dst=snm, hlim=255), 0x86DD))
    dad = struct.pack("!BBHI", 135, 0, 0, 0) + SRV6
    s["v6_dad"] = raw(eth(ipv6(58, l4_6(58, dad, 2, src=b"\0" * 16,
                                        dst=snm),
                               src=b"\0" * 16, dst=snm, hlim=255), 0x86DD))
    echo6 = b"\x80\x00\x00\x00\x00\x01\x00\x02ping6"
    s["v6_echo"] = raw(eth(ipv6(58, l4_6(58, echo6, 2)), 0x86DD))
    good6 = tcp6(4000, 8080, 5, 0, SYN, opts=b"\x02\x04\x05\xa0")
    hbh = b"\x06\x00\x01\x04\x00\x00\x00\x00"
    bad6 = {
        "ip6_short": ipv6(6, good6)[:30],
        "ip6_version": b"\x40" + ipv6(6, good6)[1:],
        "ip6_bad_plen": ipv6(6, good6, plen=200),
        "ip6_martian": ipv6(6, good6, src=bytes([0xff, 2] + [0] * 13 + [1])),
        "ip6_fragment": ipv6(44, b"\x06\0\0\0\0\0\0\0" + good6),
        "ip6_routing": ipv6(43, b"\x06\0\0\x01\0\0\0\0" + good6),
        "ip6_bad_ext": ipv6(60, b"\x06\x09" + b"\0" * 6 + good6),
        "ip6_hbh_late": ipv6(60, b"\x00\0" + b"\0" * 6 + hbh + good6),
        "ip6_ext_ok": ipv6(0, hbh + good6),
        "ip6_l4_proto": ipv6(17, b"\0" * 8),
        "ip6_tcp_bad_cksum": ipv6(6, good6[:16] + b"\0\0" + good6[18:]),
        "nd_malformed": ipv6(58, l4_6(58, ns, 2, dst=snm), dst=snm, hlim=64),
        "nd_not_ours": ipv6(58, l4_6(58, ns[:8] + CLI6 + ns[24:], 2,
                                     dst=snm), dst=snm, hlim=255),
    }
    for name, frame in bad6.items():
        s["malformed_" + name] = raw(eth(frame, 0x86DD))
    # Wire hardening: blind and amplifying segments (docs/security.md).
    s["blind_old_segment"] = (handshake(0) + ACCEPT + app(0, 2)
                              + seg(0, ACK | PSH, dseq=-100, dack=0,
                                    data=b"blind")
                              + seg(0, ACK, dseq=100) + tick(s=1))
    s["ack_above_snd_max"] = (handshake(1) + ACCEPT + app(0, 2)
                              + seg(1, ACK, dack=100) + seg(1, ACK, dack=-100)
                              + tick(s=1))
    s["time_wait_blind_fins"] = (handshake(2) + ACCEPT + app(0, 5)
                                 + seg(2, ACK) + seg(2, ACK | FIN)
                                 + b"".join(seg(2, ACK | FIN, dseq=d, dack=-d)
                                            for d in (-90, -1, 1, 37, 90))
                                 + seg(2, SYN, dseq=50) + seg(2, RST)
                                 + tick(150) + tick(s=1))
    bare = tcp(4100, 8080, 77, 0, SYN)
    s["dup_bare_syn_storm"] = (seg(3, SYN) + b"".join(
        raw(eth(ipv4(6, bare))) for _ in range(20)) + tick(s=1))
    s["v6_dad_padded"] = raw(eth(ipv6(58, l4_6(58, dad, 2, src=b"\0" * 16,
                                               dst=snm),
                                      src=b"\0" * 16, dst=snm, hlim=255),
                                 0x86DD) + b"\0" * 8)
    s["eth_src_multicast"] = raw(SMAC + bytes([1, 0, 0x5e, 0, 0, 1])
                                 + b"\x08\x00" + ipv4(6, good))
    s["eth_src_broadcast"] = raw(SMAC + b"\xff" * 6 + b"\x08\x00"
                                 + ipv4(6, good))
    lsrr = bytes([131, 7, 4, 198, 18, 0, 9, 0])
    h = struct.pack("!BBHHHBBH4s4s", 0x47, 0, 20 + len(lsrr) + len(icmp), 1, 0x4000,
                    64, 1, 0, CLI, SRV) + lsrr
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    s["icmp_echo_ip_options"] = raw(eth(h + icmp))
    s["post_flood_hold_down"] = (syn_burst(70) + tick(s=1) + tick(s=3)
                                 + handshake(4) + ACCEPT + tick(s=5))
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "corpus"
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds())} seeds in {out}")


if __name__ == "__main__":
    main()
