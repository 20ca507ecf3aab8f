/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sg_stats.h"

static const char *const drop_names[SG_DROP_MAX] = {
#define SG_X(e, n) [SG_DROP_##e] = n,
	SG_DROP_REASONS(SG_X)
#undef SG_X
};

const char *
sg_stats_drop_name(enum sg_drop d)
{
	return (unsigned)d < SG_DROP_MAX ? drop_names[d] : NULL;
}

void
sg_stats_add(struct sg_counters *dst, const struct sg_counters *src)
{
	unsigned i;

#define SG_X(f, n) dst->f += src->f;
	SG_COUNTERS(SG_X)
#undef SG_X
	for (i = 0; i < SG_DROP_MAX; i++)
		dst->drops[i] += src->drops[i];
}

uint64_t
sg_stats_drops_total(const struct sg_counters *c)
{
	uint64_t t = 0;
	unsigned i;

	for (i = 0; i < SG_DROP_MAX; i++)
		t += c->drops[i];
	return t;
}

void
sg_stats_foreach(const struct sg_counters *c, const struct sg_gauges *g,
	      void (*cb)(void *arg, const char *name, uint64_t v), void *arg)
{
	unsigned i;

#define SG_X(f, n) cb(arg, n, c->f);
	SG_COUNTERS(SG_X)
#undef SG_X
	if (g != NULL) {
#define SG_X(f, n) cb(arg, n, g->f);
		SG_GAUGES(SG_X)
#undef SG_X
	}
	for (i = 0; i < SG_DROP_MAX; i++)
		cb(arg, drop_names[i], c->drops[i]);
}

struct fmt {
	char *buf;
	size_t len;
	size_t off;
};

/* Append "name=value" (space-separated), keeping snprintf's convention:
 * off is the length that was needed. */
static void
put(void *arg, const char *name, uint64_t v)
{
	struct fmt *f = arg;
	int n = snprintf(f->off < f->len ? f->buf + f->off : NULL,
			 f->off < f->len ? f->len - f->off : 0, "%s%s=%" PRIu64,
			 f->off ? " " : "", name, v);

	f->off += n > 0 ? (size_t)n : 0;
}

int
sg_stats_format(char *buf, size_t len, const struct sg_counters *c,
	     const struct sg_gauges *g)
{
	struct fmt f = { buf, len, 0 };

	if (len)
		buf[0] = '\0';
	sg_stats_foreach(c, g, put, &f);
	return (int)f.off;
}
