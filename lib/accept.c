/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include <rte_ring.h>

#include "accept.h"

unsigned
sg_accept_burst(struct sg_listener *l, struct sg_conn **c, unsigned n)
{
	/* Start where the last call left off so every worker's ring gets
	 * its turn; the hint is racy between threads and needs not be
	 * exact, only tear-free. */
	unsigned start = __atomic_load_n(&l->l_next, __ATOMIC_RELAXED);
	unsigned i, got = 0;

	for (i = 0; i < l->l_nrings && got < n; i++) {
		struct rte_ring *r = l->l_ring[(start + i) % l->l_nrings];

		got += rte_ring_mc_dequeue_burst(r, (void **)(c + got),
						 n - got, NULL);
	}
	__atomic_store_n(&l->l_next, start + 1, __ATOMIC_RELAXED);
	return got;
}

int
sg_accept(struct sg_listener *l, struct sg_conn **c)
{
	return sg_accept_burst(l, c, 1) == 1 ? 0 : -EAGAIN;
}

unsigned
sg_accept_pending(const struct sg_listener *l)
{
	unsigned i, n = 0;

	for (i = 0; i < l->l_nrings; i++)
		n += rte_ring_count(l->l_ring[i]);
	return n;
}
