/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * params — the engine's parameters (struct sg_params in syngate.h): the
 * defaults, served addresses, and their textual form.  Plain C, no EAL:
 * the daemon's config (app/syngated/config.c) and any embedder build on
 * these.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "syngate.h"

static bool
outside(unsigned long v, unsigned long lo, unsigned long hi)
{
	return v < lo || v > hi;
}

int
sg_params_check(const struct sg_params *p, char *err, size_t len)
{
	const char *what = NULL;
	unsigned long v = 0, lo = 0, hi = 0;

#define RANGE(field, name, min, max)					\
	if (what == NULL && outside(p->field, min, max)) {		\
		what = name;						\
		v = p->field;						\
		lo = min;						\
		hi = max;						\
	}
	RANGE(n_addrs, "n_addrs", 1, SG_MAX_ADDRS)
	RANGE(synq_size, "synq_size", 1, 1u << 24)
	RANGE(backlog, "backlog", 1, 1u << 24)
	RANGE(conn_max, "conn_max", 1, 1u << 24)
	RANGE(synack_retries, "synack_retries", 0, 15)
	RANGE(synack_rto_ms, "synack_rto_ms", 1, 60000)
	RANGE(mss, "mss", SG_MSS_MIN, SG_MSS_MAX)
	RANGE(mbufs, "mbufs", 64, 1u << 24)
	RANGE(msl_ms, "msl_ms", 1, 600000)
	RANGE(cookies, "cookies", SG_COOKIES_NEVER, SG_COOKIES_ALWAYS)
	RANGE(overflow, "overflow", SG_OVERFLOW_DROP, SG_OVERFLOW_RESET)
#undef RANGE
	if (what == NULL)
		return 0;
	if (err != NULL && len != 0)
		snprintf(err, len, "sg_params.%s = %lu: accepted %lu..%lu", what,
			 v, lo, hi);
	return -EINVAL;
}

/* A prefix length: decimal digits only. */
static int
parse_prefix(const char *s, unsigned long *v)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	return (errno != 0 || *end != '\0') ? -1 : 0;
}

void
sg_params_default(struct sg_params *p)
{
	memset(p, 0, sizeof(*p));
	(void)sg_params_add_addr(p, "198.18.0.1/24");
	p->cookies = SG_COOKIES_AUTO;
	p->synq_size = 8192;
	p->backlog = 4096;	/* Linux net.core.somaxconn */
	p->conn_max = 16384;
	p->synack_retries = 5;	/* Linux tcp_synack_retries */
	p->synack_rto_ms = 1000;	/* RFC 6298 initial RTO */
	p->overflow = SG_OVERFLOW_DROP;
	p->rst_rate = 1000;
	p->mss = 1460;
	p->idle_sleep_us = 200;
	p->mbufs = 16383;
	p->msl_ms = 30000;	/* 2 MSL = 60 s, as Linux TCP_TIMEWAIT_LEN */
	p->idle_timeout_ms = 0;
	p->rx_desc = 1024;
	p->tx_desc = 1024;
}

int
sg_params_add_addr(struct sg_params *p, const char *cidr)
{
	char buf[64], *slash;
	unsigned long prefix;
	struct sg_addr a;
	unsigned i;

	memset(&a, 0, sizeof(a));
	if (cidr == NULL ||
	    snprintf(buf, sizeof(buf), "%s", cidr) >= (int)sizeof(buf))
		return -EINVAL;
	slash = strchr(buf, '/');
	if (slash == NULL || parse_prefix(slash + 1, &prefix) < 0)
		return -EINVAL;
	*slash = '\0';
	if (inet_pton(AF_INET, buf, a.bytes) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, buf, a.bytes) == 1)
		a.family = 6;
	else
		return -EINVAL;
	if (prefix < 1 || prefix > (a.family == 4 ? 32u : 128u))
		return -EINVAL;
	/* Only unicast addresses can be served. */
	if ((a.family == 4 && (a.bytes[0] == 0 || a.bytes[0] == 127 ||
			       a.bytes[0] >= 224)) ||
	    (a.family == 6 && (a.bytes[0] == 0xff ||
			       (a.bytes[0] == 0 && a.bytes[1] == 0))))
		return -EINVAL;
	a.prefix = (uint8_t)prefix;
	for (i = 0; i < p->n_addrs; i++)
		if (p->addrs[i].family == a.family &&
		    memcmp(p->addrs[i].bytes, a.bytes, 16) == 0)
			return -EEXIST;
	if (p->n_addrs == SG_MAX_ADDRS)
		return -ENOSPC;
	p->addrs[p->n_addrs++] = a;
	return 0;
}

char *
sg_addr_str(const struct sg_addr *a, char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN];

	if (inet_ntop(a->family == 6 ? AF_INET6 : AF_INET, a->bytes, s,
		      sizeof(s)) == NULL)
		s[0] = '\0';
	snprintf(buf, len, "%s/%u", s, a->prefix);
	return buf;
}

char *
sg_params_addrs_str(const struct sg_params *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN + 5];
	size_t off = 0;
	unsigned i;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < p->n_addrs && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s",
					i ? "," : "",
					sg_addr_str(&p->addrs[i], a,
						    sizeof(a)));
	return buf;
}
