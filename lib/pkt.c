/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet parsing and building.  Every read is bounds-checked against the
 * frame length before it happens; offsets are 16-bit and derived only
 * from lengths already checked.
 *
 * Checksum convention: pkt_ip4_cksum / pkt_tcp4_cksum return the value to
 * store as-is in the header field (already complemented, in the byte
 * order rte_raw_cksum sums in), like rte_ipv4_cksum().  A received header
 * verifies when the same computation over it, field included, gives 0.
 */
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "pkt.h"

#define ETH_P_IP	0x0800
#define ETH_P_ARP	0x0806
#define ETH_P_IPV6	0x86dd
#define IPPROTO_ICMP_	1
#define IPPROTO_TCP_	6
/* IPv6 next-header values (RFC 8200, IANA). */
#define NH_HOPOPTS	0
#define NH_ROUTING	43
#define NH_FRAGMENT	44
#define NH_ICMPV6	58
#define NH_DSTOPTS	60
/* ICMPv6 types (RFC 4443, RFC 4861). */
#define ICMP6_ECHO_REQUEST	128
#define ICMP6_ECHO_REPLY	129
#define ND_NEIGHBOR_SOLICIT	135
#define ND_NEIGHBOR_ADVERT	136
#define ND_OPT_SOURCE_LLADDR	1
#define ND_OPT_TARGET_LLADDR	2

#define TCPOPT_EOL	0
#define TCPOPT_NOP	1
#define TCPOPT_MSS	2
#define TCPOPT_WS	3
#define TCPOPT_SACKOK	4
#define TCPOPT_TS	8

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline uint16_t
fold(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

uint16_t
pkt_ip4_cksum(const uint8_t *ip, unsigned ihl_bytes)
{
	uint16_t s = fold(pkt_csum_partial(ip, ihl_bytes, 0));

	return (uint16_t)~s;
}

/* Sum of the IPv4 pseudo header for a TCP segment of tcp_len bytes. */
static inline uint32_t
phdr_sum(const uint8_t *ip, unsigned tcp_len)
{
	uint32_t s = pkt_csum_partial(ip + 12, 8, 0);

	s += rte_cpu_to_be_16((uint16_t)IPPROTO_TCP_);
	s += rte_cpu_to_be_16((uint16_t)tcp_len);
	return s;
}

/* Sum of the IPv6 pseudo header (RFC 8200 8.1) for proto, l4_len bytes. */
static inline uint32_t
phdr6_sum(const uint8_t *ip6, uint8_t proto, unsigned l4_len)
{
	uint32_t s = pkt_csum_partial(ip6 + 8, 32, 0);

	s += rte_cpu_to_be_16((uint16_t)(l4_len >> 16));
	s += rte_cpu_to_be_16((uint16_t)l4_len);
	s += rte_cpu_to_be_16((uint16_t)proto);
	return s;
}

uint16_t
pkt_l4_6_cksum(const uint8_t *ip6, uint8_t proto, const uint8_t *l4,
	       unsigned l4_len)
{
	uint32_t s = phdr6_sum(ip6, proto, l4_len);

	s = pkt_csum_partial(l4, l4_len, s);
	return (uint16_t)~fold(s);
}

uint16_t
pkt_tcp4_cksum(const uint8_t *ip, const uint8_t *tcp, unsigned tcp_len)
{
	uint32_t s = phdr_sum(ip, tcp_len);

	s = pkt_csum_partial(tcp, tcp_len, s);
	return (uint16_t)~fold(s);
}

static inline uint32_t
ld32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/*
 * The layouts most segments carry, recognised whole: Linux's SYN (MSS,
 * SACK-permitted, timestamps, NOP, window scale: 20 bytes), an ACK or
 * data segment's NOP NOP timestamps (12 bytes), and the two 12-byte SYNs
 * without timestamps: Linux's with them turned off (MSS, NOP NOP
 * SACK-permitted, NOP window scale) and Windows' default (MSS, NOP window
 * scale, NOP NOP SACK-permitted).  The generic loop below gives the same
 * answer for all of them (test_opts_fast_paths); this only skips its
 * per-option branches, most of the options' parsing cost.  Returns
 * whether opt was one of them (then *o is filled).
 */
static inline bool
opts_fast(const uint8_t *opt, unsigned len, struct pkt_tcp_opts *o)
{
	if (len == 12) {
		uint32_t w0 = ld32(opt), w1 = ld32(opt + 4),
			 w2 = ld32(opt + 8);
		const uint32_t sack = rte_cpu_to_be_32(0x01010402),
			       ws = rte_cpu_to_be_32(0x01030300),
			       ws_mask = rte_cpu_to_be_32(0xffffff00),
			       mss = rte_cpu_to_be_32(0x02040000),
			       mss_mask = rte_cpu_to_be_32(0xffff0000);

		if (w0 == rte_cpu_to_be_32(0x0101080a)) {	/* NOP NOP TS */
			o->o_tsval = rd32(opt + 4);
			o->o_tsecr = rd32(opt + 8);
			o->o_present = OPT_TS;
			return true;
		}
		if ((w0 & mss_mask) == mss &&
		    ((w1 == sack && (w2 & ws_mask) == ws) ||
		     ((w1 & ws_mask) == ws && w2 == sack))) {
			o->o_mss = rd16(opt + 2);
			o->o_wscale = w1 == sack ? opt[11] : opt[7];
			o->o_present = OPT_MSS | OPT_SACKOK | OPT_WSCALE;
			return true;
		}
		return false;
	}
	if (len == 20 && opt[0] == TCPOPT_MSS && opt[1] == 4 &&
	    ld32(opt + 4) == rte_cpu_to_be_32(0x0402080a) &&	/* SACK, TS */
	    opt[16] == TCPOPT_NOP && opt[17] == TCPOPT_WS && opt[18] == 3) {
		o->o_mss = rd16(opt + 2);
		o->o_tsval = rd32(opt + 8);
		o->o_tsecr = rd32(opt + 12);
		o->o_wscale = opt[19];
		o->o_present = OPT_MSS | OPT_SACKOK | OPT_TS | OPT_WSCALE;
		return true;
	}
	return false;
}

int
pkt_tcp_opts_parse(const uint8_t *opt, unsigned len, struct pkt_tcp_opts *o)
{
	unsigned i = 0, olen;

	o->o_present = 0;
	if (opts_fast(opt, len, o))
		return 0;
	while (i < len) {
		uint8_t kind = opt[i];

		if (kind == TCPOPT_EOL)
			break;
		if (kind == TCPOPT_NOP) {
			i++;
			continue;
		}
		if (i + 1 >= len)
			return -1;	/* no room for the length byte */
		olen = opt[i + 1];
		if (olen < 2 || olen > len - i)
			return -1;
		switch (kind) {
		case TCPOPT_MSS:
			if (olen != 4)
				return -1;
			o->o_mss = rd16(opt + i + 2);
			o->o_present |= OPT_MSS;
			break;
		case TCPOPT_WS:
			if (olen != 3)
				return -1;
			o->o_wscale = opt[i + 2];
			o->o_present |= OPT_WSCALE;
			break;
		case TCPOPT_SACKOK:
			if (olen != 2)
				return -1;
			o->o_present |= OPT_SACKOK;
			break;
		case TCPOPT_TS:
			if (olen != 10)
				return -1;
			o->o_tsval = rd32(opt + i + 2);
			o->o_tsecr = rd32(opt + i + 6);
			o->o_present |= OPT_TS;
			break;
		default:	/* SACK blocks, unknown kinds: skip */
			break;
		}
		i += olen;
	}
	return 0;
}

/* Store the host-order word v big-endian at p and add it, as it lies in
 * memory, to the checksum sum *s. */
static inline void
put32(uint8_t *p, uint32_t v, uint64_t *s)
{
	uint32_t be = rte_cpu_to_be_32(v);

	memcpy(p, &be, 4);
	*s += be;
}

/* Linux's layout (tcp_options_write): every option on a 32-bit word,
 * written a word at a time; *s gets their checksum sum. */
static inline unsigned
opts_write_sum(uint8_t *opt, const struct pkt_tcp_opts *o, uint64_t *s)
{
	unsigned n = 0;

	if (o->o_present & OPT_MSS) {
		put32(opt, 0x02040000u | o->o_mss, s);
		n = 4;
	}
	if (o->o_present & OPT_TS) {
		put32(opt + n, o->o_present & OPT_SACKOK ? 0x0402080au :
							   0x0101080au, s);
		put32(opt + n + 4, o->o_tsval, s);
		put32(opt + n + 8, o->o_tsecr, s);
		n += 12;
	} else if (o->o_present & OPT_SACKOK) {
		put32(opt + n, 0x01010402u, s);
		n += 4;
	}
	if (o->o_present & OPT_WSCALE) {
		put32(opt + n, 0x01030300u | o->o_wscale, s);
		n += 4;
	}
	return n;
}

unsigned
pkt_tcp_opts_write(uint8_t *opt, const struct pkt_tcp_opts *o)
{
	uint64_t s = 0;

	return opts_write_sum(opt, o, &s);
}

static enum pkt_kind
parse_arp(const uint8_t *f, uint32_t len, struct pkt_info *pi,
	  enum sg_drop *why)
{
	const uint8_t *a = f + PKT_ETH_LEN;

	/* htype 1, ptype IPv4, hlen 6, plen 4, op request */
	if (len < PKT_ETH_LEN + 28 || rd16(a) != 1 ||
	    rd16(a + 2) != ETH_P_IP || a[4] != 6 || a[5] != 4 ||
	    rd16(a + 6) != 1) {
		*why = SG_DROP_ARP_MALFORMED;
		return PKT_DROP;
	}
	memcpy(&pi->flow.raddr, a + 14, 4);
	memcpy(&pi->flow.laddr, a + 24, 4);
	pi->l3_off = PKT_ETH_LEN;
	return PKT_ARP;
}

static bool
martian(const uint8_t *src)
{
	return (src[0] == 0 && src[1] == 0 && src[2] == 0 && src[3] == 0) ||
	       src[0] == 127 || src[0] >= 224;	/* loopback, multi/bcast */
}

static enum pkt_kind
parse_tcp(const uint8_t *ip, unsigned l4_len, unsigned ck,
	  struct pkt_info *pi, enum sg_drop *why)
{
	const uint8_t *th = ip + (pi->l4_off - pi->l3_off);
	unsigned doff;
	uint8_t fl;

	if (l4_len < PKT_TCP_LEN) {
		*why = SG_DROP_TCP_SHORT;
		return PKT_DROP;
	}
	doff = (unsigned)(th[12] >> 4) * 4;
	if (doff < PKT_TCP_LEN || doff > l4_len) {
		*why = SG_DROP_TCP_BAD_DOFF;
		return PKT_DROP;
	}
	if (ck & PKT_CK_L4_BAD) {
		*why = SG_DROP_TCP_BAD_CKSUM;
		return PKT_DROP;
	}
	if (!(ck & PKT_CK_L4_GOOD) &&
	    fold(pkt_csum_partial(th, l4_len, pi->family == 6 ?
				 phdr6_sum(ip, IPPROTO_TCP_, l4_len) :
				 phdr_sum(ip, l4_len))) != 0xffff) {
		*why = SG_DROP_TCP_BAD_CKSUM;
		return PKT_DROP;
	}
	if (pkt_tcp_opts_parse(th + PKT_TCP_LEN, doff - PKT_TCP_LEN,
			       &pi->opts) < 0) {
		*why = SG_DROP_TCP_BAD_OPT;
		return PKT_DROP;
	}
	memcpy(&pi->flow.rport, th, 2);
	memcpy(&pi->flow.lport, th + 2, 2);
	if (pi->flow.rport == 0 || pi->flow.lport == 0) {
		*why = SG_DROP_TCP_BAD_PORT;
		return PKT_DROP;
	}
	pi->flow6.rport = pi->flow.rport;
	pi->flow6.lport = pi->flow.lport;
	fl = th[13];
	if ((fl & (TCPF_SYN | TCPF_FIN)) == (TCPF_SYN | TCPF_FIN) ||
	    (fl & (TCPF_SYN | TCPF_RST)) == (TCPF_SYN | TCPF_RST) ||
	    !(fl & (TCPF_SYN | TCPF_ACK | TCPF_RST))) {
		*why = SG_DROP_TCP_BAD_FLAGS;
		return PKT_DROP;
	}
	pi->tcp_flags = fl;
	pi->seq = rd32(th + 4);
	pi->ack = rd32(th + 8);
	pi->win = rd16(th + 14);
	pi->payload_off = (uint16_t)(pi->l4_off + doff);
	pi->payload_len = (uint16_t)(l4_len - doff);
	return PKT_TCP;
}

static enum pkt_kind
parse_icmp(const uint8_t *ic, unsigned l4_len, unsigned ck,
	   enum sg_drop *why)
{
	if (l4_len < 8) {
		*why = SG_DROP_ICMP_SHORT;
		return PKT_DROP;
	}
	if (fold(pkt_csum_partial(ic, l4_len, 0)) != 0xffff) {
		*why = SG_DROP_ICMP_BAD_CKSUM;
		return PKT_DROP;
	}
	if (ic[0] != 8 || ic[1] != 0) {
		*why = SG_DROP_ICMP_TYPE;
		return PKT_DROP;
	}
	return PKT_ICMP_ECHO;
}

/* ---- IPv6 ---------------------------------------------------------------- */

static bool
ip6_is_unspec(const uint8_t *a)
{
	static const uint8_t zero[16];

	return memcmp(a, zero, 16) == 0;
}

/* Sources never accepted: multicast, loopback, v4-mapped. */
static bool
martian6(const uint8_t *src)
{
	static const uint8_t loop[16] = { [15] = 1 };
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	return src[0] == 0xff || memcmp(src, loop, 16) == 0 ||
	       memcmp(src, mapped, 12) == 0;
}

/* Solicited-node multicast group of addr (RFC 4291 2.7.1)? */
static bool
ip6_is_solicited_node(const uint8_t *dst, const uint8_t *addr)
{
	static const uint8_t pfx[13] = {
		0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff,
	};

	return memcmp(dst, pfx, 13) == 0 && memcmp(dst + 13, addr + 13, 3) == 0;
}

/*
 * Neighbour solicitation (RFC 4861 4.3, validated as 7.1.1): hop limit
 * 255, code 0, at least 24 bytes, target not multicast, options of
 * non-zero length inside the message, no source link-layer option from
 * ::, and from :: only to the target's solicited-node group.
 */
static enum pkt_kind
parse_ns(const uint8_t *ip6, const uint8_t *ic, unsigned l4_len,
	 struct pkt_info *pi, enum sg_drop *why)
{
	const uint8_t *target = ic + 8;
	bool unspec = ip6_is_unspec(ip6 + 8), slla = false;
	unsigned off = 24;

	if (ip6[7] != 255 || ic[1] != 0 || l4_len < 24 || target[0] == 0xff)
		goto bad;
	while (off < l4_len) {
		unsigned olen;

		if (l4_len - off < 2)
			goto bad;
		olen = (unsigned)ic[off + 1] * 8;
		if (olen == 0 || olen > l4_len - off)
			goto bad;
		if (ic[off] == ND_OPT_SOURCE_LLADDR)
			slla = true;
		off += olen;
	}
	if (unspec && (slla || !ip6_is_solicited_node(ip6 + 24, target)))
		goto bad;
	memcpy(pi->flow6.laddr, target, 16);
	return PKT_ND_NS;
bad:
	*why = SG_DROP_ND_MALFORMED;
	return PKT_DROP;
}

static enum pkt_kind
parse_icmp6(const uint8_t *ip6, unsigned l4_len, struct pkt_info *pi,
	    enum sg_drop *why)
{
	const uint8_t *ic = ip6 + (pi->l4_off - pi->l3_off);

	if (l4_len < 8) {
		*why = SG_DROP_ICMP_SHORT;
		return PKT_DROP;
	}
	/* The ICMPv6 checksum covers a pseudo header; it is mandatory. */
	if (fold(pkt_csum_partial(ic, l4_len,
				 phdr6_sum(ip6, NH_ICMPV6, l4_len))) != 0xffff) {
		*why = SG_DROP_ICMP_BAD_CKSUM;
		return PKT_DROP;
	}
	if (ic[0] == ND_NEIGHBOR_SOLICIT)
		return parse_ns(ip6, ic, l4_len, pi, why);
	if (ic[0] != ICMP6_ECHO_REQUEST || ic[1] != 0) {
		*why = SG_DROP_ICMP_TYPE;
		return PKT_DROP;
	}
	if (ip6_is_unspec(ip6 + 8)) {
		*why = SG_DROP_IP_MARTIAN;
		return PKT_DROP;
	}
	/* Only unicast echo is answered (no replies to a group). */
	if (ip6[24] == 0xff) {
		*why = SG_DROP_IP_NOT_OURS;
		return PKT_DROP;
	}
	return PKT_ICMP_ECHO;
}

static enum pkt_kind
parse_ip6(const uint8_t *f, uint32_t len, unsigned ck, struct pkt_info *pi,
	  enum sg_drop *why)
{
	const uint8_t *ip6 = f + PKT_ETH_LEN;
	unsigned plen, off, next, n;

	pi->family = 6;
	if (len < PKT_ETH_LEN + PKT_IP6_LEN) {
		*why = SG_DROP_IP_SHORT;
		return PKT_DROP;
	}
	if ((ip6[0] >> 4) != 6) {
		*why = SG_DROP_IP_VERSION;
		return PKT_DROP;
	}
	plen = rd16(ip6 + 4);
	/* Payload length 0 would mean a jumbogram (RFC 2675): not here. */
	if (plen == 0 || plen > len - PKT_ETH_LEN - PKT_IP6_LEN) {
		*why = SG_DROP_IP_BAD_TOTLEN;
		return PKT_DROP;
	}
	if (martian6(ip6 + 8)) {
		*why = SG_DROP_IP_MARTIAN;
		return PKT_DROP;
	}
	memcpy(pi->flow6.raddr, ip6 + 8, 16);
	memcpy(pi->flow6.laddr, ip6 + 24, 16);
	memset(&pi->flow, 0, sizeof(pi->flow));
	pi->l3_off = PKT_ETH_LEN;
	pi->l3_end = (uint16_t)(PKT_ETH_LEN + PKT_IP6_LEN + plen);

	/* Walk the extension headers; off is relative to ip6. */
	next = ip6[6];
	off = PKT_IP6_LEN;
	for (n = 0;; n++) {
		const uint8_t *h = ip6 + off;
		unsigned hlen;

		if (next != NH_HOPOPTS && next != NH_DSTOPTS &&
		    next != NH_ROUTING && next != NH_FRAGMENT)
			break;
		if (next == NH_FRAGMENT) {
			*why = SG_DROP_IP_FRAGMENT;
			return PKT_DROP;
		}
		/* Hop-by-hop only right after the fixed header (8200 4.1). */
		if (n == PKT_IP6_MAX_EXT || (next == NH_HOPOPTS && n != 0) ||
		    PKT_IP6_LEN + plen - off < 8) {
			*why = SG_DROP_IP6_BAD_EXT;
			return PKT_DROP;
		}
		hlen = ((unsigned)h[1] + 1) * 8;
		if (hlen > PKT_IP6_LEN + plen - off) {
			*why = SG_DROP_IP6_BAD_EXT;
			return PKT_DROP;
		}
		/* A routing header still to be processed names another
		 * destination: syngate is not a router (RFC 5095 too). */
		if (next == NH_ROUTING && h[3] != 0) {
			*why = SG_DROP_IP6_ROUTING;
			return PKT_DROP;
		}
		next = h[0];
		off += hlen;
	}
	pi->l4_off = (uint16_t)(PKT_ETH_LEN + off);
	if (next == IPPROTO_TCP_ && ip6_is_unspec(ip6 + 8)) {
		*why = SG_DROP_IP_MARTIAN;
		return PKT_DROP;
	}
	switch (next) {
	case IPPROTO_TCP_:
		return parse_tcp(ip6, PKT_IP6_LEN + plen - off, ck, pi, why);
	case NH_ICMPV6:
		return parse_icmp6(ip6, PKT_IP6_LEN + plen - off, pi, why);
	default:
		*why = SG_DROP_L4_PROTO;
		return PKT_DROP;
	}
}

enum pkt_kind
pkt_parse(const uint8_t *f, uint32_t len, unsigned ck, struct pkt_info *pi,
	  enum sg_drop *why)
{
	const uint8_t *ip;
	unsigned ihl, tot;
	uint16_t et;

	if (len < PKT_ETH_LEN) {
		*why = SG_DROP_SHORT_FRAME;
		return PKT_DROP;
	}
	/* Replies go to the frame's L2 source: a multicast or broadcast one
	 * (I/G bit set) is no station to answer, and would turn one frame
	 * into a reply to every station on the link. */
	if (f[6] & 1) {
		*why = SG_DROP_ETH_SRC_MCAST;
		return PKT_DROP;
	}
	et = rd16(f + 12);
	pi->family = 4;
	if (et == ETH_P_ARP)
		return parse_arp(f, len, pi, why);
	if (et == ETH_P_IPV6)
		return parse_ip6(f, len, ck, pi, why);
	if (et != ETH_P_IP) {
		*why = SG_DROP_ETHERTYPE;
		return PKT_DROP;
	}
	if (len < PKT_ETH_LEN + PKT_IP4_LEN) {
		*why = SG_DROP_IP_SHORT;
		return PKT_DROP;
	}
	ip = f + PKT_ETH_LEN;
	if ((ip[0] >> 4) != 4) {
		*why = SG_DROP_IP_VERSION;
		return PKT_DROP;
	}
	ihl = (unsigned)(ip[0] & 0xf) * 4;
	if (ihl < PKT_IP4_LEN || ihl > len - PKT_ETH_LEN) {
		*why = SG_DROP_IP_BAD_IHL;
		return PKT_DROP;
	}
	tot = rd16(ip + 2);
	if (tot < ihl || tot > len - PKT_ETH_LEN) {
		*why = SG_DROP_IP_BAD_TOTLEN;
		return PKT_DROP;
	}
	/* MF set or a non-zero offset: syngate does not reassemble. */
	if (rd16(ip + 6) & 0x3fff) {
		*why = SG_DROP_IP_FRAGMENT;
		return PKT_DROP;
	}
	if ((ck & PKT_CK_IP_BAD) ||
	    (!(ck & PKT_CK_IP_GOOD) &&
	     fold(pkt_csum_partial(ip, ihl, 0)) != 0xffff)) {
		*why = SG_DROP_IP_BAD_CKSUM;
		return PKT_DROP;
	}
	if (martian(ip + 12)) {
		*why = SG_DROP_IP_MARTIAN;
		return PKT_DROP;
	}
	memcpy(&pi->flow.raddr, ip + 12, 4);
	memcpy(&pi->flow.laddr, ip + 16, 4);
	pi->l3_off = PKT_ETH_LEN;
	pi->l4_off = (uint16_t)(PKT_ETH_LEN + ihl);
	pi->l3_end = (uint16_t)(PKT_ETH_LEN + tot);
	switch (ip[9]) {
	case IPPROTO_TCP_:
		return parse_tcp(ip, tot - ihl, ck, pi, why);
	case IPPROTO_ICMP_:
		return parse_icmp(ip + ihl, tot - ihl, ck, why);
	default:
		*why = SG_DROP_L4_PROTO;
		return PKT_DROP;
	}
}

static inline void
swap_mac(uint8_t *f, const uint8_t *new_src)
{
	memcpy(f, f + 6, 6);
	memcpy(f + 6, new_src, 6);
}

uint32_t
pkt_arp_reply(uint8_t *f, const uint8_t our_mac[6])
{
	uint8_t *a = f + PKT_ETH_LEN;
	uint8_t ip[4];

	swap_mac(f, our_mac);
	wr16(a + 6, 2);				/* op: reply */
	memcpy(ip, a + 24, 4);			/* the address asked for */
	memcpy(a + 18, a + 8, 6);		/* target = the asker */
	memcpy(a + 24, a + 14, 4);
	memcpy(a + 8, our_mac, 6);		/* sender = us */
	memcpy(a + 14, ip, 4);
	return PKT_ETH_LEN + 28;
}

static uint32_t
icmp6_echo_reply(uint8_t *f, const struct pkt_info *pi)
{
	uint8_t *ip6 = f + pi->l3_off, *ic = f + pi->l4_off;
	unsigned l4_len = pi->l3_end - pi->l4_off;
	uint8_t mac[6], addr[16];

	/* Extension headers the request had are dropped from the reply. */
	memcpy(mac, f, 6);
	swap_mac(f, mac);
	memcpy(addr, ip6 + 8, 16);
	memcpy(ip6 + 8, ip6 + 24, 16);
	memcpy(ip6 + 24, addr, 16);
	if (pi->l4_off != pi->l3_off + PKT_IP6_LEN) {
		memmove(ip6 + PKT_IP6_LEN, ic, l4_len);
		ic = ip6 + PKT_IP6_LEN;
	}
	wr16(ip6 + 4, (uint16_t)l4_len);
	ip6[6] = NH_ICMPV6;
	ip6[7] = 64;
	ic[0] = ICMP6_ECHO_REPLY;
	ic[2] = ic[3] = 0;
	*(uint16_t *)(void *)(ic + 2) = pkt_l4_6_cksum(ip6, NH_ICMPV6, ic,
						       l4_len);
	return PKT_ETH_LEN + PKT_IP6_LEN + l4_len;
}

uint32_t
pkt_icmp_echo_reply(uint8_t *f, const struct pkt_info *pi)
{
	uint8_t *ip = f + pi->l3_off, *ic = f + pi->l4_off;
	unsigned ihl = pi->l4_off - pi->l3_off;
	uint8_t mac[6], addr[4];

	unsigned l4_len = pi->l3_end - pi->l4_off;

	if (pi->family == 6)
		return icmp6_echo_reply(f, pi);
	memcpy(mac, f, 6);			/* we were the destination */
	swap_mac(f, mac);
	memcpy(addr, ip + 12, 4);
	memcpy(ip + 12, ip + 16, 4);
	memcpy(ip + 16, addr, 4);
	/* IP options the request had (a source route, a record route) are
	 * not sent back (RFC 1812 4.3.2.4 lets us; Linux strips most). */
	if (ihl != PKT_IP4_LEN) {
		memmove(ip + PKT_IP4_LEN, ic, l4_len);
		ic = ip + PKT_IP4_LEN;
		ihl = PKT_IP4_LEN;
		ip[0] = 0x45;
		wr16(ip + 2, (uint16_t)(PKT_IP4_LEN + l4_len));
	}
	ip[8] = 64;
	ip[10] = ip[11] = 0;
	*(uint16_t *)(void *)(ip + 10) = pkt_ip4_cksum(ip, ihl);
	ic[0] = 0;				/* echo reply */
	ic[2] = ic[3] = 0;
	*(uint16_t *)(void *)(ic + 2) = (uint16_t)~fold(
		pkt_csum_partial(ic, l4_len, 0));
	return pi->l3_off + PKT_IP4_LEN + l4_len;
}

uint32_t
pkt_nd_na_reply(uint8_t *f, const struct pkt_info *pi,
		const uint8_t our_mac[6])
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t all_nodes_mac[6] = { 0x33, 0x33, 0, 0, 0, 1 };
	uint8_t *ip6 = f + PKT_ETH_LEN, *na = ip6 + PKT_IP6_LEN;
	bool dad = ip6_is_unspec(ip6 + 8);
	const unsigned l4_len = 24 + 8;

	/* To the asker (its L2 source), or to all nodes when it has no
	 * address yet; from the target, which is ours. */
	if (dad) {
		memcpy(f, all_nodes_mac, 6);
		memcpy(ip6 + 24, all_nodes, 16);
	} else {
		memcpy(f, f + 6, 6);
		memcpy(ip6 + 24, ip6 + 8, 16);
	}
	memcpy(f + 6, our_mac, 6);
	memcpy(ip6 + 8, pi->flow6.laddr, 16);
	ip6[0] = 0x60;
	ip6[1] = ip6[2] = ip6[3] = 0;
	wr16(ip6 + 4, (uint16_t)l4_len);
	ip6[6] = NH_ICMPV6;
	ip6[7] = 255;				/* RFC 4861 7.1.2 */
	na[0] = ND_NEIGHBOR_ADVERT;
	na[1] = 0;
	na[2] = na[3] = 0;
	/* R = 0, S unless DAD, O = 1 (RFC 4861 7.2.4). */
	na[4] = dad ? 0x20 : 0x60;
	na[5] = na[6] = na[7] = 0;
	memcpy(na + 8, pi->flow6.laddr, 16);
	na[24] = ND_OPT_TARGET_LLADDR;
	na[25] = 1;
	memcpy(na + 26, our_mac, 6);
	*(uint16_t *)(void *)(na + 2) = pkt_l4_6_cksum(ip6, NH_ICMPV6, na,
						       l4_len);
	return PKT_ND_NA_LEN;
}

/* Store 4 bytes given as they lie in memory (a native load of them). */
static inline void
st32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static inline uint16_t
fold64(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	return fold((uint32_t)((s & 0xffff) + (s >> 16)));
}

/*
 * Where a segment goes: the flow's addresses and ports as received (r =
 * the peer, l = us; IPv6 addresses from f6, ports from f4) and the two
 * MACs.  pkt_tcp_build takes them from a pkt_tcp_out, pkt_tcp_reply from
 * the segment being answered, where they already lie.
 */
struct seg_addr {
	const struct flow4 *f4;
	const struct flow6 *f6;
	const uint8_t *dst_mac;
	const uint8_t *src_mac;
};

/*
 * The TCP header, options and payload of t at th (ports from f), for
 * either family: the header a 32-bit word at a time, its checksum sum
 * (checksum field 0) in *sum from the words while they are in registers
 * and from the options as they are written; only a payload is read back (pkt_csum_partial).  Same
 * bytes as writing them one by one (test_build_reparses, the fuzzer's
 * round trips).  With sum NULL (checksum offloaded) nothing is summed
 * and the payload is not read back.  Returns the segment's length.
 */
static __rte_always_inline unsigned
tcp_write_sum(uint8_t *th, const struct pkt_tcp_out *t,
	      const struct flow4 *f, uint64_t *sum)
{
	uint16_t ports[2] = { f->lport, f->rport };
	unsigned hlen;
	uint32_t w_ports, w_seq, w_ack, w_off;
	uint64_t s = 0;

	hlen = PKT_TCP_LEN + opts_write_sum(th + PKT_TCP_LEN, &t->opts, &s);
	memcpy(&w_ports, ports, 4);
	w_seq = rte_cpu_to_be_32(t->seq);
	w_ack = rte_cpu_to_be_32(t->ack);
	w_off = rte_cpu_to_be_32((uint32_t)(hlen / 4) << 28 |
				 (uint32_t)t->flags << 16 | t->win);
	st32(th, w_ports);
	st32(th + 4, w_seq);
	st32(th + 8, w_ack);
	st32(th + 12, w_off);
	st32(th + 16, 0);			/* checksum, urgent pointer */
	if (t->data_len != 0)
		memcpy(th + hlen, t->data, t->data_len);
	if (sum != NULL) {
		s += (uint64_t)w_ports + w_seq + w_ack + w_off;
		if (t->data_len != 0)
			s = pkt_csum_partial(th + hlen, t->data_len,
					     fold64(s));
		*sum = s;
	}
	return hlen + t->data_len;
}

static __rte_always_inline void
eth_write(uint8_t *buf, const struct seg_addr *a, uint16_t type)
{
	memcpy(buf, a->dst_mac, 6);
	memcpy(buf + 6, a->src_mac, 6);
	wr16(buf + 12, type);
}

static __rte_always_inline uint32_t
tcp6_build(uint8_t *buf, const struct pkt_tcp_out *t,
	   const struct seg_addr *a, int ck_mode)
{
	uint8_t *ip6 = buf + PKT_ETH_LEN, *th = ip6 + PKT_IP6_LEN;
	uint64_t s = 0;
	unsigned tcp_len = tcp_write_sum(th, t, a->f4,
					 ck_mode == PKT_TX_CK_OFF ? NULL : &s);
	uint32_t ph;
	uint16_t ck;

	eth_write(buf, a, ETH_P_IPV6);
	ip6[0] = 0x60;
	ip6[1] = ip6[2] = ip6[3] = 0;
	wr16(ip6 + 4, (uint16_t)tcp_len);
	ip6[6] = IPPROTO_TCP_;
	ip6[7] = 64;
	memcpy(ip6 + 8, a->f6->laddr, 16);
	memcpy(ip6 + 24, a->f6->raddr, 16);
	ph = phdr6_sum(ip6, IPPROTO_TCP_, tcp_len);
	ck = ck_mode == PKT_TX_CK_OFF ? fold(ph) :
	     (uint16_t)~fold64(s + ph);
	memcpy(th + 16, &ck, 2);
	return PKT_ETH_LEN + PKT_IP6_LEN + tcp_len;
}

/* IPv4: the IP header also a word at a time, its sum from registers. */
static __rte_always_inline uint32_t
tcp4_build(uint8_t *buf, const struct pkt_tcp_out *t,
	   const struct seg_addr *a, int ck_mode)
{
	uint8_t *ip = buf + PKT_ETH_LEN, *th = ip + PKT_IP4_LEN;
	const struct flow4 *f = a->f4;
	unsigned tcp_len;
	uint32_t w_ip0, phdr;
	uint64_t s, st = 0;
	uint16_t ck;

	tcp_len = tcp_write_sum(th, t, f,
				ck_mode == PKT_TX_CK_OFF ? NULL : &st);
	eth_write(buf, a, ETH_P_IP);

	/* version/IHL, TOS, total length; ID 0, DF; TTL 64, TCP, sum 0 */
	w_ip0 = rte_cpu_to_be_32(0x45000000u | (PKT_IP4_LEN + tcp_len));
	st32(ip, w_ip0);
	st32(ip + 4, rte_cpu_to_be_32(0x00004000u));
	st32(ip + 8, rte_cpu_to_be_32(0x40060000u));
	st32(ip + 12, f->laddr);
	st32(ip + 16, f->raddr);

	phdr = rte_cpu_to_be_16((uint16_t)IPPROTO_TCP_) +
	       rte_cpu_to_be_16((uint16_t)tcp_len);
	s = (uint64_t)f->laddr + f->raddr + phdr;
	if (ck_mode == PKT_TX_CK_OFF) {
		ck = fold64(s);
	} else {
		uint64_t is = (uint64_t)w_ip0 +
			      rte_cpu_to_be_32(0x00004000u) +
			      rte_cpu_to_be_32(0x40060000u) +
			      f->laddr + f->raddr;

		ck = (uint16_t)~fold64(is);
		memcpy(ip + 10, &ck, 2);
		ck = (uint16_t)~fold64(s + st);
	}
	memcpy(th + 16, &ck, 2);
	return PKT_ETH_LEN + PKT_IP4_LEN + tcp_len;
}

uint32_t
pkt_tcp_build(uint8_t *buf, const struct pkt_tcp_out *t, int ck_mode)
{
	const struct seg_addr a = {
		.f4 = &t->flow, .f6 = &t->flow6,
		.dst_mac = t->dst_mac, .src_mac = t->src_mac,
	};

	return t->family == 6 ? tcp6_build(buf, t, &a, ck_mode) :
				tcp4_build(buf, t, &a, ck_mode);
}

uint32_t
pkt_tcp_reply(uint8_t *frame, const struct pkt_info *in,
	      const uint8_t *src_mac, const struct pkt_tcp_out *t,
	      int ck_mode)
{
	uint8_t peer[6];
	const struct seg_addr a = {
		.f4 = &in->flow, .f6 = &in->flow6,
		.dst_mac = peer, .src_mac = src_mac,
	};

	memcpy(peer, frame + 6, 6);	/* the frame's source, overwritten */
	return in->family == 6 ? tcp6_build(frame, t, &a, ck_mode) :
				 tcp4_build(frame, t, &a, ck_mode);
}
