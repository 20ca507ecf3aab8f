/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>

#include <rte_malloc.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "flow.h"
#include "siphash.h"

/* Buckets for `entries` slots: whole buckets, a power of two of them. */
static uint32_t
buckets_for(uint32_t entries)
{
	uint32_t nb = rte_align32pow2((entries + FLOW_SLOTS - 1) / FLOW_SLOTS);

	return nb < 2 ? 2 : nb;
}

size_t
flow_table_mem_size(uint32_t entries)
{
	return (size_t)buckets_for(entries) * sizeof(struct flow_bucket);
}

int
flow_table_init(struct flow_table *ft, const char *name, uint32_t entries,
		unsigned family, int socket, flow_key_fn key_of,
		const void *key_ctx)
{
	uint32_t key_len = family == 6 ? sizeof(struct flow6) :
					 sizeof(struct flow4);
	uint32_t nb;
	int ret;

	RTE_BUILD_BUG_ON(sizeof(struct flow4) != 12);
	RTE_BUILD_BUG_ON(sizeof(struct flow6) != 36);
	RTE_BUILD_BUG_ON(sizeof(struct flow_bucket) != RTE_CACHE_LINE_SIZE);
	if (key_of == NULL || entries == 0 || entries > (1u << 30))
		return -EINVAL;
	memset(ft, 0, sizeof(*ft));
	ft->ft_key_len = key_len;
	ft->ft_key_of = key_of;
	ft->ft_key_ctx = key_ctx;
	ret = sg_random_fill(ft->ft_hkey, sizeof(ft->ft_hkey));
	if (ret < 0)
		return ret;
	nb = buckets_for(entries);
	ft->ft_mask = nb - 1;
	ft->ft_alt_shift = 32 - (uint32_t)__builtin_ctz(nb);
	ft->ft_bkt = rte_zmalloc_socket(name, (size_t)nb * sizeof(*ft->ft_bkt),
					RTE_CACHE_LINE_SIZE, socket);
	if (ft->ft_bkt == NULL)
		return -ENOMEM;
	return 0;
}

uint32_t
flow_hash6(const struct flow_table *ft, const struct flow6 *f)
{
	uint32_t w[FLOW_HKEY_WORDS];
	uint64_t h = 0;
	unsigned i;

	RTE_BUILD_BUG_ON(sizeof(*f) != (FLOW_HKEY_WORDS - 1) * 4);
	memcpy(w, f, sizeof(*f));
	w[FLOW_HKEY_WORDS - 1] = 0;
	for (i = 0; i < FLOW_HKEY_WORDS; i += 2)
		h += flow_nh(w[i], w[i + 1], ft->ft_hkey[i],
			     ft->ft_hkey[i + 1]);
	return flow_hash_mix(h);
}

void
flow_table_fini(struct flow_table *ft)
{
	rte_free(ft->ft_bkt);
	ft->ft_bkt = NULL;
	ft->ft_count = 0;
}

static inline bool
key_eq(const struct flow_table *ft, const void *a, const void *b)
{
	if (ft->ft_key_len == sizeof(struct flow4)) {
		uint64_t a0, b0;
		uint32_t a1, b1;

		memcpy(&a0, a, 8);
		memcpy(&b0, b, 8);
		memcpy(&a1, (const uint8_t *)a + 8, 4);
		memcpy(&b1, (const uint8_t *)b + 8, 4);
		return ((a0 ^ b0) | (a1 ^ b1)) == 0;
	}
	return memcmp(a, b, sizeof(struct flow6)) == 0;
}

/* Slots of bucket bk whose tag is tag, empty ones too: bit 2i set for
 * slot i (the byte mask of 16-bit lanes). */
static inline unsigned
tag_matches(const struct flow_bucket *bk, uint16_t tag)
{
#ifdef __SSE2__
	__m128i t = _mm_load_si128((const __m128i *)(const void *)bk->fb_tag);
	__m128i eq = _mm_cmpeq_epi16(t, _mm_set1_epi16((short)tag));

	return (unsigned)_mm_movemask_epi8(eq) & 0x555u;
#else
	unsigned r = 0, i;

	for (i = 0; i < FLOW_SLOTS; i++)
		r |= (unsigned)(bk->fb_tag[i] == tag) << (2 * i);
	return r;
#endif
}

/* The slot of bucket b holding key (tag tag), or -1. */
static inline int
bucket_find(const struct flow_table *ft, uint32_t b, uint16_t tag,
	    const void *key)
{
	const struct flow_bucket *bk = &ft->ft_bkt[b];
	unsigned m = tag_matches(bk, tag);

	while (m != 0) {
		unsigned i = (unsigned)__builtin_ctz(m) / 2;
		const void *v = bk->fb_val[i];

		m &= m - 1;
		if (v != NULL &&
		    key_eq(ft, ft->ft_key_of(ft->ft_key_ctx, v), key))
			return (int)i;
	}
	return -1;
}

/* The value stored under key (hash sig), or NULL: the first bucket, and
 * the second only when one of the first's keys was displaced. */
static inline void *
lookup1(const struct flow_table *ft, const void *key, uint32_t sig)
{
	uint16_t tag = flow_tag(sig);
	uint32_t b = flow_bucket1(ft, sig);
	int i = bucket_find(ft, b, tag, key);

	if (i >= 0)
		return ft->ft_bkt[b].fb_val[i];
	if (ft->ft_bkt[b].fb_displaced == 0)
		return NULL;
	b = flow_bucket_alt(ft, b, tag);
	i = bucket_find(ft, b, tag, key);
	return i >= 0 ? ft->ft_bkt[b].fb_val[i] : NULL;
}

void
flow_lookup_bulk(const struct flow_table *ft, const void **keys,
		 uint32_t *sig, unsigned n, void **data)
{
	unsigned i;

	for (i = 0; i < n; i++)
		flow_prefetch(ft, sig[i]);
	for (i = 0; i < n; i++)
		data[i] = lookup1(ft, keys[i], sig[i]);
}

void *
flow_lookup(const struct flow_table *ft, const void *key, uint32_t sig)
{
	return lookup1(ft, key, sig);
}

static inline int
free_slot(const struct flow_bucket *bk)
{
	unsigned i;

	if (bk->fb_used == FLOW_SLOTS)
		return -1;
	for (i = 0; i < FLOW_SLOTS; i++)
		if (bk->fb_val[i] == NULL)
			return (int)i;
	return -1;
}

/* Slot indexes come from bucket scans and the cuckoo path's uint8_t
 * slots: always < FLOW_SLOTS.  Said so, for the compiler's bounds
 * analysis (a sanitizer build checks it). */
static inline void
slot_ok(unsigned i)
{
	if (i >= FLOW_SLOTS)
		__builtin_unreachable();
}

/* Fill empty slot i of bk; alt: the key's primary bucket is the other
 * one. */
static inline void
slot_set(struct flow_bucket *bk, unsigned i, uint16_t tag, void *v, bool alt)
{
	slot_ok(i);
	bk->fb_tag[i] = tag;
	bk->fb_val[i] = v;
	bk->fb_used++;
	if (alt)
		bk->fb_alt |= (uint8_t)(1u << i);
}

/* Empty slot i of bk; returns whether its key was displaced there. */
static inline bool
slot_clear(struct flow_bucket *bk, unsigned i)
{
	bool alt;

	slot_ok(i);
	alt = bk->fb_alt >> i & 1;

	bk->fb_val[i] = NULL;
	bk->fb_used--;
	bk->fb_alt &= (uint8_t)~(1u << i);
	return alt;
}

static inline void
displaced_inc(struct flow_bucket *bk)
{
	if (bk->fb_displaced != FLOW_DISPLACED_MAX)
		bk->fb_displaced++;
}

/* A saturated count stays: the keys it stopped counting may still be
 * out there. */
static inline void
displaced_dec(struct flow_bucket *bk)
{
	if (bk->fb_displaced != FLOW_DISPLACED_MAX)
		bk->fb_displaced--;
}

/* A breadth-first search for a free slot reachable by moving entries to
 * their other bucket, starting from b1 and b2: a node is a bucket, the
 * node that led to it and the slot of that node's bucket whose entry
 * would move into it. */
struct bfs_node {
	uint32_t b;
	int16_t parent;		/* index in the queue, -1 for a root */
	uint8_t pslot;		/* slot of the parent's bucket */
};

static bool
on_path(const struct bfs_node *q, int n, uint32_t b)
{
	for (; n >= 0; n = q[n].parent)
		if (q[n].b == b)
			return true;
	return false;
}

/* Free a slot in b1 or b2 by moving entries; returns the bucket (through
 * *bp) and slot, or -1. */
static int
make_room(struct flow_table *ft, uint32_t b1, uint32_t b2, uint32_t *bp)
{
	struct bfs_node q[FLOW_BFS_MAX];
	int head, tail = 0;

	q[tail++] = (struct bfs_node){ b1, -1, 0 };
	if (b2 != b1)
		q[tail++] = (struct bfs_node){ b2, -1, 0 };
	for (head = 0; head < tail; head++) {
		const struct flow_bucket *bk = &ft->ft_bkt[q[head].b];
		unsigned s;

		for (s = 0; s < FLOW_SLOTS; s++) {
			uint32_t a = flow_bucket_alt(ft, q[head].b,
						     bk->fb_tag[s]);
			int f = free_slot(&ft->ft_bkt[a]);
			int n = head;
			unsigned slot = s;

			if (f < 0) {
				if (tail < FLOW_BFS_MAX && !on_path(q, head, a))
					q[tail++] = (struct bfs_node){
						a, (int16_t)head, (uint8_t)s };
				continue;
			}
			/* Move along the path, from its free end back to
			 * the root: each entry into the slot the one after
			 * it vacated. */
			while (1) {
				struct flow_bucket *from = &ft->ft_bkt[q[n].b];
				struct flow_bucket *to = &ft->ft_bkt[a];
				uint16_t t = from->fb_tag[slot];
				void *v = from->fb_val[slot];
				bool was_alt = slot_clear(from, slot);

				/* From its primary bucket to its other one,
				 * or back home. */
				slot_set(to, (unsigned)f, t, v, !was_alt);
				if (was_alt)
					displaced_dec(to);
				else
					displaced_inc(from);
				ft->ft_moves++;
				if (q[n].parent < 0) {
					*bp = q[n].b;
					return (int)slot;
				}
				a = q[n].b;
				f = (int)slot;
				slot = q[n].pslot;
				n = q[n].parent;
			}
		}
	}
	return -1;
}

int
flow_add(struct flow_table *ft, const void *key, uint32_t sig, void *data)
{
	uint16_t tag = flow_tag(sig);
	uint32_t b1 = flow_bucket1(ft, sig);
	uint32_t b2 = flow_bucket_alt(ft, b1, tag), b;
	int i;

	flow_log_note(ft, sig);
	/* Replace: the key may be in either bucket. */
	if ((i = bucket_find(ft, b1, tag, key)) >= 0) {
		ft->ft_bkt[b1].fb_val[i] = data;
		return 0;
	}
	if (ft->ft_bkt[b1].fb_displaced != 0 &&
	    (i = bucket_find(ft, b2, tag, key)) >= 0) {
		ft->ft_bkt[b2].fb_val[i] = data;
		return 0;
	}
	b = b1;
	i = free_slot(&ft->ft_bkt[b1]);
	if (i < 0) {
		b = b2;
		i = free_slot(&ft->ft_bkt[b2]);
	}
	if (i < 0)
		i = make_room(ft, b1, b2, &b);
	if (i < 0)
		return -ENOSPC;
	/* make_room may have freed a slot in either. */
	slot_set(&ft->ft_bkt[b], (unsigned)i, tag, data, b != b1);
	if (b != b1)
		displaced_inc(&ft->ft_bkt[b1]);
	ft->ft_count++;
	return 0;
}

int
flow_del(struct flow_table *ft, const void *key, uint32_t sig)
{
	uint16_t tag = flow_tag(sig);
	uint32_t b = flow_bucket1(ft, sig);
	int i;

	flow_log_note(ft, sig);
	i = bucket_find(ft, b, tag, key);
	if (i >= 0) {
		slot_clear(&ft->ft_bkt[b], (unsigned)i);
	} else {
		uint32_t b2 = flow_bucket_alt(ft, b, tag);

		if (ft->ft_bkt[b].fb_displaced == 0 ||
		    (i = bucket_find(ft, b2, tag, key)) < 0)
			return -ENOENT;
		slot_clear(&ft->ft_bkt[b2], (unsigned)i);
		displaced_dec(&ft->ft_bkt[b]);
	}
	ft->ft_count--;
	return 0;
}

int
flow_check(const struct flow_table *ft)
{
	uint32_t nb = ft->ft_mask + 1, b, count = 0;
	uint32_t *displaced = calloc(nb, sizeof(*displaced));
	int ret = 0;

	if (displaced == NULL)
		return -ENOMEM;
	for (b = 0; b < nb && ret == 0; b++) {
		const struct flow_bucket *bk = &ft->ft_bkt[b];
		unsigned i, used = 0, alt = 0;

		for (i = 0; i < FLOW_SLOTS; i++) {
			const void *v = bk->fb_val[i];
			uint32_t sig, b1;

			if (v == NULL)
				continue;
			used++;
			sig = flow_hash(ft, ft->ft_key_of(ft->ft_key_ctx, v));
			b1 = flow_bucket1(ft, sig);
			if (bk->fb_tag[i] != flow_tag(sig) ||
			    (b != b1 &&
			     b != flow_bucket_alt(ft, b1, flow_tag(sig))))
				ret = -EFAULT;	/* in neither of its buckets */
			if (b != b1) {
				alt |= 1u << i;
				displaced[b1]++;
			}
		}
		if (used != bk->fb_used || alt != bk->fb_alt)
			ret = -EBADSLT;
		count += used;
	}
	for (b = 0; b < nb && ret == 0; b++) {
		uint16_t d = ft->ft_bkt[b].fb_displaced;

		if (d == FLOW_DISPLACED_MAX ? displaced[b] < d :
					      displaced[b] != d)
			ret = -ERANGE;
	}
	if (ret == 0 && count != ft->ft_count)
		ret = -EBADSLT;
	free(displaced);
	return ret;
}

void *
flow_iterate(const struct flow_table *ft, uint32_t *it)
{
	uint32_t n = (ft->ft_mask + 1) * FLOW_SLOTS;

	if (ft->ft_bkt == NULL)
		return NULL;
	while (*it < n) {
		uint32_t k = (*it)++;
		void *v = ft->ft_bkt[k / FLOW_SLOTS].fb_val[k % FLOW_SLOTS];

		if (v != NULL)
			return v;
	}
	return NULL;
}
