/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkt — parse and build Ethernet, ARP, IPv4, ICMP echo, IPv6 (extension
 * headers walked), ICMPv6 echo and neighbour discovery, and TCP.
 *
 * Pure functions over a byte buffer: no EAL, no mbuf, so every malformed
 * case is unit-tested with plain arrays.  The worker binds them to mbufs.
 * The parser never reads past `len` and reports why it refused a frame as
 * an enum sg_drop; the caller counts it.
 *
 * Byte order: struct pkt_info keeps addresses and ports in network order
 * (as they are compared and hashed, never printed on the hot path) and
 * seq/ack/window/options in host order.
 *
 * Both families share pkt_info: `family` says which flow key is valid.
 * The ports are always in `flow` (so listener lookup is one code path);
 * an IPv6 frame also fills `flow6`, and leaves flow.raddr/laddr zero.
 * pkt_flow_key() gives the key the flow tables, cookies and ISNs hash.
 */
#ifndef SG_PKT_H
#define SG_PKT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sg_stats.h"

#define PKT_ETH_LEN	14
#define PKT_IP4_LEN	20
#define PKT_IP6_LEN	40
/* Extension headers walked before the upper layer; more is dropped. */
#define PKT_IP6_MAX_EXT	8
#define PKT_TCP_LEN	20
#define PKT_TCP_MAXOPT	40
/* The timestamp option as we write it on every segment (NOP NOP TS). */
#define PKT_TCP_TS_OPT_LEN	12

/* TCP flags, as on the wire (byte 13). */
#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_PSH 0x08
#define TCPF_ACK 0x10
#define TCPF_URG 0x20
#define TCPF_ECE 0x40
#define TCPF_CWR 0x80

/* Which TCP options a segment carried (pkt_tcp_opts.o_present). */
#define OPT_MSS		0x01
#define OPT_WSCALE	0x02
#define OPT_SACKOK	0x04
#define OPT_TS		0x08

struct pkt_tcp_opts {
	uint32_t o_tsval;	/* valid with OPT_TS */
	uint32_t o_tsecr;	/* valid with OPT_TS */
	uint16_t o_mss;		/* valid with OPT_MSS */
	uint8_t o_wscale;	/* valid with OPT_WSCALE (raw, may be > 14) */
	uint8_t o_present;	/* OPT_* */
};

/*
 * 4-tuple of an IPv4 TCP flow, network byte order: the key of the per-worker
 * flow table (12 bytes, no padding).  "r" is the remote peer, "l" is us.
 */
struct flow4 {
	uint32_t raddr;
	uint32_t laddr;
	uint16_t rport;
	uint16_t lport;
};

/*
 * 4-tuple of an IPv6 TCP flow, network byte order: the key of the v6 flow
 * table (36 bytes, no padding).
 */
struct flow6 {
	uint8_t raddr[16];
	uint8_t laddr[16];
	uint16_t rport;
	uint16_t lport;
};

enum pkt_kind {
	PKT_DROP = 0,	/* see *why */
	PKT_ARP,	/* ARP request (reply with pkt_arp_reply) */
	PKT_ICMP_ECHO,	/* ICMP or ICMPv6 echo request (pkt_icmp_echo_reply) */
	PKT_TCP,
	PKT_ND_NS,	/* neighbour solicitation (pkt_nd_na_reply);
			   flow6.laddr is its target */
};

/* Checksum state the NIC reported for the frame (from mbuf ol_flags). */
#define PKT_CK_IP_GOOD	0x1	/* IPv4 header checksum verified good */
#define PKT_CK_IP_BAD	0x2
#define PKT_CK_L4_GOOD	0x4	/* TCP/ICMP checksum verified good */
#define PKT_CK_L4_BAD	0x8

struct pkt_info {
	uint16_t l3_off;	/* offset of the IP header (after VLAN: no) */
	uint16_t l4_off;	/* offset of TCP / ICMP header */
	uint16_t payload_off;	/* offset of TCP payload */
	uint16_t payload_len;	/* TCP payload bytes (from IP total length) */
	uint16_t l3_end;	/* l3_off + IP total length (<= frame len) */
	uint8_t family;		/* 4 or 6 */
	uint8_t tcp_flags;	/* TCPF_* */
	struct flow4 flow;	/* TCP: the 4-tuple (v6: the ports only);
				   ARP/ICMP: addrs only */
	struct flow6 flow6;	/* family 6: the 4-tuple (ND: see above) */
	uint32_t seq;		/* host order */
	uint32_t ack;
	uint16_t win;		/* raw, unscaled */
	struct pkt_tcp_opts opts;
};

/* The flow-table key of a TCP segment pkt_parse accepted. */
static inline const void *
pkt_flow_key(const struct pkt_info *pi)
{
	return pi->family == 6 ? (const void *)&pi->flow6 :
				 (const void *)&pi->flow;
}

/*
 * Parse a frame.  `ck` is PKT_CK_* from the NIC: GOOD skips the software
 * check, BAD drops, neither verifies in software.  Returns the kind; on
 * PKT_DROP *why holds the reason.  Does not check the destination address
 * against served addresses (the caller does, it knows them); does reject
 * martian sources (0, broadcast, multicast, loopback; for IPv6 also
 * v4-mapped, and :: but for duplicate address detection).
 *
 * IPv6: hop-by-hop (first only), destination options and routing headers
 * with no segments left are skipped, at most PKT_IP6_MAX_EXT of them;
 * fragments, routing headers with segments left, ESP/AH and headers
 * overrunning the payload are dropped, each under its reason.
 */
enum pkt_kind pkt_parse(const uint8_t *frame, uint32_t len, unsigned ck,
			struct pkt_info *pi, enum sg_drop *why);

/*
 * Parse TCP options in opt[0..len).  Unknown kinds are skipped by their
 * length byte; EOL ends the list.  Returns 0, or -1 when an option's length
 * is < 2 or overruns the header (or a known option has the wrong length).
 */
int pkt_tcp_opts_parse(const uint8_t *opt, unsigned len,
		       struct pkt_tcp_opts *o);

/*
 * Write TCP options for a segment we send: MSS (if OPT_MSS), SACK-permitted
 * (OPT_SACKOK), timestamps (OPT_TS), window scale (OPT_WSCALE), padded with
 * NOPs to a multiple of 4, in Linux's SYN-ACK order.  Returns bytes written
 * (<= PKT_TCP_MAXOPT).
 */
unsigned pkt_tcp_opts_write(uint8_t *opt, const struct pkt_tcp_opts *o);

/*
 * RFC 1071 partial sum of len bytes at p, added to sum (< 2^31): the same
 * ones'-complement value as DPDK's __rte_raw_cksum(p, len, sum), folded
 * to at most 17 bits so a caller may add a few 16-bit words before its
 * final fold.  Why not __rte_raw_cksum: DPDK 22.11 adds 16-bit words one
 * at a time; this adds 32-bit words into a 64-bit accumulator, four per
 * step, a quarter of the additions (callgrind, docs/benchmarks.md).  Any
 * alignment; the byte order is the machine's, as in rte_raw_cksum.
 */
static inline uint32_t
pkt_csum_partial(const void *p, unsigned len, uint32_t sum)
{
	const uint8_t *b = (const uint8_t *)p;
	uint64_t s = sum;
	uint32_t w[4];
	uint16_t h;

	for (; len >= 16; len -= 16, b += 16) {
		memcpy(w, b, 16);
		s += (uint64_t)w[0] + w[1] + w[2] + w[3];
	}
	for (; len >= 4; len -= 4, b += 4) {
		memcpy(w, b, 4);
		s += w[0];
	}
	if (len >= 2) {
		memcpy(&h, b, 2);
		s += h;
		b += 2;
		len -= 2;
	}
	if (len != 0) {		/* the last byte, as the first byte... */
		h = 0;		/* ...of a word in memory order */
		memcpy(&h, b, 1);
		s += h;
	}
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)((s & 0xffff) + (s >> 16));
}

/* Internet checksum helpers (RFC 1071), host-order folded results. */
uint16_t pkt_ip4_cksum(const uint8_t *ip, unsigned ihl_bytes);
/* TCP checksum over pseudo header + segment; ip points at the IPv4 header. */
uint16_t pkt_tcp4_cksum(const uint8_t *ip, const uint8_t *tcp,
			unsigned tcp_len);
/* The same over an IPv6 header (upper-layer checksum, RFC 8200 8.1);
 * proto: 6 (TCP) or 58 (ICMPv6). */
uint16_t pkt_l4_6_cksum(const uint8_t *ip6, uint8_t proto, const uint8_t *l4,
			unsigned l4_len);

/*
 * In-place replies.  Each rewrites the received frame at `frame` (which
 * pkt_parse accepted as that kind) into the answer, swapping L2 source and
 * destination with `our_mac` as the new source.  Returns the new frame
 * length.
 */
uint32_t pkt_arp_reply(uint8_t *frame, const uint8_t our_mac[6]);
uint32_t pkt_icmp_echo_reply(uint8_t *frame, const struct pkt_info *pi);
/*
 * Answer a neighbour solicitation for one of our addresses (pi->flow6.laddr,
 * the target) with a solicited, override neighbour advertisement carrying
 * our link-layer address; to the all-nodes group when the solicitation
 * came from :: (duplicate address detection).  The frame buffer must hold
 * PKT_ND_NA_LEN bytes.
 */
uint32_t pkt_nd_na_reply(uint8_t *frame, const struct pkt_info *pi,
			 const uint8_t our_mac[6]);
#define PKT_ND_NA_LEN	(PKT_ETH_LEN + PKT_IP6_LEN + 24 + 8)

/* What a TCP segment we build says; addresses/ports from `flow`. */
struct pkt_tcp_out {
	uint8_t family;		/* 4 or 6 */
	struct flow4 flow;	/* as received: r = peer, l = us (v6: ports) */
	struct flow6 flow6;	/* family 6: the addresses */
	uint8_t dst_mac[6];	/* the peer (the L2 source we answer) */
	uint8_t src_mac[6];	/* our port */
	uint32_t seq;
	uint32_t ack;
	uint16_t win;
	uint8_t flags;		/* TCPF_* */
	struct pkt_tcp_opts opts;	/* o_present selects what is written */
	const void *data;	/* payload copied after the header, or NULL */
	uint16_t data_len;
};

/* Checksum mode for built segments. */
#define PKT_TX_CK_SW	0	/* compute IPv4 + TCP checksums in software */
#define PKT_TX_CK_OFF	1	/* IP cksum 0, TCP cksum = pseudo header only */

/*
 * Build Ethernet + IPv4 (TTL 64, DF) or IPv6 (hop limit 64), by t->family,
 * + TCP (+options) + t->data_len bytes of payload into buf, which must
 * hold PKT_TCP_MAX_HDR + data_len bytes.  Returns the frame length.
 */
uint32_t pkt_tcp_build(uint8_t *buf, const struct pkt_tcp_out *t,
		       int ck_mode);

/*
 * Answer the TCP segment parsed into `in` with the segment t describes,
 * written over the frame it came in: Ethernet to the frame's source MAC
 * from src_mac, IPv4 (no options) or IPv6 and TCP from in's addresses and
 * ports reversed.  Of t only seq, ack, win, flags, opts, data and
 * data_len are read: the addressing tx_tcp_init would copy into t is taken
 * where it lies.  Same bytes as pkt_tcp_build of the copied t
 * (test_pkt).  frame must hold PKT_TCP_MAX_HDR + data_len bytes.
 */
uint32_t pkt_tcp_reply(uint8_t *frame, const struct pkt_info *in,
		       const uint8_t *src_mac, const struct pkt_tcp_out *t,
		       int ck_mode);

/* Largest headers pkt_tcp_build writes, per family and overall. */
#define PKT_TCP4_MAX_HDR (PKT_ETH_LEN + PKT_IP4_LEN + PKT_TCP_LEN + \
			  PKT_TCP_MAXOPT)
#define PKT_TCP6_MAX_HDR (PKT_ETH_LEN + PKT_IP6_LEN + PKT_TCP_LEN + \
			  PKT_TCP_MAXOPT)
#define PKT_TCP_MAX_HDR PKT_TCP6_MAX_HDR

#endif /* SG_PKT_H */
