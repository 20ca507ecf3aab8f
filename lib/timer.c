/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>

#include "invariant.h"
#include "timer.h"

/* Wheel ids, for the invariant checks only (wrapping; never 0). */
static uint8_t wheel_seq;

static inline struct timer_node **
slot_of(struct timer_wheel *w, uint32_t tick)
{
	return &w->tw_slot[tick & TIMER_SLOT_MASK];
}

static inline bool
due(uint32_t now, uint32_t expire)
{
	return (int32_t)(now - expire) >= 0;
}

static inline void
unlink_node(struct timer_node *n)
{
	SG_VERIFY(*n->tn_pprev == n, "timer_node_linked",
		  "node %p kind %u expire %u: its slot link points at %p",
		  (void *)n, n->tn_kind, n->tn_expire, (void *)*n->tn_pprev);
	*n->tn_pprev = n->tn_next;
	if (n->tn_next != NULL)
		n->tn_next->tn_pprev = n->tn_pprev;
	n->tn_next = NULL;
	n->tn_pprev = NULL;
}

static inline void
slot_mark(struct timer_wheel *w, uint32_t tick)
{
	uint32_t i = tick & TIMER_SLOT_MASK;

	w->tw_bits[i >> 6] |= 1ull << (i & 63);
}

/*
 * The first tick in [from, to] (serial order, to - from < TIMER_SLOTS)
 * whose slot is marked, or to + 1 when none is.
 */
static uint32_t
next_marked(const struct timer_wheel *w, uint32_t from, uint32_t to)
{
	uint32_t t = from;

	while ((int32_t)(to - t) >= 0) {
		uint32_t i = t & TIMER_SLOT_MASK;
		uint64_t word = w->tw_bits[i >> 6] >> (i & 63);

		if (word != 0)
			return t + (uint32_t)__builtin_ctzll(word);
		t += 64 - (i & 63);	/* the next word's first slot */
	}
	return to + 1;
}

void
timer_wheel_init(struct timer_wheel *w, uint32_t now_ms)
{
	unsigned i;

	w->tw_now = now_ms;
	w->tw_armed = 0;
	do
		w->tw_id = __atomic_add_fetch(&wheel_seq, 1, __ATOMIC_RELAXED);
	while (w->tw_id == 0);
	for (i = 0; i < TIMER_SLOTS; i++)
		w->tw_slot[i] = NULL;
	for (i = 0; i < TIMER_SLOTS / 64; i++)
		w->tw_bits[i] = 0;
}

void
timer_node_init(struct timer_node *n, uint8_t kind)
{
	/* Re-initialising an armed node would leave its neighbours pointing
	 * at it: the object was reused while live. */
	SG_VERIFY(n->tn_pprev == NULL, "timer_node_init_unarmed",
		  "node %p kind %u expire %u is still armed on wheel %u",
		  (void *)n, n->tn_kind, n->tn_expire, n->tn_wheel);
	n->tn_next = NULL;
	n->tn_pprev = NULL;
	n->tn_expire = 0;
	n->tn_kind = kind;
}

void
timer_arm(struct timer_wheel *w, struct timer_node *n, uint32_t expire_ms)
{
	struct timer_node **head;
	uint32_t tick;

	timer_cancel(w, n);
	SG_VERIFY(n->tn_kind != 0, "timer_node_initialised",
		  "node %p armed before timer_node_init", (void *)n);
	n->tn_expire = expire_ms;
	n->tn_wheel = w->tw_id;
	/* A time already passed goes in the next slot to be visited. */
	tick = due(w->tw_now, expire_ms) ? w->tw_now + 1 : expire_ms;
	head = slot_of(w, tick);
	slot_mark(w, tick);
	n->tn_next = *head;
	if (n->tn_next != NULL)
		n->tn_next->tn_pprev = &n->tn_next;
	n->tn_pprev = head;
	*head = n;
	w->tw_armed++;
}

void
timer_cancel(struct timer_wheel *w, struct timer_node *n)
{
	if (n->tn_pprev == NULL)
		return;
	SG_VERIFY(n->tn_wheel == w->tw_id && w->tw_armed != 0,
		  "timer_node_own_wheel",
		  "node %p kind %u armed on wheel %u, cancelled on wheel %u "
		  "(%u armed)", (void *)n, n->tn_kind, n->tn_wheel, w->tw_id,
		  w->tw_armed);
	unlink_node(n);
	w->tw_armed--;
}

unsigned
timer_advance(struct timer_wheel *w, uint32_t now_ms,
	      struct timer_node **out, unsigned max)
{
	unsigned got = 0;

	/* Nothing armed: nothing to visit (an idle worker waking from a
	 * long sleep must not walk the whole wheel). */
	if (w->tw_armed == 0) {
		if ((int32_t)(now_ms - w->tw_now) > 0)
			w->tw_now = now_ms;
		return 0;
	}
	/* Visit slots tw_now+1 .. now_ms; after a whole revolution every
	 * slot has been seen once, so jump tw_now to now_ms - TIMER_SLOTS
	 * first to bound the walk after a long stall. */
	if ((int32_t)(now_ms - w->tw_now) > (int32_t)TIMER_SLOTS)
		w->tw_now = now_ms - TIMER_SLOTS;
	while ((int32_t)(now_ms - w->tw_now) > 0) {
		uint32_t tick = next_marked(w, w->tw_now + 1, now_ms);
		struct timer_node *n, *next;

		if ((int32_t)(now_ms - tick) < 0) {
			w->tw_now = now_ms;	/* nothing marked up to now */
			break;
		}
		n = *slot_of(w, tick);
		for (; n != NULL; n = next) {
			next = n->tn_next;
			if (!due(now_ms, n->tn_expire))
				continue;
			if (got == max)
				return got;	/* resume at this slot */
			unlink_node(n);
			w->tw_armed--;
			out[got++] = n;
		}
		/* Emptied (by this walk, or by cancels since it was
		 * marked): unmark. */
		if (*slot_of(w, tick) == NULL) {
			uint32_t i = tick & TIMER_SLOT_MASK;

			w->tw_bits[i >> 6] &= ~(1ull << (i & 63));
		}
		w->tw_now = tick;
	}
	return got;
}
