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

#include <rte_byteorder.h>
#include <rte_ip.h>

#include "sg_internal.h"

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

static uint16_t
fold16(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/*
 * pkt_csum_partial (32-bit words, 64-bit accumulator) gives the same
 * ones'-complement sum as DPDK's __rte_raw_cksum for every length 0..300
 * and 1500, every start offset 0..7, with and without a carried-in sum,
 * over random bytes and over all-0xff bytes (the carry-heavy case); and
 * what it returns leaves room for a few 16-bit words before the fold.
 */
static void
test_csum_partial_matches_dpdk(void **state)
{
	static uint8_t buf[1600];
	static const uint32_t seeds[] = { 0, 1, 0xffff, 0x1fffe, 0x7ffffff0 };
	unsigned len, off, i, fill;

	(void)state;
	srand(7);
	for (fill = 0; fill < 2; fill++) {
		for (i = 0; i < sizeof(buf); i++)
			buf[i] = fill ? 0xff : (uint8_t)rand();
		for (len = 0; len <= 1500; len = len < 300 ? len + 1 : len == 300 ? 1500 : 1501)
			for (off = 0; off < 8; off++)
				for (i = 0; i < RTE_DIM(seeds); i++) {
					uint32_t a = pkt_csum_partial(
						buf + off, len, seeds[i]);
					uint32_t b = __rte_raw_cksum(
						buf + off, len, seeds[i]);

					assert_true(a <= 0x1ffff);
					assert_int_equal(fold16(a), fold16(b));
				}
	}
	/* A frame's real checksum: the header verifies to 0xffff. */
	{
		uint8_t ip[20] = { 0x45, 0, 0, 40, 0x12, 0x34, 0x40, 0, 64, 6,
				   0, 0, 198, 18, 0, 2, 198, 18, 0, 1 };
		uint16_t c = (uint16_t)~fold16(pkt_csum_partial(ip, 20, 0));

		assert_int_equal(c, rte_ipv4_cksum((const void *)ip));
		memcpy(ip + 10, &c, 2);
		assert_int_equal(fold16(pkt_csum_partial(ip, 20, 0)), 0xffff);
	}
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

	f[12] = 0x86; f[13] = 0xdd;		/* IPv6 type, v4 header */
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_IP_VERSION);
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
	/* A multicast or broadcast Ethernet source: a reply would go to a
	 * whole segment. */
	load_syn();
	f[6] |= 1;
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_ETH_SRC_MCAST);
	memset(f + 6, 0xff, 6);
	assert_int_equal(parse_drop(f, flen, 0), SG_DROP_ETH_SRC_MCAST);
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

/*
 * The two whole-layout fast paths (Linux's SYN options, NOP NOP TS) give
 * what the generic loop gives for the same options in another order, and
 * a layout that only nearly matches falls to the loop, which refuses it.
 */
static void
test_opts_fast_paths(void **state)
{
	static const uint8_t syn[20] = { 2, 4, 0x05, 0xb4, 4, 2, 8, 10,
					 0, 0, 0, 7, 0, 0, 0, 0, 1, 3, 3, 9 };
	/* The same options in another order: the generic loop. */
	static const uint8_t syn_other[20] = { 1, 3, 3, 9, 8, 10, 0, 0, 0, 7,
					       0, 0, 0, 0, 4, 2, 2, 4, 0x05,
					       0xb4 };
	static const uint8_t ack[12] = { 1, 1, 8, 10, 0x11, 0x22, 0x33, 0x44,
					 0x55, 0x66, 0x77, 0x88 };
	static const uint8_t ack_other[12] = { 8, 10, 0x11, 0x22, 0x33, 0x44,
					       0x55, 0x66, 0x77, 0x88, 1, 1 };
	struct pkt_tcp_opts a, b;
	uint8_t bad[20];

	(void)state;
	memset(&a, 0x5a, sizeof(a));
	memset(&b, 0x5a, sizeof(b));
	assert_int_equal(pkt_tcp_opts_parse(syn, 20, &a), 0);
	assert_int_equal(pkt_tcp_opts_parse(syn_other, 20, &b), 0);
	assert_int_equal(a.o_present,
			 OPT_MSS | OPT_SACKOK | OPT_TS | OPT_WSCALE);
	assert_int_equal(a.o_mss, 1460);
	assert_int_equal(a.o_tsval, 7);
	assert_int_equal(a.o_tsecr, 0);
	assert_int_equal(a.o_wscale, 9);
	assert_int_equal(b.o_present, a.o_present);
	assert_int_equal(b.o_mss, a.o_mss);
	assert_int_equal(b.o_tsval, a.o_tsval);
	assert_int_equal(b.o_tsecr, a.o_tsecr);
	assert_int_equal(b.o_wscale, a.o_wscale);

	assert_int_equal(pkt_tcp_opts_parse(ack, 12, &a), 0);
	assert_int_equal(pkt_tcp_opts_parse(ack_other, 12, &b), 0);
	assert_int_equal(a.o_present, OPT_TS);
	assert_int_equal(a.o_tsval, 0x11223344);
	assert_int_equal(a.o_tsecr, 0x55667788);
	assert_int_equal(b.o_present, OPT_TS);
	assert_int_equal(b.o_tsval, a.o_tsval);
	assert_int_equal(b.o_tsecr, a.o_tsecr);

	/* Near misses go to the loop and are refused there. */
	memcpy(bad, syn, 20);
	bad[18] = 4;			/* WS length 4: past the end */
	assert_int_equal(pkt_tcp_opts_parse(bad, 20, &a), -1);
	memcpy(bad, syn, 20);
	bad[1] = 5;			/* MSS length 5 */
	assert_int_equal(pkt_tcp_opts_parse(bad, 20, &a), -1);
	memcpy(bad, ack, 12);
	bad[3] = 9;			/* TS length 9 */
	assert_int_equal(pkt_tcp_opts_parse(bad, 12, &a), -1);
	/* A near miss the loop accepts: SACK-permitted replaced by NOPs. */
	memcpy(bad, syn, 20);
	bad[4] = bad[5] = 1;
	assert_int_equal(pkt_tcp_opts_parse(bad, 20, &a), 0);
	assert_int_equal(a.o_present, OPT_MSS | OPT_TS | OPT_WSCALE);
}

/* The 12-byte SYNs without timestamps: Linux's (MSS, NOP NOP SACK-perm,
 * NOP WS) and Windows' (MSS, NOP WS, NOP NOP SACK-perm) are recognised
 * whole and read as the generic loop reads the same options shuffled. */
static void
test_opts_fast_syn12(void **state)
{
	static const uint8_t lin[12] = { 2, 4, 0x05, 0xb4, 1, 1, 4, 2,
					 1, 3, 3, 7 };
	static const uint8_t win[12] = { 2, 4, 0x05, 0xa0, 1, 3, 3, 8,
					 1, 1, 4, 2 };
	/* the same three options, other orders: the loop */
	static const uint8_t lin_loop[12] = { 4, 2, 1, 3, 3, 7, 1, 1,
					      2, 4, 0x05, 0xb4 };
	static const uint8_t win_loop[12] = { 1, 3, 3, 8, 2, 4, 0x05, 0xa0,
					      4, 2, 1, 1 };
	struct pkt_tcp_opts a, b;
	uint8_t bad[12];

	(void)state;
	memset(&a, 0x5a, sizeof(a));
	memset(&b, 0x5a, sizeof(b));
	assert_int_equal(pkt_tcp_opts_parse(lin, 12, &a), 0);
	assert_int_equal(pkt_tcp_opts_parse(lin_loop, 12, &b), 0);
	assert_int_equal(a.o_present, OPT_MSS | OPT_SACKOK | OPT_WSCALE);
	assert_int_equal(a.o_mss, 1460);
	assert_int_equal(a.o_wscale, 7);
	assert_int_equal(b.o_present, a.o_present);
	assert_int_equal(b.o_mss, a.o_mss);
	assert_int_equal(b.o_wscale, a.o_wscale);
	assert_int_equal(pkt_tcp_opts_parse(win, 12, &a), 0);
	assert_int_equal(pkt_tcp_opts_parse(win_loop, 12, &b), 0);
	assert_int_equal(a.o_present, OPT_MSS | OPT_SACKOK | OPT_WSCALE);
	assert_int_equal(a.o_mss, 1440);
	assert_int_equal(a.o_wscale, 8);
	assert_int_equal(b.o_present, a.o_present);
	assert_int_equal(b.o_mss, a.o_mss);
	assert_int_equal(b.o_wscale, a.o_wscale);
	/* Near misses go to the loop, which refuses them. */
	memcpy(bad, win, 12);
	bad[6] = 4;			/* WS length 4 */
	assert_int_equal(pkt_tcp_opts_parse(bad, 12, &a), -1);
	memcpy(bad, lin, 12);
	bad[1] = 3;			/* MSS length 3 */
	assert_int_equal(pkt_tcp_opts_parse(bad, 12, &a), -1);
	/* ... or reads them as they are: no SACK-permitted here. */
	memcpy(bad, lin, 12);
	bad[6] = bad[7] = 1;
	assert_int_equal(pkt_tcp_opts_parse(bad, 12, &a), 0);
	assert_int_equal(a.o_present, OPT_MSS | OPT_WSCALE);
	assert_int_equal(a.o_wscale, 7);
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

	/* A request with IP options (here a loose source route): the
	 * reply carries none of them, the ICMP message is intact. */
	{
		static const uint8_t lsrr[8] = { 131, 7, 4, 198, 18, 0, 9,
						 0 };
		uint8_t o[72];
		uint16_t c;

		memcpy(o, echo_req, 34);
		memcpy(o + 34, lsrr, 8);
		memcpy(o + 42, echo_req + 34, 12);
		o[14] = 0x47;
		o[17] = 32 + 8;
		fix_ip(o);
		o[44] = o[45] = 0;
		c = fold_not(sum16(o + 42, 12, 0));
		o[44] = (uint8_t)(c >> 8);
		o[45] = (uint8_t)c;
		assert_int_equal(pkt_parse(o, 54, 0, &pi, &why),
				 PKT_ICMP_ECHO);
		assert_int_equal(pkt_icmp_echo_reply(o, &pi),
				 sizeof(echo_req));
		assert_int_equal(o[14], 0x45);
		assert_int_equal(o[17], 32);
		assert_true(ip_ok(o));
		assert_int_equal(o[34], 0);
		assert_memory_equal(o + 38, echo_req + 38, 8);
		assert_int_equal(fold_not(sum16(o + 34, 12, 0)), 0);
	}
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
		len = pkt_tcp_build(f, &t, PKT_TX_CK_SW);
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
	len = pkt_tcp_build(f, &t, PKT_TX_CK_OFF);
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

/* f[0..n) cut at every shorter length is dropped; each cut is copied into
 * an exact-size heap buffer so ASan sees any read past it. */
static void
assert_every_cut_drops(const uint8_t *fr, uint32_t len)
{
	uint32_t n;

	for (n = 0; n < len; n++) {
		uint8_t *cut = malloc(n ? n : 1);
		struct pkt_info pi;
		enum sg_drop why;

		memcpy(cut, fr, n);
		assert_int_equal(pkt_parse(cut, n, 0, &pi, &why), PKT_DROP);
		free(cut);
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
	unsigned i;

	(void)state;
	load_syn();
	load_echo(e);
	frames[0] = f; lens[0] = flen;
	frames[1] = e; lens[1] = sizeof(echo_req);
	frames[2] = arp_req; lens[2] = sizeof(arp_req);
	for (i = 0; i < 3; i++)
		assert_every_cut_drops(frames[i], lens[i]);
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

/* ---- IPv6 ------------------------------------------------------------ */

static const uint8_t cli6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t srv6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t our_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t peer_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

/* Upper-layer checksum over the IPv6 pseudo header (RFC 8200 8.1). */
static uint32_t
phdr6(const uint8_t *src, const uint8_t *dst, unsigned len, uint8_t proto)
{
	return sum16(src, 16, 0) + sum16(dst, 16, 0) + len + proto;
}

/*
 * Frame eth + IPv6 (next header nh, hop limit hlim) + ext[0..ext_len) +
 * l4[0..l4_len) of protocol proto, whose checksum (at offset 16 for TCP,
 * 2 for ICMPv6) is computed here.  Returns the length.
 */
static uint32_t
build6(uint8_t *b, const uint8_t *src, const uint8_t *dst, uint8_t nh,
       uint8_t hlim, const uint8_t *ext, unsigned ext_len, uint8_t proto,
       const uint8_t *l4, unsigned l4_len)
{
	uint8_t *ip6 = b + 14, *u = ip6 + 40 + ext_len;
	unsigned ck = proto == 6 ? 16 : 2;
	uint16_t c;

	memcpy(b, our_mac, 6);
	memcpy(b + 6, peer_mac, 6);
	b[12] = 0x86;
	b[13] = 0xdd;
	memset(ip6, 0, 40);
	ip6[0] = 0x60;
	ip6[4] = (uint8_t)((ext_len + l4_len) >> 8);
	ip6[5] = (uint8_t)(ext_len + l4_len);
	ip6[6] = nh;
	ip6[7] = hlim;
	memcpy(ip6 + 8, src, 16);
	memcpy(ip6 + 24, dst, 16);
	if (ext_len != 0)
		memcpy(ip6 + 40, ext, ext_len);
	memcpy(u, l4, l4_len);
	u[ck] = u[ck + 1] = 0;
	c = fold_not(sum16(u, l4_len, phdr6(src, dst, l4_len, proto)));
	u[ck] = (uint8_t)(c >> 8);
	u[ck + 1] = (uint8_t)c;
	return 14 + 40 + ext_len + l4_len;
}

/* The SYN template's TCP segment (40 bytes, options included). */
#define SYN_TCP		(syn_tmpl + 34)
#define SYN_TCP_LEN	40

static uint32_t
syn6(uint8_t *b, const uint8_t *src, uint8_t nh, const uint8_t *ext,
     unsigned ext_len)
{
	return build6(b, src, srv6, nh, 64, ext, ext_len, 6, SYN_TCP,
		      SYN_TCP_LEN);
}

static void
test_ip6_tcp(void **state)
{
	/* hop-by-hop (PadN) -> destination options (16 bytes) -> routing
	 * header with no segments left -> TCP */
	static const uint8_t ext[] = {
		60, 0, 1, 4, 0, 0, 0, 0,
		43, 1, 1, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		6, 0, 4, 0, 0, 0, 0, 0,
	};
	uint8_t b[256];
	struct pkt_info pi;
	enum sg_drop why;
	uint32_t len;

	(void)state;
	len = syn6(b, cli6, 6, NULL, 0);
	assert_int_equal(pkt_parse(b, len, 0, &pi, &why), PKT_TCP);
	assert_int_equal(pi.family, 6);
	assert_memory_equal(pi.flow6.raddr, cli6, 16);
	assert_memory_equal(pi.flow6.laddr, srv6, 16);
	assert_int_equal(pi.flow6.rport, rte_cpu_to_be_16(40000));
	assert_int_equal(pi.flow6.lport, rte_cpu_to_be_16(8080));
	/* Ports also in flow (listener lookup), no v4 addresses. */
	assert_int_equal(pi.flow.lport, pi.flow6.lport);
	assert_int_equal(pi.flow.raddr | pi.flow.laddr, 0);
	assert_ptr_equal(pkt_flow_key(&pi), &pi.flow6);
	assert_int_equal(pi.seq, 0x01020304);
	assert_int_equal(pi.tcp_flags, TCPF_SYN);
	assert_int_equal(pi.opts.o_present,
			 OPT_MSS | OPT_SACKOK | OPT_TS | OPT_WSCALE);
	assert_int_equal(pi.l4_off, 54);
	assert_int_equal(pi.payload_len, 0);

	len = syn6(b, cli6, 0, ext, sizeof(ext));
	assert_int_equal(pkt_parse(b, len, 0, &pi, &why), PKT_TCP);
	assert_int_equal(pi.l4_off, 54 + sizeof(ext));
	assert_int_equal(pi.opts.o_mss, 1460);
	assert_int_equal(pi.l3_end, len);
}

static enum sg_drop
drop6(const uint8_t *b, uint32_t len)
{
	return parse_drop(b, len, 0);
}

static void
test_ip6_drops(void **state)
{
	static const uint8_t bad_src[][16] = {
		{ 0xff, 0x02, [15] = 1 },			/* multicast */
		{ [15] = 1 },					/* loopback */
		{ [10] = 0xff, [11] = 0xff, 198, 18, 0, 2 },	/* v4-mapped */
		{ 0 },						/* :: */
	};
	uint8_t ext[9 * 8], b[256];
	uint32_t len;
	unsigned i;

	(void)state;
	len = syn6(b, cli6, 6, NULL, 0);
	assert_int_equal(drop6(b, 53), SG_DROP_IP_SHORT);
	b[14] = 0x40;
	assert_int_equal(drop6(b, len), SG_DROP_IP_VERSION);
	len = syn6(b, cli6, 6, NULL, 0);
	b[18] = b[19] = 0;				/* jumbogram */
	assert_int_equal(drop6(b, len), SG_DROP_IP_BAD_TOTLEN);
	len = syn6(b, cli6, 6, NULL, 0);
	b[19]++;					/* past the frame */
	assert_int_equal(drop6(b, len), SG_DROP_IP_BAD_TOTLEN);
	for (i = 0; i < RTE_DIM(bad_src); i++) {
		len = syn6(b, bad_src[i], 6, NULL, 0);
		assert_int_equal(drop6(b, len), SG_DROP_IP_MARTIAN);
	}
	len = syn6(b, cli6, 6, NULL, 0);
	b[60] ^= 1;					/* TCP checksum */
	assert_int_equal(drop6(b, len), SG_DROP_TCP_BAD_CKSUM);

	/* fragment header, even an atomic one */
	memset(ext, 0, sizeof(ext));
	ext[0] = 6;
	len = syn6(b, cli6, 44, ext, 8);
	assert_int_equal(drop6(b, len), SG_DROP_IP_FRAGMENT);
	/* routing header with a segment left */
	ext[3] = 1;
	len = syn6(b, cli6, 43, ext, 8);
	assert_int_equal(drop6(b, len), SG_DROP_IP6_ROUTING);
	/* hop-by-hop after a destination options header */
	memset(ext, 0, sizeof(ext));
	ext[0] = 0;
	ext[8] = 6;
	len = syn6(b, cli6, 60, ext, 16);
	assert_int_equal(drop6(b, len), SG_DROP_IP6_BAD_EXT);
	/* a header longer than what is left */
	memset(ext, 0, sizeof(ext));
	ext[0] = 6;
	ext[1] = 10;
	len = syn6(b, cli6, 60, ext, 8);
	assert_int_equal(drop6(b, len), SG_DROP_IP6_BAD_EXT);
	/* nine destination options headers: one more than walked */
	memset(ext, 0, sizeof(ext));
	for (i = 0; i < 9; i++)
		ext[8 * i] = i < 8 ? 60 : 6;
	len = syn6(b, cli6, 60, ext, 9 * 8);
	assert_int_equal(drop6(b, len), SG_DROP_IP6_BAD_EXT);
	/* ... while eight pass */
	ext[7 * 8] = 6;
	len = syn6(b, cli6, 60, ext, 8 * 8);
	assert_int_equal(pkt_parse(b, len, 0, &(struct pkt_info){ 0 },
				   &(enum sg_drop){ 0 }), PKT_TCP);
	/* an extension header cut short by the payload length */
	memset(ext, 0, sizeof(ext));
	len = build6(b, cli6, srv6, 60, 64, NULL, 0, 6, ext, 4);
	assert_int_equal(drop6(b, len), SG_DROP_IP6_BAD_EXT);
	/* UDP, ESP, no next header */
	len = syn6(b, cli6, 17, NULL, 0);
	assert_int_equal(drop6(b, len), SG_DROP_L4_PROTO);
	len = syn6(b, cli6, 50, NULL, 0);
	assert_int_equal(drop6(b, len), SG_DROP_L4_PROTO);
	len = syn6(b, cli6, 59, NULL, 0);
	assert_int_equal(drop6(b, len), SG_DROP_L4_PROTO);
}

/* ICMPv6 bytes: type, code, checksum, then body. */
static const uint8_t echo6_body[] = {
	128, 0, 0, 0, 0x12, 0x34, 0, 1, 'p', 'i', 'n', 'g', '6', '!',
};

static bool
icmp6_ok(const uint8_t *b, uint32_t len)
{
	const uint8_t *ip6 = b + 14;
	unsigned plen = (unsigned)(ip6[4] << 8 | ip6[5]);

	return ip6[6] == 58 && 14 + 40 + plen == len &&
	       fold_not(sum16(ip6 + 40, plen,
			      phdr6(ip6 + 8, ip6 + 24, plen, 58))) == 0;
}

static void
test_ip6_echo(void **state)
{
	static const uint8_t dst_ext[] = { 58, 0, 1, 4, 0, 0, 0, 0 };
	static const uint8_t group[16] = { 0xff, 0x02, [15] = 1 };
	uint8_t b[256], rs[8] = { 133, 0 };
	struct pkt_info pi;
	enum sg_drop why;
	uint32_t len, rlen;
	unsigned with_ext;

	(void)state;
	for (with_ext = 0; with_ext < 2; with_ext++) {
		len = build6(b, cli6, srv6, with_ext ? 60 : 58, 64,
			     dst_ext, with_ext ? 8 : 0, 58, echo6_body,
			     sizeof(echo6_body));
		assert_int_equal(pkt_parse(b, len, 0, &pi, &why),
				 PKT_ICMP_ECHO);
		assert_int_equal(pi.family, 6);
		assert_memory_equal(pi.flow6.laddr, srv6, 16);
		rlen = pkt_icmp_echo_reply(b, &pi);
		/* The reply: no extension header, addresses and MACs
		 * swapped, type 129, same body, a valid checksum. */
		assert_int_equal(rlen, 14 + 40 + sizeof(echo6_body));
		assert_memory_equal(b, peer_mac, 6);
		assert_memory_equal(b + 6, our_mac, 6);
		assert_memory_equal(b + 22, srv6, 16);
		assert_memory_equal(b + 38, cli6, 16);
		assert_int_equal(b[54], 129);
		assert_memory_equal(b + 58, echo6_body + 4,
				    sizeof(echo6_body) - 4);
		assert_true(icmp6_ok(b, rlen));
	}
	len = build6(b, cli6, group, 58, 64, NULL, 0, 58, echo6_body,
		     sizeof(echo6_body));
	assert_int_equal(drop6(b, len), SG_DROP_IP_NOT_OURS);
	len = build6(b, cli6, srv6, 58, 255, NULL, 0, 58, rs, sizeof(rs));
	assert_int_equal(drop6(b, len), SG_DROP_ICMP_TYPE);
	b[57] ^= 1;
	assert_int_equal(drop6(b, len), SG_DROP_ICMP_BAD_CKSUM);
	len = build6(b, cli6, srv6, 58, 64, NULL, 0, 58, echo6_body, 6);
	assert_int_equal(drop6(b, len), SG_DROP_ICMP_SHORT);
}

/* NS for target from src to dst; with a source link-layer option when
 * slla.  Returns the frame length. */
static uint32_t
ns6(uint8_t *b, const uint8_t *src, const uint8_t *dst,
    const uint8_t *target, bool slla, uint8_t hlim)
{
	uint8_t ns[32] = { 135, 0 };

	memcpy(ns + 8, target, 16);
	ns[24] = 1;
	ns[25] = 1;
	memcpy(ns + 26, peer_mac, 6);
	return build6(b, src, dst, 58, hlim, NULL, 0, 58, ns,
		      slla ? 32 : 24);
}

static void
test_nd(void **state)
{
	static const uint8_t snm[16] = {
		0xff, 0x02, [11] = 1, 0xff, 0, 0, 1,	/* ff02::1:ff00:1 */
	};
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t unspec[16];
	uint8_t b[256];
	struct pkt_info pi;
	enum sg_drop why;
	uint32_t len;

	(void)state;
	len = ns6(b, cli6, snm, srv6, true, 255);
	assert_int_equal(pkt_parse(b, len, 0, &pi, &why), PKT_ND_NS);
	assert_memory_equal(pi.flow6.laddr, srv6, 16);
	len = pkt_nd_na_reply(b, &pi, our_mac);
	assert_int_equal(len, PKT_ND_NA_LEN);
	assert_memory_equal(b, peer_mac, 6);	/* the asker's L2 source */
	assert_memory_equal(b + 6, our_mac, 6);
	assert_memory_equal(b + 22, srv6, 16);
	assert_memory_equal(b + 38, cli6, 16);
	assert_int_equal(b[21], 255);		/* hop limit */
	assert_int_equal(b[54], 136);
	assert_int_equal(b[58], 0x60);		/* solicited, override */
	assert_memory_equal(b + 62, srv6, 16);
	assert_int_equal(b[78], 2);		/* target link-layer address */
	assert_int_equal(b[79], 1);
	assert_memory_equal(b + 80, our_mac, 6);
	assert_true(icmp6_ok(b, len));
	/* The advertisement parses back as ICMPv6 we do not answer. */
	assert_int_equal(drop6(b, len), SG_DROP_ICMP_TYPE);

	/* Duplicate address detection: from ::, to the group, no SLLA;
	 * answered to all nodes, not solicited. */
	len = ns6(b, unspec, snm, srv6, false, 255);
	assert_int_equal(pkt_parse(b, len, 0, &pi, &why), PKT_ND_NS);
	len = pkt_nd_na_reply(b, &pi, our_mac);
	assert_int_equal(b[0], 0x33);
	assert_int_equal(b[5], 0x01);
	assert_memory_equal(b + 38, all_nodes, 16);
	assert_int_equal(b[58], 0x20);
	assert_true(icmp6_ok(b, len));

	/* Malformed: hop limit, DAD with SLLA or to a unicast address,
	 * multicast target, short, zero-length option. */
	len = ns6(b, cli6, snm, srv6, true, 64);
	assert_int_equal(drop6(b, len), SG_DROP_ND_MALFORMED);
	len = ns6(b, unspec, snm, srv6, true, 255);
	assert_int_equal(drop6(b, len), SG_DROP_ND_MALFORMED);
	len = ns6(b, unspec, srv6, srv6, false, 255);
	assert_int_equal(drop6(b, len), SG_DROP_ND_MALFORMED);
	len = ns6(b, cli6, snm, all_nodes, true, 255);
	assert_int_equal(drop6(b, len), SG_DROP_ND_MALFORMED);
	len = build6(b, cli6, snm, 58, 255, NULL, 0, 58,
		     (const uint8_t[16]){ 135 }, 16);
	assert_int_equal(drop6(b, len), SG_DROP_ND_MALFORMED);
	{
		uint8_t ns[32] = { 135, 0 };

		memcpy(ns + 8, srv6, 16);
		ns[24] = 1;			/* length 0 */
		len = build6(b, cli6, snm, 58, 255, NULL, 0, 58, ns, 32);
		assert_int_equal(drop6(b, len), SG_DROP_ND_MALFORMED);
	}
}

static void
test_tcp6_build(void **state)
{
	static const char data[] = "GET / HTTP/1.0\r\n\r\n";
	struct pkt_tcp_out t;
	struct pkt_info pi;
	enum sg_drop why;
	uint8_t b[256];
	unsigned present;
	uint32_t len;

	(void)state;
	for (present = 0; present < 16; present++) {
		memset(&t, 0, sizeof(t));
		t.family = 6;
		memcpy(t.flow6.laddr, srv6, 16);
		memcpy(t.flow6.raddr, cli6, 16);
		t.flow.lport = rte_cpu_to_be_16(8080);
		t.flow.rport = rte_cpu_to_be_16(40000);
		memcpy(t.dst_mac, peer_mac, 6);
		memcpy(t.src_mac, our_mac, 6);
		t.seq = 0xdeadbeef;
		t.ack = 7;
		t.flags = TCPF_ACK | TCPF_PSH;
		t.win = 1234;
		t.opts.o_present = (uint8_t)present;
		t.opts.o_mss = 1440;
		t.opts.o_wscale = 9;
		t.opts.o_tsval = 5;
		t.opts.o_tsecr = 6;
		t.data = data;
		t.data_len = sizeof(data) - 1;
		len = pkt_tcp_build(b, &t, PKT_TX_CK_SW);
		assert_true(len <= (uint32_t)PKT_TCP6_MAX_HDR + t.data_len);
		assert_int_equal(b[12] << 8 | b[13], 0x86dd);
		assert_int_equal(b[14] >> 4, 6);
		assert_int_equal(b[20], 6);
		assert_int_equal(b[21], 64);
		assert_int_equal(fold_not(sum16(b + 54, len - 54,
			phdr6(srv6, cli6, len - 54, 6))), 0);
		assert_int_equal(pkt_parse(b, len, 0, &pi, &why), PKT_TCP);
		assert_memory_equal(pi.flow6.raddr, srv6, 16);
		assert_memory_equal(pi.flow6.laddr, cli6, 16);
		assert_int_equal(pi.opts.o_present, present);
		assert_int_equal(pi.payload_len, t.data_len);
		assert_memory_equal(b + pi.payload_off, data, t.data_len);
	}
	/* Offload: the TCP field holds the pseudo header sum only. */
	len = pkt_tcp_build(b, &t, PKT_TX_CK_OFF);
	{
		uint32_t s = phdr6(srv6, cli6, len - 54, 6);

		while (s >> 16)
			s = (s & 0xffff) + (s >> 16);
		assert_int_equal(b[54 + 16] << 8 | b[54 + 17], s);
	}
}

/*
 * pkt_tcp_reply writes over the segment it answers the same bytes as
 * pkt_tcp_build of a pkt_tcp_out addressed as tx_tcp_init would (the
 * received 4-tuple, the frame's source MAC, ours), without reading t's
 * addressing: IPv4 (also from a segment with IP options and payload) and
 * IPv6, every option set, both checksum modes.
 */
static void
test_tcp_reply(void **state)
{
	static const char data[] = "hello";
	unsigned fam, present, ipopt, ck;

	(void)state;
	for (fam = 4; fam <= 6; fam += 2)
	for (ipopt = 0; ipopt < (fam == 4 ? 2u : 1u); ipopt++)
	for (present = 0; present < 16; present++)
	for (ck = 0; ck < 2; ck++) {
		uint8_t in[256], got[256], want[256];
		struct pkt_tcp_out c, r, e;
		struct pkt_info pi;
		enum sg_drop why;
		uint32_t len, glen, wlen;
		int mode = ck ? PKT_TX_CK_OFF : PKT_TX_CK_SW;

		/* The client's segment, to us: SYN with options and data. */
		memset(&c, 0, sizeof(c));
		c.family = (uint8_t)fam;
		c.flow.laddr = 0x020012c6;		/* 198.18.0.2 */
		c.flow.raddr = 0x010012c6;		/* 198.18.0.1 */
		memcpy(c.flow6.laddr, cli6, 16);
		memcpy(c.flow6.raddr, srv6, 16);
		c.flow.lport = rte_cpu_to_be_16(40000);
		c.flow.rport = rte_cpu_to_be_16(8080);
		memcpy(c.dst_mac, our_mac, 6);
		memcpy(c.src_mac, peer_mac, 6);
		c.seq = 1000;
		c.flags = TCPF_SYN;
		c.win = 29200;
		c.opts.o_present = OPT_MSS | OPT_SACKOK | OPT_TS | OPT_WSCALE;
		c.opts.o_mss = 1460;
		c.opts.o_wscale = 7;
		c.opts.o_tsval = 77;
		c.data = data;
		c.data_len = sizeof(data) - 1;
		len = pkt_tcp_build(in, &c, PKT_TX_CK_SW);
		if (ipopt) {	/* 4 bytes of IPv4 options (NOPs): IHL 6 */
			memmove(in + 38, in + 34, len - 34);
			memset(in + 34, 1, 4);
			in[14] = 0x46;
			in[16] = (uint8_t)((len - 14 + 4) >> 8);
			in[17] = (uint8_t)(len - 14 + 4);
			len += 4;
		}
		assert_int_equal(pkt_parse(in, len, PKT_CK_IP_GOOD |
					   PKT_CK_L4_GOOD, &pi, &why), PKT_TCP);

		/* The reply's header; its addressing is garbage, unread. */
		memset(&r, 0xaa, sizeof(r));
		r.seq = 0xdeadbeef;
		r.ack = 1001;
		r.flags = TCPF_SYN | TCPF_ACK;
		r.win = 65535;
		r.opts.o_present = (uint8_t)present;
		r.opts.o_mss = 1400;
		r.opts.o_wscale = 9;
		r.opts.o_tsval = 5;
		r.opts.o_tsecr = 77;
		r.data = NULL;
		r.data_len = 0;

		/* What tx_tcp_init + pkt_tcp_build send. */
		e = r;
		e.family = (uint8_t)fam;
		e.flow = pi.flow;
		e.flow6 = pi.flow6;
		memcpy(e.dst_mac, in + 6, 6);
		memcpy(e.src_mac, our_mac, 6);
		memset(want, 0x55, sizeof(want));
		wlen = pkt_tcp_build(want, &e, mode);

		memset(got, 0x55, sizeof(got));
		memcpy(got, in, len);
		glen = pkt_tcp_reply(got, &pi, our_mac, &r, mode);
		assert_int_equal(glen, wlen);
		assert_memory_equal(got, want, wlen);
		/* And to the right place: the peer, from us. */
		assert_memory_equal(got, peer_mac, 6);
		assert_memory_equal(got + 6, our_mac, 6);
		if (fam == 4 && mode == PKT_TX_CK_SW) {
			assert_true(ip_ok(got));
			assert_true(tcp_ok(got));
		}
	}
}

/* Every IPv6 frame cut at every length: a drop, never an overrun. */
static void
test_ip6_truncations(void **state)
{
	static const uint8_t ext[] = {
		60, 0, 1, 4, 0, 0, 0, 0, 6, 0, 1, 4, 0, 0, 0, 0,
	};
	static const uint8_t snm[16] = {
		0xff, 0x02, [11] = 1, 0xff, 0, 0, 1,
	};
	uint8_t fr[3][256];
	uint32_t lens[3];
	unsigned i;

	(void)state;
	lens[0] = syn6(fr[0], cli6, 0, ext, sizeof(ext));
	lens[1] = ns6(fr[1], cli6, snm, srv6, true, 255);
	lens[2] = build6(fr[2], cli6, srv6, 58, 64, NULL, 0, 58, echo6_body,
			 sizeof(echo6_body));
	for (i = 0; i < 3; i++)
		assert_every_cut_drops(fr[i], lens[i]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csum_partial_matches_dpdk),
		cmocka_unit_test(test_opts_fast_paths),
		cmocka_unit_test(test_opts_fast_syn12),
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
		cmocka_unit_test(test_ip6_tcp),
		cmocka_unit_test(test_ip6_drops),
		cmocka_unit_test(test_ip6_echo),
		cmocka_unit_test(test_nd),
		cmocka_unit_test(test_tcp6_build),
		cmocka_unit_test(test_tcp_reply),
		cmocka_unit_test(test_ip6_truncations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
