/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include "invariant.h"
#include "synq.h"

/* An entry is one cache line: the table's cost per half-open connection
 * is what a flood buys, so it is checked at build time. */
static_assert(sizeof(struct synq_entry) == 64, "synq_entry is one line");

size_t
synq_mem_size(uint32_t cap, bool v6)
{
	return (size_t)cap * (sizeof(*((struct synq *)0)->sq_entries) +
			      sizeof(*((struct synq *)0)->sq_free) +
			      (v6 ? sizeof(*((struct synq *)0)->sq_flow6) :
				    0));
}

int
synq_init(struct synq *q, uint32_t cap, bool v6, int socket)
{
	uint32_t i;

	q->sq_cap = cap;
	q->sq_flow6 = NULL;
	if (v6) {
		q->sq_flow6 = rte_malloc_socket("synq_flow6", (size_t)cap *
			sizeof(*q->sq_flow6), 0, socket);
		if (q->sq_flow6 == NULL)
			return -ENOMEM;
	}
	q->sq_entries = rte_zmalloc_socket("synq", (size_t)cap *
		sizeof(*q->sq_entries), RTE_CACHE_LINE_SIZE, socket);
	q->sq_free = rte_malloc_socket("synq_free", (size_t)cap *
		sizeof(*q->sq_free), 0, socket);
	if (q->sq_entries == NULL || q->sq_free == NULL) {
		synq_fini(q);
		return -ENOMEM;
	}
	/* Lowest index on top, so a lightly loaded table stays compact. */
	for (i = 0; i < cap; i++)
		q->sq_free[i] = cap - 1 - i;
	q->sq_nfree = cap;
	return 0;
}

void
synq_fini(struct synq *q)
{
	rte_free(q->sq_entries);
	rte_free(q->sq_free);
	rte_free(q->sq_flow6);
	q->sq_flow6 = NULL;
	q->sq_entries = NULL;
	q->sq_free = NULL;
	q->sq_nfree = 0;
}

struct synq_entry *
synq_insert(struct synq *q, struct flow_table *ft, unsigned family,
	    const void *key, uint32_t sig, int *err)
{
	uint32_t idx;
	struct synq_entry *e;

	if (q->sq_nfree == 0) {
		*err = -ENOSPC;
		return NULL;
	}
	idx = q->sq_free[q->sq_nfree - 1];
	e = &q->sq_entries[idx];
	SG_VERIFY(idx < q->sq_cap && !e->se_live, "synq_free_entry",
		  "free stack slot %u holds index %u (cap %u), live %u",
		  q->sq_nfree - 1, idx, q->sq_cap, e->se_live);
	if (flow_add(ft, key, sig, synq_tag(e)) < 0) {
		*err = -EBUSY;
		return NULL;
	}
	q->sq_nfree--;
	memset(e, 0, sizeof(*e));
	if (family == 6) {
		const struct flow6 *f6 = key;

		q->sq_flow6[idx] = *f6;
		e->se_flow.rport = f6->rport;
		e->se_flow.lport = f6->lport;
		e->se_flags = SE_V6;
	} else {
		e->se_flow = *(const struct flow4 *)key;
	}
	timer_node_init(&e->se_timer, TK_SYNACK);
	e->se_live = 1;
	return e;
}

void
synq_remove(struct synq *q, struct flow_table *ft, struct timer_wheel *tw,
	    struct synq_entry *e, bool unmap)
{
	const void *key = synq_key(q, e);

	/* Freed exactly once, and never past the stack's capacity. */
	SG_VERIFY(e >= q->sq_entries && e < q->sq_entries + q->sq_cap &&
		  e->se_live && q->sq_nfree < q->sq_cap, "synq_remove_once",
		  "entry %p (index %td of %u) live %u, %u free", (void *)e,
		  e - q->sq_entries, q->sq_cap, e->se_live, q->sq_nfree);
	e->se_live = 0;
	timer_cancel(tw, &e->se_timer);
	if (unmap)
		flow_del(ft, key, flow_hash(ft, key));
	q->sq_free[q->sq_nfree++] = (uint32_t)(e - q->sq_entries);
}
