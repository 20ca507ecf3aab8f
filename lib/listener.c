/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>

#include <rte_malloc.h>
#include <rte_ring.h>

#include "conn.h"
#include "listener.h"

size_t
listener_mem_size(uint32_t backlog, unsigned n_workers)
{
	/* The listener, and per worker an accept ring (RING_F_EXACT_SZ)
	 * and its tailq entry, each with a heap element's header and
	 * alignment. */
	return sizeof(struct sg_listener) + 2 * RTE_CACHE_LINE_SIZE +
	       (size_t)n_workers *
	       ((size_t)rte_ring_get_memsize(rte_align32pow2(backlog + 1)) +
		6 * RTE_CACHE_LINE_SIZE);
}

int
listener_create(struct listener_table *lt, uint16_t port, uint32_t backlog,
		unsigned n_workers, int socket, unsigned inst,
		struct sg_listener **out)
{
	char name[RTE_RING_NAMESIZE];
	struct sg_listener *l;
	unsigned w;

	if (port == 0 || backlog == 0 || n_workers == 0 ||
	    n_workers > SG_MAX_WORKERS)
		return -EINVAL;
	if (lt->lt_by_port[port] != 0)
		return -EEXIST;
	if (lt->lt_n == SG_MAX_LISTENERS)
		return -ENOSPC;
	l = rte_zmalloc_socket("sg_listener", sizeof(*l), RTE_CACHE_LINE_SIZE,
			       socket);
	if (l == NULL)
		return -ENOMEM;
	rte_spinlock_init(&l->l_watch_lock);
	l->l_port = port;
	l->l_id = (uint8_t)lt->lt_n;
	l->l_backlog = backlog;
	for (w = 0; w < n_workers; w++) {
		snprintf(name, sizeof(name), "sg%u_acc_%u_%u", inst, port, w);
		/* Worker: the single producer.  Apps: many consumers. */
		l->l_ring[w] = rte_ring_create(name, backlog, socket,
					       RING_F_SP_ENQ | RING_F_EXACT_SZ);
		if (l->l_ring[w] == NULL)
			goto err_rings;
		l->l_nrings++;
	}
	lt->lt_l[lt->lt_n++] = l;
	lt->lt_by_port[port] = (uint8_t)lt->lt_n;
	*out = l;
	return 0;

err_rings:
	while (l->l_nrings > 0)
		rte_ring_free(l->l_ring[--l->l_nrings]);
	rte_free(l);
	return -ENOMEM;
}

void
listener_table_fini(struct listener_table *lt)
{
	unsigned i, w;

	for (i = 0; i < lt->lt_n; i++) {
		struct sg_listener *l = lt->lt_l[i];

		for (w = 0; w < l->l_nrings; w++)
			rte_ring_free(l->l_ring[w]);
		lt->lt_by_port[l->l_port] = 0;
		rte_free(l);
		lt->lt_l[i] = NULL;
	}
	lt->lt_n = 0;
}

unsigned
sg_listener_id(const struct sg_listener *l)
{
	return l->l_id;
}
