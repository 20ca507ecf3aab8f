/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * timer — a hashed timing wheel (Varghese & Lauck, scheme 6), one per
 * worker, for SYN-ACK retransmission, RTO and TIME-WAIT.
 *
 * Intrusive: the node lives in the entry it times (24 bytes), so arming
 * and cancelling allocate nothing and are O(1).  One tick = 1 ms; the wheel
 * has TIMER_SLOTS slots, and a timer further away than one revolution
 * stays in its slot and is skipped until its expiry comes round (its cost
 * is one comparison per revolution).  Expiry times are 32-bit ms and
 * compared modulo 2^32, so a timer may be up to 24 days away.
 *
 * Single-threaded: only the owning worker touches its wheel.
 */
#ifndef SG_TIMER_H
#define SG_TIMER_H

#include <stdbool.h>
#include <stdint.h>

#define TIMER_SLOTS_SHIFT	12
#define TIMER_SLOTS		(1u << TIMER_SLOTS_SHIFT)	/* 4.096 s */
#define TIMER_SLOT_MASK		(TIMER_SLOTS - 1)

struct timer_node {
	struct timer_node *tn_next;
	struct timer_node **tn_pprev;	/* NULL when not armed */
	uint32_t tn_expire;		/* ms */
	uint8_t tn_kind;		/* owner's tag: what to do on expiry */
	uint8_t tn_wheel;		/* tw_id of the wheel it is armed on
					   (kept for the invariant checks) */
	uint8_t tn_spare[2];
};

struct timer_wheel {
	uint32_t tw_now;		/* last tick processed */
	uint32_t tw_armed;		/* nodes on the wheel */
	uint8_t tw_id;			/* non-zero; nodes record it */
	/* bit i set: tw_slot[i] may be non-empty (set on arm, cleared
	 * when the walk finds the slot empty or its head is unlinked
	 * last); lets timer_advance skip empty slots 64 at a time */
	uint64_t tw_bits[TIMER_SLOTS / 64];
	struct timer_node *tw_slot[TIMER_SLOTS];
};

static inline bool
timer_armed(const struct timer_node *n)
{
	return n->tn_pprev != 0;
}

/* Start empty at time now_ms. */
void timer_wheel_init(struct timer_wheel *w, uint32_t now_ms);

/* Mark a node unarmed (call once when its owner is created; never on a
 * node that may still be armed: an asserts build aborts). */
void timer_node_init(struct timer_node *n, uint8_t kind);

/* Arm (or re-arm) n to expire at expire_ms.  An expiry at or before the
 * wheel's current tick fires on the next timer_advance(). */
void timer_arm(struct timer_wheel *w, struct timer_node *n, uint32_t expire_ms);

/* Disarm n if armed. */
void timer_cancel(struct timer_wheel *w, struct timer_node *n);

/*
 * Move the wheel forward to now_ms and hand out up to max expired nodes in
 * out[] (each disarmed before it is returned, so the owner may re-arm it).
 * Returns how many.  When it returns max, more may be due: call again.
 * Nodes come out in slot order; within a slot in no set order.
 */
unsigned timer_advance(struct timer_wheel *w, uint32_t now_ms,
		       struct timer_node **out, unsigned max);

#endif /* SG_TIMER_H */
