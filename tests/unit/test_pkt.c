/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet layer on hand-built frames: every field of a valid SYN, ARP
 * and ICMP replies, one case per drop reason, NIC checksum flags, option
 * corner cases, and every truncation of every valid frame (run under ASan
 * in CI: no read past the frame).  Checksums are checked with the test's
 * own RFC 1071 sum, not the library's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_common.h>

#include "pkt.h"

/* ---- an independent RFC 1071 checksum ------------------------------- */

static uint32_t
sum16(const uint8_t *p, size_t n, uint32_t s)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t
fold_not(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Write the IPv4 header checksum (network order) of frame f. */
static void
fix_ip(uint8_t *f)
{
	uint8_t *ip = f + 14;
	unsigned ihl = (ip[0] & 0xf) * 4;
	uint16_t c;

	ip[10] = ip[11] = 0;
	c = fold_not(sum16(ip, ihl, 0));
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

static void
fix_tcp(uint8_t *f)
{
	uint8_t *ip = f + 14;
	unsigned ihl = (ip[0] & 0xf) * 4;
	unsigned tot = (unsigned)(ip[2] << 8 | ip[3]);
	unsigned len = tot - ihl;
	uint8_t *th = ip + ihl;
	uint32_t s;
	uint16_t c;

	th[16] = th[17] = 0;
	s = sum16(ip + 12, 8, 0) + 6 + len;
	c = fold_not(sum16(th, len, s));
	th[16] = (uint8_t)(c >> 8);
	th[17] = (uint8_t)c;
}

static bool
ip_ok(const uint8_t *f)
{
	return fold_not(sum16(f + 14, (f[14] & 0xf) * 4, 0)) == 0;
}

static bool
tcp_ok(const uint8_t *f)
{
	const uint8_t *ip = f + 14;
	unsigned ihl = (ip[0] & 0xf) * 4;
	unsigned len = (unsigned)(ip[2] << 8 | ip[3]) - ihl;

	return fold_not(sum16(ip + ihl, len, sum16(ip + 12, 8, 0) + 6 +
				   len)) == 0;
}

/* ---- frames ---------------------------------------------------------- */

/* SYN 198.18.0.2:40000 -> 198.18.0.1:8080, seq 0x01020304, win 29200,
 * options MSS 1460, SACK-permitted, TS 0x11223344/0, NOP, WS 7. */
static const uint8_t syn_tmpl[] = {
	0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00,
	0x45, 0x00, 0x00, 60, 0x00, 0x01, 0x40, 0x00, 64, 6, 0, 0,
	198, 18, 0, 2, 198, 18, 0, 1,
	0x9c, 0x40, 0x1f, 0x90, 0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0,
	0xa0, 0x02, 0x72, 0x10, 0, 0, 0, 0,
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0,
	1, 3, 3, 7,
};

static uint8_t f[256];
static uint32_t flen;

static void
load_syn(void)
{
	memset(f, 0, sizeof(f));
	memcpy(f, syn_tmpl, sizeof(syn_tmpl));
	flen = sizeof(syn_tmpl);
	fix_ip(f);
	fix_tcp(f);
}

static enum sg_drop
parse_drop(const uint8_t *fr, uint32_t len, unsigned ck)
{
	struct pkt_info pi;
	enum sg_drop why = SG_DROP_MAX;

	assert_int_equal(pkt_parse(fr, len, ck, &pi, &why), PKT_DROP);
	return why;
}

static void
test_valid_syn(void **state)
{
	struct pkt_info pi;
	enum sg_drop why;

	(void)state;
	load_syn();
	assert_int_equal(pkt_parse(f, flen, 0, &pi, &why), PKT_TCP);
	assert_int_equal(pi.family, 4);
	assert_int_equal(pi.tcp_flags, TCPF_SYN);
	assert_int_equal(pi.seq, 0x01020304);
	assert_int_equal(pi.ack, 0);
	assert_int_equal(pi.win, 29200);
	assert_memory_equal(&pi.flow.raddr, f + 26, 4);
	assert_memory_equal(&pi.flow.laddr, f + 30, 4);
	assert_memory_equal(&pi.flow.rport, f + 34, 2);
	assert_memory_equal(&pi.flow.lport, f + 36, 2);
	assert_int_equal(pi.l3_off, 14);
	assert_int_equal(pi.l4_off, 34);
	assert_int_equal(pi.payload_off, 74);
	assert_int_equal(pi.payload_len, 0);
	assert_int_equal(pi.l3_end, 74);
	assert_int_equal(pi.opts.o_present,
			 OPT_MSS | OPT_SACKOK | OPT_TS | OPT_WSCALE);
	assert_int_equal(pi.opts.o_mss, 1460);
	assert_int_equal(pi.opts.o_wscale, 7);
	assert_int_equal(pi.opts.o_tsval, 0x11223344);
	assert_int_equal(pi.opts.o_tsecr, 0);
}

static void
test_ethernet_padding(void **state)
{
	struct pkt_info pi;
	enum sg_drop why;

	(void)state;
	load_syn();
	/* A 60-byte minimum frame carrying a 40-byte IP packet. */
	f[16] = 0;
	f[17] = 40;
	f[46] = 0x50;			/* no options */
	fix_ip(f);
	fix_tcp(f);
	memset(f + 54, 0xee, 6);	/* padding, not covered by the sum */
	assert_int_equal(pkt_parse(f, 60, 0, &pi, &why), PKT_TCP);
	assert_int_equal(pi.payload_len, 0);
	assert_int_equal(pi.l3_end, 54);
	/* With 6 bytes of data, payload_len follows IP's total length. */
	load_syn();
	f[16] = 0;
	f[17] = 66;
	fix_ip(f);
	fix_tcp(f);
	assert_int_equal(pkt_parse(f, 100, 0, &pi, &why), PKT_TCP);
	assert_int_equal(pi.payload_len, 6);
	assert_int_equal(pi.payload_off, 74);
}

static void
test_drop_reasons(void **state)
{
	(void)state;
	load_syn();
	assert_int_equal(parse_drop(f, 13, 0), SG_DROP_SHORT_FRAME);
	assert_int_equal(parse_drop(f, 0, 0), SG_DROP_SHORT_FRAME);
	assert_int_equal(parse_drop(f, 30, 0), SG_DROP_IP_SHORT);

	f[12] = 0x86; f[13] = 0xdd;		/* IPv6: not yet */
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_ETHERTYPE);
	f[12] = 0x81; f[13] = 0x00;		/* VLAN */
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_ETHERTYPE);

	load_syn();
	f[14] = 0x65;
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_IP_VERSION);
	load_syn();
	f[14] = 0x44;				/* IHL 16 bytes */
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_IP_BAD_IHL);
	load_syn();
	f[14] = 0x4f;				/* 60 bytes > 40 left */
	assert_int_equal(parse_drop(f, 54, 0), SG_DROP_IP_BAD_IHL);
	load_syn();
	f[17] = 19;				/* total < IHL */
	fix_ip(f);
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_IP_BAD_TOTLEN);
	load_syn();
	f[17] = 61;				/* total > frame */
	fix_ip(f);
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_IP_BAD_TOTLEN);
	load_syn();
	f[20] = 0x20;				/* MF */
	fix_ip(f);
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_IP_FRAGMENT);
	load_syn();
	f[20] = 0x40; f[21] = 0x10;		/* offset, DF */
	fix_ip(f);
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_IP_FRAGMENT);
	load_syn();
	f[24] ^= 0xff;
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_IP_BAD_CKSUM);
	load_syn();
	f[23] = 17;				/* UDP */
	fix_ip(f);
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_L4_PROTO);
}

static void
test_martians(void **state)
{
	static const uint8_t bad[][4] = {
		{ 0, 0, 0, 0 }, { 255, 255, 255, 255 }, { 127, 0, 0, 1 },
		{ 224, 0, 0, 1 }, { 240, 1, 2, 3 },
	};
	unsigned i;

	(void)state;
	for (i = 0; i < RTE_DIM(bad); i++) {
		load_syn();
		memcpy(f + 26, bad[i], 4);
		fix_ip(f);
		fix_tcp(f);
		assert_int_equal(parse_drop(f, flen, 0), SG_DROP_IP_MARTIAN);
	}
}

static void
test_tcp_drops(void **state)
{
	(void)state;
	load_syn();				/* 19 bytes of TCP */
	f[17] = 20 + 19;
	fix_ip(f);
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_TCP_SHORT);
	load_syn();
	f[46] = 0x40;				/* doff 16 bytes */
	fix_tcp(f);
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_TCP_BAD_DOFF);
	load_syn();
	f[46] = 0xf0;				/* 60 > 40 bytes of TCP */
	fix_tcp(f);
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_TCP_BAD_DOFF);
	load_syn();
	f[50] ^= 1;
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_TCP_BAD_CKSUM);
	load_syn();
	f[34] = f[35] = 0;			/* source port 0 */
	fix_tcp(f);
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_TCP_BAD_PORT);
	load_syn();
	f[36] = f[37] = 0;
	fix_tcp(f);
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_TCP_BAD_PORT);
}

static void
test_bad_flags(void **state)
{
	static const uint8_t bad[] = {
		TCPF_SYN | TCPF_FIN, TCPF_SYN | TCPF_RST, 0, TCPF_FIN,
		TCPF_FIN | TCPF_PSH | TCPF_URG, TCPF_PSH,
	};
	unsigned i;

	(void)state;
	for (i = 0; i < sizeof(bad); i++) {
		load_syn();
		f[47] = bad[i];
		fix_tcp(f);
		assert_int_equal(parse_drop(f, flen, 0), SG_DROP_TCP_BAD_FLAGS);
	}
}

/* Replace the 20 option bytes with `o` (padded with EOL). */
static void
set_opts(const uint8_t *o, unsigned n)
{
	load_syn();
	memset(f + 54, 0, 20);
	memcpy(f + 54, o, n);
	fix_tcp(f);
}

static void
test_options(void **state)
{
	struct pkt_info pi;
	enum sg_drop why;
	/* Unknown kind 30 of length 6 skipped, then MSS. */
	static const uint8_t unknown[] = { 30, 6, 1, 2, 3, 4, 2, 4, 1, 0 };
	/* EOL: what follows is not parsed (a bad MSS after it). */
	static const uint8_t eol[] = { 2, 4, 2, 0, 0, 2, 9, 9 };
	/* SACK blocks are skipped by length. */
	static const uint8_t sack[] = { 1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2,
					3, 3, 14 };
	static const uint8_t bad[][20] = {
		{ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 4 },
		{ 30, 0 },		/* length 0 */
		{ 30, 1 },		/* length 1 */
		{ 30, 21 },		/* past the header */
		{ 2, 3, 5 },		/* MSS with the wrong length */
		{ 8, 9 },		/* TS with the wrong length */
		{ 3, 4, 7, 0 },		/* WS with the wrong length */
		{ 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 30 },
	};
	unsigned i;

	(void)state;
	set_opts(unknown, sizeof(unknown));
	assert_int_equal(pkt_parse(f, flen, 0, &pi, &why), PKT_TCP);
	assert_int_equal(pi.opts.o_present, OPT_MSS);
	assert_int_equal(pi.opts.o_mss, 256);
	set_opts(eol, sizeof(eol));
	assert_int_equal(pkt_parse(f, flen, 0, &pi, &why), PKT_TCP);
	assert_int_equal(pi.opts.o_present, OPT_MSS);
	assert_int_equal(pi.opts.o_mss, 512);
	set_opts(sack, sizeof(sack));
	assert_int_equal(pkt_parse(f, flen, 0, &pi, &why), PKT_TCP);
	assert_int_equal(pi.opts.o_present, OPT_WSCALE);
	assert_int_equal(pi.opts.o_wscale, 14);
	for (i = 0; i < RTE_DIM(bad); i++) {
		set_opts(bad[i], 20);
		assert_int_equal(parse_drop(f, flen, 0), SG_DROP_TCP_BAD_OPT);
	}
}

static void
test_nic_checksum_flags(void **state)
{
	struct pkt_info pi;
	enum sg_drop why;

	(void)state;
	load_syn();
	f[24] ^= 0x10;			/* wrong IP checksum... */
	f[50] ^= 0x10;			/* ...and TCP checksum */
	/* The NIC verified both: trusted, no software check. */
	assert_int_equal(pkt_parse(f, flen, PKT_CK_IP_GOOD | PKT_CK_L4_GOOD,
				   &pi, &why), PKT_TCP);
	assert_int_equal(parse_drop(f, flen, PKT_CK_L4_GOOD),
			 SG_DROP_IP_BAD_CKSUM);
	assert_int_equal(parse_drop(f, flen, PKT_CK_IP_GOOD),
			 SG_DROP_TCP_BAD_CKSUM);
	/* The NIC says bad: dropped even if the bytes were right. */
	load_syn();
	assert_int_equal(parse_drop(f, flen, PKT_CK_IP_BAD),
			 SG_DROP_IP_BAD_CKSUM);
	assert_int_equal(parse_drop(f, flen, PKT_CK_IP_GOOD | PKT_CK_L4_BAD),
			 SG_DROP_TCP_BAD_CKSUM);
}

static const uint8_t arp_req[42] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 0x02,
	0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
	0x02, 0, 0, 0, 0, 0x02, 198, 18, 0, 2,
	0, 0, 0, 0, 0, 0, 198, 18, 0, 1,
};

static void
test_arp(void **state)
{
	static const uint8_t mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	struct pkt_info pi;
	enum sg_drop why;
	uint8_t a[64];

	(void)state;
	memcpy(a, arp_req, sizeof(arp_req));
	assert_int_equal(pkt_parse(a, 42, 0, &pi, &why), PKT_ARP);
	assert_memory_equal(&pi.flow.laddr, a + 38, 4);
	assert_memory_equal(&pi.flow.raddr, a + 28, 4);
	assert_int_equal(pkt_arp_reply(a, mac), 42);
	assert_memory_equal(a, arp_req + 6, 6);		/* to the asker */
	assert_memory_equal(a + 6, mac, 6);
	assert_int_equal(a[21], 2);
	assert_memory_equal(a + 22, mac, 6);		/* sender: us */
	assert_memory_equal(a + 28, arp_req + 38, 4);
	assert_memory_equal(a + 32, arp_req + 22, 6);	/* target: asker */
	assert_memory_equal(a + 38, arp_req + 28, 4);

	memcpy(a, arp_req, sizeof(arp_req));
	a[21] = 2;					/* a reply */
	assert_int_equal(parse_drop(a, 42, 0), SG_DROP_ARP_MALFORMED);
	memcpy(a, arp_req, sizeof(arp_req));
	a[18] = 8;					/* hlen */
	assert_int_equal(parse_drop(a, 42, 0), SG_DROP_ARP_MALFORMED);
	assert_int_equal(parse_drop(arp_req, 41, 0), SG_DROP_ARP_MALFORMED);
}

static const uint8_t echo_req[] = {
	0x02, 0, 0, 0, 0, 0x01, 0x02, 0, 0, 0, 0, 0x02, 0x08, 0x00,
	0x45, 0, 0, 32, 0x12, 0x34, 0x40, 0, 64, 1, 0, 0,
	198, 18, 0, 2, 198, 18, 0, 1,
	8, 0, 0, 0, 0x01, 0x02, 0x00, 0x07, 'p', 'i', 'n', 'g',
};

static void
load_echo(uint8_t *e)
{
	uint16_t c;

	memcpy(e, echo_req, sizeof(echo_req));
	fix_ip(e);
	c = fold_not(sum16(e + 34, 12, 0));
	e[36] = (uint8_t)(c >> 8);
	e[37] = (uint8_t)c;
}

static void
test_icmp(void **state)
{
	struct pkt_info pi;
	enum sg_drop why;
	uint8_t e[64];

	(void)state;
	load_echo(e);
	assert_int_equal(pkt_parse(e, sizeof(echo_req), 0, &pi, &why),
			 PKT_ICMP_ECHO);
	assert_int_equal(pkt_icmp_echo_reply(e, &pi), sizeof(echo_req));
	assert_memory_equal(e, echo_req + 6, 6);
	assert_memory_equal(e + 6, echo_req, 6);
	assert_memory_equal(e + 26, echo_req + 30, 4);
	assert_memory_equal(e + 30, echo_req + 26, 4);
	assert_int_equal(e[34], 0);
	assert_memory_equal(e + 38, echo_req + 38, 8);
	assert_true(ip_ok(e));
	assert_int_equal(fold_not(sum16(e + 34, 12, 0)), 0);

	load_echo(e);
	e[45] ^= 1;
	assert_int_equal(parse_drop(e, sizeof(echo_req), 0),
			 SG_DROP_ICMP_BAD_CKSUM);
	load_echo(e);
	e[17] = 20 + 4;
	fix_ip(e);
	assert_int_equal(parse_drop(e, sizeof(echo_req), 0),
			 SG_DROP_ICMP_SHORT);
	memcpy(e, echo_req, sizeof(echo_req));
	e[34] = 13;					/* timestamp */
	fix_ip(e);
	{
		uint16_t c;

		e[36] = e[37] = 0;
		c = fold_not(sum16(e + 34, 12, 0));
		e[36] = (uint8_t)(c >> 8);
		e[37] = (uint8_t)c;
	}
	assert_int_equal(parse_drop(e, sizeof(echo_req), 0), SG_DROP_ICMP_TYPE);
}

static void
test_build_reparses(void **state)
{
	struct pkt_tcp_out t;
	struct pkt_info pi;
	enum sg_drop why;
	unsigned present;
	uint32_t len;

	(void)state;
	for (present = 0; present < 16; present++) {
		memset(&t, 0, sizeof(t));
		t.flow.raddr = 0x020012c6;	/* 198.18.0.2 */
		t.flow.laddr = 0x010012c6;
		t.flow.rport = 0x409c;
		t.flow.lport = 0x901f;
		memset(t.dst_mac, 0x02, 6);
		memset(t.src_mac, 0x04, 6);
		t.seq = 0xdeadbeef;
		t.ack = 0x01020305;
		t.flags = TCPF_SYN | TCPF_ACK;
		t.win = 65535;
		t.opts.o_present = (uint8_t)present;
		t.opts.o_mss = 1460;
		t.opts.o_wscale = 7;
		t.opts.o_tsval = 42;
		t.opts.o_tsecr = 0x11223344;
		len = pkt_tcp4_build(f, &t, PKT_TX_CK_SW);
		assert_true(len <= PKT_TCP4_MAX_HDR);
		assert_int_equal((len - 54) % 4, 0);
		assert_true(ip_ok(f));
		assert_true(tcp_ok(f));
		assert_int_equal(f[20] & 0x40, 0x40);	/* DF */
		assert_int_equal(pkt_parse(f, len, 0, &pi, &why), PKT_TCP);
		/* The peer sees our l* as its r*. */
		assert_int_equal(pi.flow.raddr, t.flow.laddr);
		assert_int_equal(pi.flow.laddr, t.flow.raddr);
		assert_int_equal(pi.flow.rport, t.flow.lport);
		assert_int_equal(pi.flow.lport, t.flow.rport);
		assert_int_equal(pi.seq, t.seq);
		assert_int_equal(pi.ack, t.ack);
		assert_int_equal(pi.win, t.win);
		assert_int_equal(pi.tcp_flags, t.flags);
		assert_int_equal(pi.opts.o_present, present);
		if (present & OPT_MSS)
			assert_int_equal(pi.opts.o_mss, 1460);
		if (present & OPT_WSCALE)
			assert_int_equal(pi.opts.o_wscale, 7);
		if (present & OPT_TS) {
			assert_int_equal(pi.opts.o_tsval, 42);
			assert_int_equal(pi.opts.o_tsecr, 0x11223344);
		}
		assert_memory_equal(f, t.dst_mac, 6);
		assert_memory_equal(f + 6, t.src_mac, 6);
	}
	/* Offload mode: IP checksum zero, TCP field = pseudo header sum. */
	len = pkt_tcp4_build(f, &t, PKT_TX_CK_OFF);
	assert_int_equal(f[24] | f[25], 0);
	{
		uint32_t s = sum16(f + 26, 8, 0) + 6 + (len - 34);
		uint16_t ph;

		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		ph = (uint16_t)s;
		assert_int_equal(f[50] << 8 | f[51], ph);
	}
}

/* Every valid frame cut at every length: never a crash or an out-of-
 * bounds read (the frame is copied into an exact-size heap buffer so ASan
 * sees any overrun), and a drop whenever the cut removes needed bytes. */
static void
test_truncations(void **state)
{
	uint8_t e[64];
	const uint8_t *frames[3];
	uint32_t lens[3];
	unsigned i, n;

	(void)state;
	load_syn();
	load_echo(e);
	frames[0] = f; lens[0] = flen;
	frames[1] = e; lens[1] = sizeof(echo_req);
	frames[2] = arp_req; lens[2] = sizeof(arp_req);
	for (i = 0; i < 3; i++)
		for (n = 0; n < lens[i]; n++) {
			uint8_t *cut = malloc(n ? n : 1);
			struct pkt_info pi;
			enum sg_drop why;

			memcpy(cut, frames[i], n);
			assert_int_equal(pkt_parse(cut, n, 0, &pi, &why),
					 PKT_DROP);
			free(cut);
		}
}

static void
test_opts_round_trip(void **state)
{
	struct pkt_tcp_opts o, p;
	uint8_t buf[PKT_TCP_MAXOPT];
	unsigned present, n;

	(void)state;
	for (present = 0; present < 16; present++) {
		memset(&o, 0, sizeof(o));
		o.o_present = (uint8_t)present;
		o.o_mss = 9000;
		o.o_wscale = 14;
		o.o_tsval = 0xfffffffe;
		o.o_tsecr = 1;
		n = pkt_tcp_opts_write(buf, &o);
		assert_int_equal(n % 4, 0);
		assert_true(n <= PKT_TCP_MAXOPT);
		assert_int_equal(pkt_tcp_opts_parse(buf, n, &p), 0);
		assert_int_equal(p.o_present, present);
		if (present & OPT_MSS)
			assert_int_equal(p.o_mss, 9000);
		if (present & OPT_TS)
			assert_int_equal(p.o_tsval, 0xfffffffe);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_syn),
		cmocka_unit_test(test_ethernet_padding),
		cmocka_unit_test(test_drop_reasons),
		cmocka_unit_test(test_martians),
		cmocka_unit_test(test_tcp_drops),
		cmocka_unit_test(test_bad_flags),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_nic_checksum_flags),
		cmocka_unit_test(test_arp),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_build_reparses),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_opts_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
