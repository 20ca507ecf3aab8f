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
#define IPPROTO_ICMP_	1
#define IPPROTO_TCP_	6

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

static inline void
wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
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
	uint16_t s = fold(__rte_raw_cksum(ip, ihl_bytes, 0));

	return (uint16_t)~s;
}

/* Sum of the IPv4 pseudo header for a TCP segment of tcp_len bytes. */
static inline uint32_t
phdr_sum(const uint8_t *ip, unsigned tcp_len)
{
	uint32_t s = __rte_raw_cksum(ip + 12, 8, 0);

	s += rte_cpu_to_be_16((uint16_t)IPPROTO_TCP_);
	s += rte_cpu_to_be_16((uint16_t)tcp_len);
	return s;
}

uint16_t
pkt_tcp4_cksum(const uint8_t *ip, const uint8_t *tcp, unsigned tcp_len)
{
	uint32_t s = phdr_sum(ip, tcp_len);

	s = __rte_raw_cksum(tcp, tcp_len, s);
	return (uint16_t)~fold(s);
}

uint16_t
pkt_tcp4_phdr_cksum(const uint8_t *ip, unsigned tcp_len)
{
	return fold(phdr_sum(ip, tcp_len));
}

int
pkt_tcp_opts_parse(const uint8_t *opt, unsigned len, struct pkt_tcp_opts *o)
{
	unsigned i = 0, olen;

	o->o_present = 0;
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

unsigned
pkt_tcp_opts_write(uint8_t *opt, const struct pkt_tcp_opts *o)
{
	unsigned n = 0;

	if (o->o_present & OPT_MSS) {
		opt[n++] = TCPOPT_MSS;
		opt[n++] = 4;
		wr16(opt + n, o->o_mss);
		n += 2;
	}
	if (o->o_present & OPT_TS) {
		if (o->o_present & OPT_SACKOK) {
			opt[n++] = TCPOPT_SACKOK;
			opt[n++] = 2;
		} else {
			opt[n++] = TCPOPT_NOP;
			opt[n++] = TCPOPT_NOP;
		}
		opt[n++] = TCPOPT_TS;
		opt[n++] = 10;
		wr32(opt + n, o->o_tsval);
		wr32(opt + n + 4, o->o_tsecr);
		n += 8;
	} else if (o->o_present & OPT_SACKOK) {
		opt[n++] = TCPOPT_NOP;
		opt[n++] = TCPOPT_NOP;
		opt[n++] = TCPOPT_SACKOK;
		opt[n++] = 2;
	}
	if (o->o_present & OPT_WSCALE) {
		opt[n++] = TCPOPT_NOP;
		opt[n++] = TCPOPT_WS;
		opt[n++] = 3;
		opt[n++] = o->o_wscale;
	}
	return n;
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
	    fold(__rte_raw_cksum(th, l4_len, phdr_sum(ip, l4_len))) !=
	    0xffff) {
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
	if (fold(__rte_raw_cksum(ic, l4_len, 0)) != 0xffff) {
		*why = SG_DROP_ICMP_BAD_CKSUM;
		return PKT_DROP;
	}
	if (ic[0] != 8 || ic[1] != 0) {
		*why = SG_DROP_ICMP_TYPE;
		return PKT_DROP;
	}
	return PKT_ICMP_ECHO;
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
	et = rd16(f + 12);
	pi->family = 4;
	if (et == ETH_P_ARP)
		return parse_arp(f, len, pi, why);
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
	     fold(__rte_raw_cksum(ip, ihl, 0)) != 0xffff)) {
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

uint32_t
pkt_icmp_echo_reply(uint8_t *f, const struct pkt_info *pi)
{
	uint8_t *ip = f + pi->l3_off, *ic = f + pi->l4_off;
	unsigned ihl = pi->l4_off - pi->l3_off;
	uint8_t mac[6], addr[4];

	memcpy(mac, f, 6);			/* we were the destination */
	swap_mac(f, mac);
	memcpy(addr, ip + 12, 4);
	memcpy(ip + 12, ip + 16, 4);
	memcpy(ip + 16, addr, 4);
	ip[8] = 64;
	ip[10] = ip[11] = 0;
	*(uint16_t *)(void *)(ip + 10) = pkt_ip4_cksum(ip, ihl);
	ic[0] = 0;				/* echo reply */
	ic[2] = ic[3] = 0;
	*(uint16_t *)(void *)(ic + 2) = (uint16_t)~fold(
		__rte_raw_cksum(ic, pi->l3_end - pi->l4_off, 0));
	return pi->l3_end;
}

uint32_t
pkt_tcp4_build(uint8_t *buf, const struct pkt_tcp_out *t, int ck_mode)
{
	uint8_t *ip = buf + PKT_ETH_LEN, *th = ip + PKT_IP4_LEN;
	unsigned olen = pkt_tcp_opts_write(th + PKT_TCP_LEN, &t->opts);
	unsigned hlen = PKT_TCP_LEN + olen;
	unsigned tcp_len = hlen + t->data_len;
	uint16_t *ipck = (uint16_t *)(void *)(ip + 10);
	uint16_t *tck = (uint16_t *)(void *)(th + 16);

	memcpy(buf, t->dst_mac, 6);
	memcpy(buf + 6, t->src_mac, 6);
	wr16(buf + 12, ETH_P_IP);

	ip[0] = 0x45;
	ip[1] = 0;
	wr16(ip + 2, (uint16_t)(PKT_IP4_LEN + tcp_len));
	wr16(ip + 4, 0);
	wr16(ip + 6, 0x4000);			/* DF */
	ip[8] = 64;
	ip[9] = IPPROTO_TCP_;
	*ipck = 0;
	memcpy(ip + 12, &t->flow.laddr, 4);
	memcpy(ip + 16, &t->flow.raddr, 4);

	memcpy(th, &t->flow.lport, 2);
	memcpy(th + 2, &t->flow.rport, 2);
	wr32(th + 4, t->seq);
	wr32(th + 8, t->ack);
	th[12] = (uint8_t)((hlen / 4) << 4);
	th[13] = t->flags;
	wr16(th + 14, t->win);
	*tck = 0;
	wr16(th + 18, 0);
	if (t->data_len != 0)
		memcpy(th + hlen, t->data, t->data_len);

	if (ck_mode == PKT_TX_CK_OFF) {
		*tck = pkt_tcp4_phdr_cksum(ip, tcp_len);
	} else {
		*ipck = pkt_ip4_cksum(ip, PKT_IP4_LEN);
		*tck = pkt_tcp4_cksum(ip, th, tcp_len);
	}
	return PKT_ETH_LEN + PKT_IP4_LEN + tcp_len;
}
