/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * conn_timer — every deadline of a connection, behind one set of hooks
 * (WireGuard's timers.c way): the modules that move a connection say what
 * happened (data sent, ACK sent, progress, FIN_WAIT_2, TIME-WAIT, closed)
 * and this file alone decides which deadline that sets, so a reader finds
 * every timer rule here.  A connection has three deadlines in ms on the
 * worker clock (0 = off) and one wheel node armed at the earliest:
 *
 *   c_rto_at   retransmission (RFC 6298) or zero-window persist probe
 *              (RFC 9293 3.8.6.1), backed off exponentially, capped
 *   c_dack_at  delayed ACK (CONN_DELACK_MS)
 *   c_idle_at  --idle-timeout from the last progress; 2 MSL in FIN_WAIT_2
 *              (Linux tcp_fin_timeout) and TIME-WAIT
 *
 * What happens when one fires is conn_tx.c's conn_timeout.
 */
#include "conn.h"
#include "lcore.h"

static uint32_t
nonzero(uint32_t at)
{
	return at == 0 ? 1 : at;
}

void
conn_rearm(struct worker *w, struct sg_conn *c)
{
	uint32_t at = 0, d[3] = { c->c_rto_at, c->c_dack_at, c->c_idle_at };
	unsigned i;

	for (i = 0; i < 3; i++)
		if (d[i] != 0 && (at == 0 || seq_lt(d[i], at)))
			at = d[i];
	if (at == 0)
		timer_cancel(w->w_wheel, &c->c_timer);
	else if (!timer_armed(&c->c_timer) || c->c_timer.tn_expire != at)
		timer_arm(w->w_wheel, &c->c_timer, at);
}

void
ct_init(struct worker *w, struct sg_conn *c)
{
	uint32_t idle = worker_params(w)->idle_timeout_ms;

	timer_node_init(&c->c_timer, TK_CONN);
	c->c_rto_at = 0;
	c->c_dack_at = 0;
	c->c_idle_at = idle != 0 ? nonzero(w->w_now_ms + idle) : 0;
}

void
ct_sent(struct worker *w, struct sg_conn *c)
{
	if (c->c_rto_at == 0)
		c->c_rto_at = nonzero(w->w_now_ms + c->c_rto);
}

void
ct_ack_sent(struct sg_conn *c)
{
	c->c_dack_at = 0;
}

void
ct_acked(struct worker *w, struct sg_conn *c)
{
	c->c_rto_at = c->c_snd_una == c->c_snd_max ? 0 :
		      nonzero(w->w_now_ms + c->c_rto);
}

void
ct_delack(struct worker *w, struct sg_conn *c)
{
	if (c->c_dack_at == 0)
		c->c_dack_at = nonzero(w->w_now_ms + CONN_DELACK_MS);
}

void
ct_probe_sent(struct worker *w, struct sg_conn *c)
{
	c->c_rto_at = nonzero(w->w_now_ms +
			      RTE_MIN(c->c_rto << c->c_rexmits,
				      CONN_RTO_MAX_MS));
}

void
ct_progress(struct worker *w, struct sg_conn *c)
{
	uint32_t idle = worker_params(w)->idle_timeout_ms;

	if (c->c_state == CONN_TIME_WAIT || c->c_state == CONN_FIN_WAIT_2)
		return;
	c->c_idle_at = idle != 0 ? nonzero(w->w_now_ms + idle) : 0;
}

void
ct_fin_wait_2(struct worker *w, struct sg_conn *c)
{
	c->c_idle_at = nonzero(w->w_now_ms + 2 * worker_params(w)->msl_ms);
}

void
ct_time_wait(struct worker *w, struct sg_conn *c)
{
	c->c_rto_at = 0;
	c->c_dack_at = 0;
	c->c_idle_at = nonzero(w->w_now_ms + 2 * worker_params(w)->msl_ms);
}

void
ct_stop(struct worker *w, struct sg_conn *c)
{
	c->c_rto_at = c->c_dack_at = c->c_idle_at = 0;
	timer_cancel(w->w_wheel, &c->c_timer);
}

unsigned
ct_due(struct worker *w, struct sg_conn *c)
{
	const uint32_t now = w->w_now_ms;
	unsigned due = 0;

	if (c->c_idle_at != 0 && seq_le(c->c_idle_at, now)) {
		c->c_idle_at = 0;
		due |= CT_IDLE;
	}
	if (c->c_dack_at != 0 && seq_le(c->c_dack_at, now)) {
		c->c_dack_at = 0;
		due |= CT_DACK;
	}
	if (c->c_rto_at != 0 && seq_le(c->c_rto_at, now)) {
		c->c_rto_at = 0;
		due |= CT_RTO;
	}
	return due;
}
