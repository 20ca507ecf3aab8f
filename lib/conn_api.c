/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The application's side of a connection: receive from the rx ring, send
 * into the tx ring, and commands to the owning worker.  Commands are bits
 * in c_cmd; the connection goes on the worker's command ring only when its
 * bits go from none to some, so the ring (conn_max entries) cannot fill.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "conn.h"
#include "invariant.h"
#include "budget.h"

static void
post_cmd(struct sg_conn *c, uint32_t cmd)
{
	struct conn_ref ref;

	if (__atomic_fetch_or(&c->c_cmd, cmd, __ATOMIC_ACQ_REL) != 0)
		return;		/* queued already; the worker takes all bits */
	ref.conn = c;
	ref.gen = __atomic_load_n(&c->c_gen, __ATOMIC_ACQUIRE);
	/* One entry per held connection at most (the bits above), and the
	 * ring has conn_max slots: it cannot be full. */
	if (rte_ring_mp_enqueue_elem(c->c_cmd_ring, &ref,
				     sizeof(ref)) != 0)
		SG_VERIFY(false, "cmd_ring_room", "conn %p gen %u: command "
			  "ring of worker %u full", (void *)c, ref.gen,
			  c->c_worker);
}

void
sg_conn_info(const struct sg_conn *c, struct sg_conn_info *info)
{
	memset(info, 0, sizeof(*info));
	info->flow.family = c->c_family;
	if (c->c_family == 6) {
		memcpy(info->flow.laddr.v6, c->c_flow6.laddr, 16);
		memcpy(info->flow.raddr.v6, c->c_flow6.raddr, 16);
	} else {
		info->flow.laddr.v4 = c->c_flow.laddr;
		info->flow.raddr.v4 = c->c_flow.raddr;
	}
	info->flow.lport = c->c_flow.lport;
	info->flow.rport = c->c_flow.rport;
	info->opts = c->c_opts;
	info->iss = c->c_iss;
	info->irs = c->c_irs;
	info->worker = c->c_worker;
	info->listener = c->c_listener;
	info->first_data_len = c->c_first_len;
}

size_t
sg_conn_first_data(struct sg_conn *c, void *buf, size_t len)
{
	size_t n;

	/* The handshake's data is the first mbuf of the receive ring: peek
	 * at it (moved to the partly-read slot) until something is read. */
	if (!conn_app_holds(c) || c->c_first_len == 0 ||
	    c->c_app_read != 0 || len == 0)
		return 0;
	if (c->c_app_rx == NULL &&
	    mbq_dequeue(&c->c_rxq_p, &c->c_rxq_c, &c->c_app_rx) != 0)
		return 0;
	n = RTE_MIN((uint32_t)c->c_first_len,
		    (uint32_t)c->c_app_rx->data_len);
	n = RTE_MIN(n, len);
	memcpy(buf, rte_pktmbuf_mtod(c->c_app_rx, void *), n);
	return n;
}

bool
sg_conn_is_reset(const struct sg_conn *c)
{
	return __atomic_load_n(&c->c_reset, __ATOMIC_ACQUIRE) != 0;
}

void *
sg_conn_user(const struct sg_conn *c)
{
	return c->c_user;
}

/* The application consumed n bytes: publish it, and ask the worker for a
 * window update while the window it last offered is small (it decides
 * whether the update is worth a segment). */
static void
consumed(struct sg_conn *c, uint64_t n)
{
	c->c_app_read += n;
	__atomic_store_n(&c->c_rx_read, c->c_app_read, __ATOMIC_RELEASE);
	if (__atomic_load_n(&c->c_wnd_small, __ATOMIC_ACQUIRE))
		post_cmd(c, CMD_WINDOW);
}

/* Nothing to read now: end of stream, reset, or try later. */
static long
recv_empty(struct sg_conn *c)
{
	if (__atomic_load_n(&c->c_reset, __ATOMIC_ACQUIRE))
		return -ECONNRESET;
	/* The worker queues all data before it sets c_peer_fin. */
	if (__atomic_load_n(&c->c_peer_fin, __ATOMIC_ACQUIRE) &&
	    mbq_count(&c->c_rxq_p, &c->c_rxq_c) == 0) {
		c->c_app_eof = true;
		return 0;
	}
	return -EAGAIN;
}

long
sg_recv(struct sg_conn *c, void *buf, size_t len)
{
	uint8_t *out = buf;
	uint32_t freed = 0;
	size_t got = 0;

	if (!conn_app_holds(c))
		return -EBADF;
	while (got < len) {
		struct rte_mbuf *m = c->c_app_rx;
		size_t n;

		if (m == NULL) {
			if (mbq_dequeue(&c->c_rxq_p, &c->c_rxq_c, &m) != 0)
				break;
			c->c_app_rx = m;
		}
		n = RTE_MIN(len - got, (size_t)m->data_len);
		memcpy(out + got, rte_pktmbuf_mtod(m, void *), n);
		got += n;
		if (n == m->data_len) {
			rte_pktmbuf_free(m);
			c->c_app_rx = NULL;
			freed++;
		} else {
			rte_pktmbuf_adj(m, (uint16_t)n);
		}
	}
	budget_give(c->c_budget, freed);
	if (got == 0)
		return recv_empty(c);
	consumed(c, got);
	return (long)got;
}

int
sg_recv_mbufs(struct sg_conn *c, struct rte_mbuf **m, unsigned n)
{
	uint64_t bytes = 0;
	unsigned got = 0, i;

	if (!conn_app_holds(c))
		return -EBADF;
	if (n == 0)
		return 0;
	if (c->c_app_rx != NULL) {
		m[got++] = c->c_app_rx;
		c->c_app_rx = NULL;
	}
	got += mbq_dequeue_burst(&c->c_rxq_p, &c->c_rxq_c, m + got, n - got);
	if (got == 0)
		return (int)recv_empty(c);
	/* The caller owns them now: their credits go back. */
	budget_give(c->c_budget, got);
	for (i = 0; i < got; i++)
		bytes += m[i]->data_len;
	consumed(c, bytes);
	return (int)got;
}

/* Copy up to len bytes into mbufs of one segment each on c's tx ring,
 * within the send buffer, the ring and the worker's data credits.  Sets
 * *why (-EAGAIN full / no credit, -ENOMEM no mbuf) when it queued
 * nothing. */
static size_t
queue_send(struct sg_conn *c, const uint8_t *in, size_t len, int *why)
{
	uint64_t acked = __atomic_load_n(&c->c_tx_acked, __ATOMIC_ACQUIRE);
	uint64_t space = CONN_SND_BUF(c) - (c->c_app_sent - acked);
	uint32_t segs, credits;
	size_t sent = 0;

	space = RTE_MIN(space, (uint64_t)len);
	segs = (uint32_t)RTE_MIN((space + c->c_smss - 1) / c->c_smss,
				 (uint64_t)mbq_free_count(&c->c_txq_p,
							  &c->c_txq_c));
	if (segs == 0) {
		*why = -EAGAIN;
		return 0;
	}
	/* One credit per mbuf (budget.h): none means the worker's data
	 * mbufs are all held; it wakes us when some come back. */
	credits = budget_take(c->c_budget, segs);
	if (credits == 0) {
		*why = -EBUSY;
		return 0;
	}
	while (credits != 0 && sent < space) {
		uint16_t n = (uint16_t)RTE_MIN(space - sent,
					       (uint64_t)c->c_smss);
		struct rte_mbuf *m = rte_pktmbuf_alloc(c->c_mbufs);
		char *p;

		if (m == NULL) {
			*why = -ENOMEM;
			break;
		}
		p = rte_pktmbuf_append(m, n);
		if (p == NULL) {
			/* c_smss never exceeds the data room
			 * (conn_established): cannot happen. */
			rte_pktmbuf_free(m);
			SG_VERIFY(false, "send_fits_mbuf", "conn %p smss %u",
				  (void *)c, c->c_smss);
			*why = -ENOMEM;
			break;
		}
		memcpy(p, in + sent, n);
		/* Room was counted above; this thread is the only
		 * producer. */
		(void)mbq_enqueue(&c->c_txq_p, &c->c_txq_c, m);
		credits--;
		sent += n;
		c->c_app_sent += n;
	}
	budget_give(c->c_budget, credits);
	return sent;
}

long
sg_send(struct sg_conn *c, const void *buf, size_t len)
{
	size_t sent = 0;
	int tries, why = -EAGAIN;

	if (!conn_app_holds(c))
		return -EBADF;
	if (__atomic_load_n(&c->c_reset, __ATOMIC_ACQUIRE))
		return -ECONNRESET;
	if (c->c_app_shut)
		return -EPIPE;
	if (len == 0)
		return 0;
	for (tries = 0; tries < 2 && sent == 0; tries++) {
		sent = queue_send(c, buf, len, &why);
		if (sent != 0 || why == -ENOMEM)
			break;
		/* Full, or no credit: ask for SG_EV_WRITABLE (the worker
		 * sends it when acks free room, or credits come back),
		 * then look once more in case that happened meanwhile. */
		__atomic_store_n(&c->c_want_write, 1, __ATOMIC_RELEASE);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	if (sent == 0 && why == -EBUSY)
		post_cmd(c, CMD_BUDGET);
	if (sent == 0)
		return why == -ENOMEM ? -ENOMEM : -EAGAIN;
	post_cmd(c, CMD_SEND);
	return (long)sent;
}

int
sg_shutdown(struct sg_conn *c)
{
	if (!conn_app_holds(c))
		return -EBADF;
	if (c->c_app_shut)
		return 0;
	c->c_app_shut = true;
	post_cmd(c, CMD_SHUTDOWN);
	return 0;
}

static void
app_release(struct sg_conn *c)
{
	/* A partly read mbuf is the application's: give it back. */
	if (c->c_app_rx != NULL) {
		rte_pktmbuf_free(c->c_app_rx);
		c->c_app_rx = NULL;
		budget_give(c->c_budget, 1);
	}
	__atomic_store_n(&c->c_poller, NULL, __ATOMIC_RELEASE);
}

/* Give c back (once): the first call wins, any later one is refused. */
static int
give_back(struct sg_conn *c, uint32_t cmd)
{
	if (__atomic_exchange_n(&c->c_held, 0, __ATOMIC_ACQ_REL) == 0)
		return -EBADF;
	app_release(c);
	post_cmd(c, cmd);
	return 0;
}

int
sg_close(struct sg_conn *c)
{
	return give_back(c, CMD_CLOSE);
}

int
sg_abort(struct sg_conn *c)
{
	return give_back(c, CMD_ABORT);
}
