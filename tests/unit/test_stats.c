/* SPDX-License-Identifier: BSD-3-Clause */
/* Counters: stable, unique names; summing; the stats line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <stdlib.h>

#include <rte_common.h>

#include "sg_stats.h"
#include "syngate.h"

static const char *const counter_names[] = {
#define SG_X(f, n) n,
	SG_COUNTERS(SG_X)
#undef SG_X
};

static void
test_drop_names(void **state)
{
	unsigned i, j;

	(void)state;
	for (i = 0; i < SG_DROP_MAX; i++) {
		const char *n = sg_stats_drop_name((enum sg_drop)i);

		assert_non_null(n);
		assert_int_equal(strncmp(n, "drop_", 5), 0);
		for (j = 0; j < i; j++)
			assert_string_not_equal(n,
				sg_stats_drop_name((enum sg_drop)j));
	}
	assert_null(sg_stats_drop_name(SG_DROP_MAX));
	assert_string_equal(sg_stats_drop_name(SG_DROP_IP_FRAGMENT),
			    "drop_ip_fragment");
}

static void
fill(struct sg_counters *c, uint64_t base)
{
	uint64_t *p = (uint64_t *)c;
	size_t i;

	for (i = 0; i < sizeof(*c) / sizeof(uint64_t); i++)
		p[i] = base + i;
}

static void
test_add_and_total(void **state)
{
	struct sg_counters a, b;
	const uint64_t *pa = (const uint64_t *)&a;
	size_t i, n = sizeof(a) / sizeof(uint64_t);
	uint64_t want = 0;

	(void)state;
	fill(&a, 1000);
	fill(&b, 7);
	sg_stats_add(&a, &b);
	for (i = 0; i < n; i++)
		assert_int_equal(pa[i], 1000 + i + 7 + i);
	for (i = 0; i < SG_DROP_MAX; i++)
		want += a.drops[i];
	assert_int_equal(sg_stats_drops_total(&a), want);
}

/* Value of name in line, or -1. */
static long long
value_of(const char *line, const char *name)
{
	char key[64];
	const char *p;
	int hits = 0;
	long long v = -1;

	snprintf(key, sizeof(key), "%s=", name);
	for (p = line; (p = strstr(p, key)) != NULL; p++)
		if (p == line || p[-1] == ' ') {
			hits++;
			v = atoll(p + strlen(key));
		}
	return hits == 1 ? v : -2;
}

static void
test_format(void **state)
{
	static char line[8192];
	struct sg_counters c;
	struct sg_gauges g = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	unsigned i;
	int n;

	(void)state;
	fill(&c, 100);
	n = sg_stats_format(line, sizeof(line), &c, &g);
	assert_int_equal(n, (int)strlen(line));
	for (i = 0; i < RTE_DIM(counter_names); i++)
		assert_int_equal(value_of(line, counter_names[i]), 100 + i);
	assert_int_equal(value_of(line, "syn_in"), (long long)c.syn_in);
	assert_int_equal(value_of(line, "synq_used"), 1);
	assert_int_equal(value_of(line, "flood_workers"), 6);
	assert_int_equal(value_of(line, "mbufs_used"), 7);
	for (i = 0; i < SG_DROP_MAX; i++)
		assert_int_equal(value_of(line,
			sg_stats_drop_name((enum sg_drop)i)),
			(long long)c.drops[i]);
	/* A small buffer: truncated, terminated, full length returned. */
	{
		char small[32];

		memset(small, 'x', sizeof(small));
		assert_int_equal(sg_stats_format(small, sizeof(small), &c, &g), n);
		assert_int_equal(strlen(small), sizeof(small) - 1);
		assert_memory_equal(small, line, sizeof(small) - 1);
	}
}

/* The version macros, sg_version() and the meson project agree. */
static void
test_version(void **state)
{
	char want[32];

	(void)state;
	snprintf(want, sizeof(want), "%d.%d.%d", SG_VERSION_MAJOR,
		 SG_VERSION_MINOR, SG_VERSION_PATCH);
	assert_string_equal(sg_version(), want);
	assert_string_equal(sg_version(), SG_PROJECT_VERSION);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_names),
		cmocka_unit_test(test_add_and_total),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
