/* SPDX-License-Identifier: BSD-3-Clause */
/* The application's view of an accepted connection. */
#include <errno.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

#include "conn.h"
#include "worker.h"

void
sg_conn_info(const struct sg_conn *c, struct sg_conn_info *info)
{
	memset(info, 0, sizeof(*info));
	info->flow.family = 4;
	info->flow.laddr.v4 = c->c_flow.laddr;
	info->flow.raddr.v4 = c->c_flow.raddr;
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
sg_conn_first_data(const struct sg_conn *c, void *buf, size_t len)
{
	const void *p;
	uint32_t n;

	if (c->c_first == NULL || len == 0)
		return 0;
	n = (uint32_t)RTE_MIN(len, (size_t)c->c_first_len);
	p = rte_pktmbuf_read(c->c_first, 0, n, buf);
	if (p == NULL)
		return 0;
	if (p != buf)
		memcpy(buf, p, n);
	return n;
}

bool
sg_conn_is_reset(const struct sg_conn *c)
{
	return __atomic_load_n(&c->c_reset, __ATOMIC_ACQUIRE) != 0;
}

int
sg_close(struct sg_conn *c)
{
	/* The command ring holds conn_max entries and a connection is
	 * closed once, so it cannot be full; -EAGAIN is defensive. */
	return rte_ring_mp_enqueue(c->c_owner->w_cmd, c) == 0 ? 0 : -EAGAIN;
}
