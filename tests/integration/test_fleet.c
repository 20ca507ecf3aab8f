/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fleet of two syngate engines behind one load balancer, sharing a
 * cookie secret: a SYN answered (with a cookie) by one, the ACK delivered
 * to the other, completes the handshake there.  After one engine reloads a
 * new secret, its old cookies validate until the next key rotation, then
 * fail and are counted.  Each engine's worker runs on a sink port: frames
 * go in through worker_rx(), replies come out of the sink.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "sg_internal.h"

#define SRV_IP	RTE_BE32(0xc6120001)
#define CLI_IP	RTE_BE32(0xc6120002)

static const uint8_t srv_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t cli_mac[6] = { 0x02, 0, 0, 0, 0, 0x02 };
static const uint8_t secret1[32] = "the fleet's first shared secret";
static const uint8_t secret2[32] = "the fleet's next shared secret!";

struct host {
	struct sg_engine *e;
	struct sg_listener *l;
	struct worker *w;
	struct pkt_info last;	/* last segment it sent, parsed */
	unsigned sent;
};

static struct host A, B;
static uint64_t now_us = 1000000;
static const uint64_t T0 = 1700000000;	/* the fleet's wall clock, s */

static uint16_t
sink(void *ctx, struct rte_mbuf **m, uint16_t n)
{
	struct host *h = ctx;
	enum sg_drop why;
	uint16_t i;

	for (i = 0; i < n; i++) {
		if (pkt_parse(rte_pktmbuf_mtod(m[i], uint8_t *),
			      m[i]->data_len, 0, &h->last, &why) == PKT_TCP)
			h->sent++;
		rte_pktmbuf_free(m[i]);
	}
	return n;
}

static void
host_up(struct host *h)
{
	struct sg_params p;

	sg_params_default(&p);
	p.cookies = SG_COOKIES_ALWAYS;
	p.synq_size = 64;
	p.conn_max = 64;
	p.mbufs = 1024;
	assert_int_equal(sg_engine_create(&p, 1, &h->e), 0);
	assert_int_equal(sg_listen(h->e, 8080, 0, &h->l), 0);
	h->w = sg_engine_worker(h->e, 0);
	assert_int_equal(worker_attach_sink(h->w, srv_mac, sink, h), 0);
	assert_int_equal(sg_engine_set_secret(h->e, secret1, T0), 0);
	/* Same wall clock for both: the engines' bases differ by the time
	 * between their creation, so pin them. */
	engine_set_unix_base(h->e, T0);
}

static int
setup(void **state)
{
	char *argv[] = { "test", "--no-huge", "-m", "256", "--no-shconf",
			 "--no-pci", "-l", "0", "--log-level=lib.*:error",
			 "--no-telemetry" };

	(void)state;
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		return -1;
	host_up(&A);
	host_up(&B);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	sg_engine_destroy(A.e);
	sg_engine_destroy(B.e);
	rte_eal_cleanup();
	return 0;
}

/* Deliver one client segment to host h. */
static void
deliver(struct host *h, uint16_t sport, uint32_t seq, uint32_t ackn,
	uint8_t flags)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(sg_engine_pktmbuf_pool(h->e, 0));
	struct pkt_tcp_out t;

	assert_non_null(m);
	memset(&t, 0, sizeof(t));
	t.flow.raddr = SRV_IP;
	t.flow.laddr = CLI_IP;
	t.flow.rport = RTE_BE16(8080);
	t.flow.lport = rte_cpu_to_be_16(sport);
	memcpy(t.dst_mac, srv_mac, 6);
	memcpy(t.src_mac, cli_mac, 6);
	t.seq = seq;
	t.ack = ackn;
	t.flags = flags;
	t.win = 29200;
	t.opts.o_present = OPT_MSS;
	t.opts.o_mss = 1460;
	m->data_len = (uint16_t)pkt_tcp_build(rte_pktmbuf_mtod(m, uint8_t *),
					       &t, PKT_TX_CK_SW);
	m->pkt_len = m->data_len;
	worker_tick(h->w, now_us);
	worker_rx(h->w, 0, &m, 1);
	worker_tick(h->w, now_us);
}

/* SYN to `from`, ACK to `to`: returns the cookie. */
static uint32_t
syn_ack_across(struct host *from, struct host *to, uint16_t sport,
	       uint32_t isn)
{
	deliver(from, sport, isn, 0, TCPF_SYN);
	assert_int_equal(from->last.tcp_flags, TCPF_SYN | TCPF_ACK);
	deliver(to, sport, isn + 1, from->last.seq + 1, TCPF_ACK);
	return from->last.seq;
}

static void
test_cookie_across_hosts(void **state)
{
	struct sg_conn *c;

	(void)state;
	sg_engine_update_keys(A.e, T0);
	sg_engine_update_keys(B.e, T0);
	syn_ack_across(&A, &B, 40000, 111);
	assert_int_equal(B.w->w_stats.cookies_ok, 1);
	assert_int_equal(sg_accept(B.l, &c), 0);
	sg_abort(c);
	/* And the other way round. */
	syn_ack_across(&B, &A, 40001, 222);
	assert_int_equal(A.w->w_stats.cookies_ok, 1);
	assert_int_equal(sg_accept(A.l, &c), 0);
	sg_abort(c);
	/* Keys rotate with the shared clock: still in step one epoch on. */
	sg_engine_update_keys(A.e, T0 + 64);
	sg_engine_update_keys(B.e, T0 + 64);
	now_us += 64 * 1000000ull;
	syn_ack_across(&A, &B, 40002, 333);
	assert_int_equal(B.w->w_stats.cookies_ok, 2);
	assert_int_equal(sg_accept(B.l, &c), 0);
	sg_abort(c);
}

static void
test_reload_grace_then_counted_failure(void **state)
{
	uint64_t t = T0 + 128, failed;
	uint32_t cookie;
	struct sg_conn *c;

	(void)state;
	now_us += 64 * 1000000ull;
	sg_engine_update_keys(A.e, t);
	sg_engine_update_keys(B.e, t);
	/* A cookie minted by A with the first secret, not yet ACKed. */
	deliver(&A, 41000, 500, 0, TCPF_SYN);
	cookie = A.last.seq;
	/* A reloads a new secret (B has not yet): new cookies from A use
	 * it; the old cookie still validates on A. */
	assert_int_equal(sg_engine_set_secret(A.e, secret2, t), 0);
	deliver(&A, 41000, 501, cookie + 1, TCPF_ACK);
	assert_int_equal(sg_accept(A.l, &c), 0);
	sg_abort(c);
	/* Past the next rotation the old key is gone: a counted failure. */
	deliver(&A, 41001, 700, 0, TCPF_SYN);	/* keeps cookies "recent" */
	sg_engine_set_secret(A.e, secret1, t);	/* back to the first secret */
	deliver(&A, 41002, 900, 0, TCPF_SYN);
	cookie = A.last.seq;
	sg_engine_set_secret(A.e, secret2, t);
	sg_engine_update_keys(A.e, t + 64);	/* rotation */
	now_us += 64 * 1000000ull;
	failed = A.w->w_stats.cookies_failed;
	deliver(&A, 41002, 901, cookie + 1, TCPF_ACK);
	assert_int_equal(A.w->w_stats.cookies_failed, failed + 1);
	assert_int_equal(A.w->w_stats.drops[SG_DROP_COOKIE_BAD], 1);
	assert_int_equal(sg_accept(A.l, &c), -EAGAIN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cookie_across_hosts),
		cmocka_unit_test(test_reload_grace_then_counted_failure),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
