/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "stats.h"

static const char *const drop_names[SG_DROP_MAX] = {
#define SG_X(e, n) [SG_DROP_##e] = n,
	SG_DROP_REASONS(SG_X)
#undef SG_X
};

const char *
stats_drop_name(enum sg_drop d)
{
	return (unsigned)d < SG_DROP_MAX ? drop_names[d] : NULL;
}

void
stats_add(struct sg_counters *dst, const struct sg_counters *src)
{
	unsigned i;

#define SG_X(f, n) dst->f += src->f;
	SG_COUNTERS(SG_X)
#undef SG_X
	for (i = 0; i < SG_DROP_MAX; i++)
		dst->drops[i] += src->drops[i];
}

uint64_t
stats_drops_total(const struct sg_counters *c)
{
	uint64_t t = 0;
	unsigned i;

	for (i = 0; i < SG_DROP_MAX; i++)
		t += c->drops[i];
	return t;
}

/* Append "name=value" (with a leading space after the first pair),
 * keeping snprintf's return convention: the length that was needed. */
static size_t
put(char *buf, size_t len, size_t off, const char *name, uint64_t v)
{
	int n = snprintf(off < len ? buf + off : NULL,
			 off < len ? len - off : 0, "%s%s=%" PRIu64,
			 off ? " " : "", name, v);

	return off + (n > 0 ? (size_t)n : 0);
}

int
stats_format(char *buf, size_t len, const struct sg_counters *c,
	     const struct sg_gauges *g)
{
	size_t off = 0;
	unsigned i;

	if (len)
		buf[0] = '\0';
#define SG_X(f, n) off = put(buf, len, off, n, c->f);
	SG_COUNTERS(SG_X)
#undef SG_X
	if (g != NULL) {
		off = put(buf, len, off, "synq_used", g->synq_used);
		off = put(buf, len, off, "synq_cap", g->synq_cap);
		off = put(buf, len, off, "conns_used", g->conns_used);
		off = put(buf, len, off, "conns_cap", g->conns_cap);
		off = put(buf, len, off, "accept_queued", g->accept_queued);
		off = put(buf, len, off, "flood_workers", g->flood_workers);
		off = put(buf, len, off, "mbufs_used", g->mbufs_used);
	}
	for (i = 0; i < SG_DROP_MAX; i++)
		off = put(buf, len, off, drop_names[i], c->drops[i]);
	return (int)off;
}
