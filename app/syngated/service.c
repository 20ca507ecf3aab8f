/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built-in services: ordinary pthreads (not EAL lcores) that drain the
 * accept rings through the public API, as an application would.
 *
 *   accept   take every connection, count it, give it back (sg_close).
 *
 * The table keeps names and loops together so the next services (echo,
 * discard, http) slot in.  Threads back off (sleeping up to 1 ms) when no
 * connection is waiting, so they never pin a core.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "syngated.h"

#define SVC_BURST	32
#define SVC_SLEEP_MAX_US 1000

struct service;

struct svc_thread {
	pthread_t st_tid;
	struct service *st_svc;
	uint64_t st_accepted;
	bool st_started;
};

struct service {
	struct sg_engine *s_engine;
	struct sg_listener *s_listeners[SG_MAX_LISTENERS];
	unsigned s_nlisteners;
	volatile int s_stop;
	unsigned s_nthreads;
	struct svc_thread s_threads[];
};

static void
backoff(unsigned *us)
{
	struct timespec ts = { 0, (long)*us * 1000 };

	nanosleep(&ts, NULL);
	*us = *us * 2 > SVC_SLEEP_MAX_US ? SVC_SLEEP_MAX_US : *us * 2;
}

static void *
svc_accept_loop(void *arg)
{
	struct svc_thread *t = arg;
	struct service *s = t->st_svc;
	struct sg_conn *c[SVC_BURST];
	unsigned sleep_us = 1, i, j, n, got;

	while (!__atomic_load_n(&s->s_stop, __ATOMIC_RELAXED)) {
		got = 0;
		for (i = 0; i < s->s_nlisteners; i++) {
			n = sg_accept_burst(s->s_listeners[i], c, SVC_BURST);
			for (j = 0; j < n; j++)
				while (sg_close(c[j]) == -EAGAIN)
					backoff(&sleep_us);
			got += n;
		}
		__atomic_fetch_add(&t->st_accepted, got, __ATOMIC_RELAXED);
		if (got == 0)
			backoff(&sleep_us);
		else
			sleep_us = 1;
	}
	return NULL;
}

static const struct {
	const char *name;
	void *(*loop)(void *);
} services[] = {
	{ "accept", svc_accept_loop },
};

int
service_start(struct sg_engine *e, const struct sg_config *cfg,
	      struct sg_listener **listeners, struct service **out)
{
	void *(*loop)(void *) = NULL;
	struct service *s;
	unsigned i;
	int ret;

	for (i = 0; i < RTE_DIM(services); i++)
		if (strcmp(cfg->service, services[i].name) == 0)
			loop = services[i].loop;
	if (loop == NULL)
		return -EINVAL;
	s = calloc(1, sizeof(*s) + cfg->app_threads * sizeof(s->s_threads[0]));
	if (s == NULL)
		return -ENOMEM;
	s->s_engine = e;
	s->s_nlisteners = cfg->n_listen;
	memcpy(s->s_listeners, listeners, cfg->n_listen * sizeof(*listeners));
	s->s_nthreads = cfg->app_threads;
	*out = s;
	for (i = 0; i < s->s_nthreads; i++) {
		s->s_threads[i].st_svc = s;
		ret = pthread_create(&s->s_threads[i].st_tid, NULL, loop,
				     &s->s_threads[i]);
		if (ret != 0)
			return -ret;
		s->s_threads[i].st_started = true;
	}
	return 0;
}

void
service_stop(struct service *s)
{
	unsigned i;

	if (s == NULL)
		return;
	__atomic_store_n(&s->s_stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < s->s_nthreads; i++)
		if (s->s_threads[i].st_started) {
			pthread_join(s->s_threads[i].st_tid, NULL);
			s->s_threads[i].st_started = false;
		}
}

void
service_free(struct service *s)
{
	free(s);
}

uint64_t
service_accepted(const struct service *s)
{
	uint64_t n = 0;
	unsigned i;

	if (s == NULL)
		return 0;
	for (i = 0; i < s->s_nthreads; i++)
		n += __atomic_load_n(&s->s_threads[i].st_accepted,
				     __ATOMIC_RELAXED);
	return n;
}
