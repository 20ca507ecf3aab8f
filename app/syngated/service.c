/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Built-in services: ordinary pthreads (not EAL lcores) that use only the
 * public API, as an application would.  Each thread takes connections off
 * the accept rings, adds them to its own poller and serves their events:
 *
 *   accept   count the connection and close it at once (FIN)
 *   echo     RFC 862: send back what arrives; close after the peer's FIN
 *            once everything was echoed (half-close friendly)
 *   discard  RFC 863: read and drop; close after the peer's FIN
 *   http     HTTP/1.1: a small fixed 200 response to every request;
 *            keep-alive by default, "Connection: close" (or HTTP/1.0
 *            without keep-alive) closes after the response
 *
 * Each thread's poller watches every listener (sg_poller_add_listener):
 * a thread sleeps in sg_poller_wait until a connection it holds has an
 * event or connections wait to be accepted, and never spins.  A listener
 * takes at most 8 watchers; threads beyond that poll the accept rings
 * every millisecond instead.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <sys/queue.h>

#include <rte_lcore.h>

#include "syngated.h"

#define SVC_BURST	32
#define SVC_IO		16384	/* bytes moved per read */
#define SVC_REQ_MAX	8192	/* longest HTTP request head we take */

enum svc_kind { SVC_ACCEPT, SVC_ECHO, SVC_DISCARD, SVC_HTTP };

static const char http_body[] = "syngate says hello\n";

/* Per-connection state of a service. */
struct svc_conn {
	struct sg_conn *c;
	LIST_ENTRY(svc_conn) link;	/* on its thread's st_conns */
	size_t out_len, out_off;	/* output waiting for send room */
	size_t in_len;			/* HTTP: request bytes buffered */
	bool close_after;		/* HTTP: close once out is sent */
	char out[SVC_IO];
	char in[SVC_REQ_MAX];
};

struct service;

struct svc_thread {
	pthread_t st_tid;
	struct service *st_svc;
	struct sg_poller *st_poller;
	LIST_HEAD(, svc_conn) st_conns;	/* held: closed at stop */
	uint64_t st_accepted;
	uint64_t st_requests;
	bool st_started;
	bool st_watching;		/* its poller watches every listener */
};

struct service {
	struct sg_engine *s_engine;
	enum svc_kind s_kind;
	struct sg_listener *s_listeners[SG_MAX_LISTENERS];
	unsigned s_nlisteners;
	unsigned s_capacity;
	volatile int s_stop;
	unsigned s_nthreads;
	struct svc_thread s_threads[];
};

static const struct {
	const char *name;
	enum svc_kind kind;
} services[] = {
	{ "accept", SVC_ACCEPT },
	{ "echo", SVC_ECHO },
	{ "discard", SVC_DISCARD },
	{ "http", SVC_HTTP },
};

static void
svc_free(struct svc_conn *s, bool abort)
{
	LIST_REMOVE(s, link);
	if (abort)
		sg_abort(s->c);
	else
		sg_close(s->c);
	free(s);
}

/* Send what is waiting in s->out.  Returns true when all of it went. */
static bool
flush_out(struct svc_conn *s)
{
	while (s->out_off < s->out_len) {
		long n = sg_send(s->c, s->out + s->out_off,
				 s->out_len - s->out_off);

		if (n < 0)
			return false;
		s->out_off += (size_t)n;
	}
	s->out_off = s->out_len = 0;
	return true;
}

/* Queue bytes to send (whatever does not fit waits in s->out). */
static void
put_out(struct svc_conn *s, const char *p, size_t n)
{
	if (s->out_len == 0) {
		long k = sg_send(s->c, p, n);

		if (k > 0) {
			p += k;
			n -= (size_t)k;
		}
	}
	if (n > sizeof(s->out) - s->out_len)
		n = sizeof(s->out) - s->out_len;	/* cannot happen: the
							   caller reads no more
							   than the room */
	memcpy(s->out + s->out_len, p, n);
	s->out_len += n;
}

/* One HTTP request head in s->in[0..end): answer it. */
static void
http_answer(struct svc_thread *t, struct svc_conn *s, size_t end)
{
	char head[256];
	const char *req = s->in;
	bool v10 = end >= 8 && memmem(req, end, "HTTP/1.0", 8) != NULL;
	bool close_hdr = memmem(req, end, "onnection: close", 16) != NULL ||
			 memmem(req, end, "onnection: Close", 16) != NULL;
	bool ka_hdr = memmem(req, end, "onnection: keep-alive", 21) != NULL ||
		      memmem(req, end, "onnection: Keep-Alive", 21) != NULL;
	bool keep = v10 ? ka_hdr : !close_hdr;
	int n;

	n = snprintf(head, sizeof(head), "HTTP/1.%c 200 OK\r\n"
		     "Server: syngate\r\nContent-Type: text/plain\r\n"
		     "Content-Length: %zu\r\nConnection: %s\r\n\r\n%s",
		     v10 ? '0' : '1', sizeof(http_body) - 1,
		     keep ? "keep-alive" : "close", http_body);
	put_out(s, head, (size_t)n);
	__atomic_fetch_add(&t->st_requests, 1, __ATOMIC_RELAXED);
	if (!keep)
		s->close_after = true;
}

/* Serve an HTTP connection's buffered input.  Request bodies are not
 * expected (GET/HEAD); a head longer than SVC_REQ_MAX is refused. */
static bool
http_input(struct svc_thread *t, struct svc_conn *s)
{
	for (;;) {
		char *eoh = memmem(s->in, s->in_len, "\r\n\r\n", 4);
		size_t used;

		if (eoh == NULL)
			return s->in_len < sizeof(s->in);
		used = (size_t)(eoh - s->in) + 4;
		http_answer(t, s, used);
		memmove(s->in, s->in + used, s->in_len - used);
		s->in_len -= used;
		if (s->close_after)
			return true;
	}
}

/* Serve c's events.  Returns false when the state was freed. */
static bool
serve(struct svc_thread *t, struct svc_conn *s, uint32_t ev)
{
	enum svc_kind kind = t->st_svc->s_kind;
	char buf[SVC_IO];

	if (ev & SG_EV_RESET) {
		svc_free(s, true);
		return false;
	}
	for (;;) {
		size_t room;
		long n;

		/* Back-pressure: read no more than we could hold. */
		if (!flush_out(s))
			return true;		/* wait for SG_EV_WRITABLE */
		if (s->close_after) {
			svc_free(s, false);
			return false;
		}
		room = kind == SVC_HTTP ? sizeof(s->in) - s->in_len :
		       sizeof(buf);
		n = sg_recv(s->c, kind == SVC_HTTP ? s->in + s->in_len : buf,
			    room);
		if (n == -EAGAIN)
			return true;
		if (n < 0) {
			svc_free(s, true);
			return false;
		}
		if (n == 0) {
			/* End of stream: close once all output went. */
			if (s->out_len == 0) {
				svc_free(s, false);
				return false;
			}
			s->close_after = true;
			return true;
		}
		switch (kind) {
		case SVC_ECHO:
			put_out(s, buf, (size_t)n);
			break;
		case SVC_HTTP:
			s->in_len += (size_t)n;
			if (!http_input(t, s)) {
				svc_free(s, true);	/* head too long */
				return false;
			}
			break;
		default:
			break;				/* discard */
		}
	}
}

/* Accept what waits on l (all of it: the listener event is an edge). */
static void
take_new(struct svc_thread *t, struct sg_listener *l)
{
	struct service *sv = t->st_svc;
	struct sg_conn *c[SVC_BURST];
	unsigned j, n;

	do {
		n = sg_accept_burst(l, c, SVC_BURST);
		for (j = 0; j < n; j++) {
			struct svc_conn *s;

			__atomic_fetch_add(&t->st_accepted, 1, __ATOMIC_RELAXED);
			if (sv->s_kind == SVC_ACCEPT) {
				sg_close(c[j]);
				continue;
			}
			s = malloc(sizeof(*s));
			if (s == NULL) {
				sg_abort(c[j]);
				continue;
			}
			s->c = c[j];
			s->out_len = s->out_off = s->in_len = 0;
			s->close_after = false;
			LIST_INSERT_HEAD(&t->st_conns, s, link);
			sg_poller_add(t->st_poller, c[j], s);
		}
	} while (n == SVC_BURST);
}

static void *
svc_loop(void *arg)
{
	struct svc_thread *t = arg;
	struct service *sv = t->st_svc;
	struct sg_event ev[SVC_BURST];
	unsigned l;
	int n, i;

	while (!__atomic_load_n(&sv->s_stop, __ATOMIC_RELAXED)) {
		if (!t->st_watching)
			for (l = 0; l < sv->s_nlisteners; l++)
				take_new(t, sv->s_listeners[l]);
		/* Watching: the 100 ms bound only rechecks s_stop
		 * (service_stop also wakes the poller). */
		n = sg_poller_wait(t->st_poller, ev, SVC_BURST,
				   t->st_watching ? 100 : 1);
		for (i = 0; i < n; i++) {
			if (ev[i].events & SG_EV_ACCEPT)
				take_new(t, ev[i].listener);
			else
				serve(t, ev[i].user, ev[i].events);
		}
	}
	return NULL;
}

int
service_start(struct sg_engine *e, const struct sg_config *cfg,
	      struct sg_listener **listeners, struct service **out)
{
	struct service *s;
	unsigned i, j;
	int ret, kind = -1;

	for (i = 0; i < RTE_DIM(services); i++)
		if (strcmp(cfg->service, services[i].name) == 0)
			kind = (int)services[i].kind;
	if (kind < 0)
		return -EINVAL;
	s = calloc(1, sizeof(*s) + cfg->app_threads * sizeof(s->s_threads[0]));
	if (s == NULL)
		return -ENOMEM;
	s->s_engine = e;
	s->s_kind = (enum svc_kind)kind;
	s->s_nlisteners = cfg->n_listen;
	memcpy(s->s_listeners, listeners, cfg->n_listen * sizeof(*listeners));
	s->s_nthreads = cfg->app_threads;
	/* A poller can hold every connection of every worker. */
	s->s_capacity = cfg->p.conn_max * (rte_lcore_count() - 1);
	*out = s;
	for (i = 0; i < s->s_nthreads; i++) {
		struct svc_thread *t = &s->s_threads[i];

		t->st_svc = s;
		LIST_INIT(&t->st_conns);
		ret = sg_poller_create(e, s->s_capacity, &t->st_poller);
		if (ret < 0)
			return ret;
		t->st_watching = true;
		for (j = 0; j < s->s_nlisteners; j++)
			if (sg_poller_add_listener(t->st_poller,
						   s->s_listeners[j], t) < 0)
				t->st_watching = false;	/* -ENOSPC: poll */
		ret = pthread_create(&t->st_tid, NULL, svc_loop, t);
		if (ret != 0)
			return -ret;
		t->st_started = true;
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
			sg_poller_wake(s->s_threads[i].st_poller);
			pthread_join(s->s_threads[i].st_tid, NULL);
			s->s_threads[i].st_started = false;
		}
	/* Connections still held end with a reset, as a process's sockets
	 * do when it exits with data unread (the workers still run). */
	for (i = 0; i < s->s_nthreads; i++)
		while (!LIST_EMPTY(&s->s_threads[i].st_conns))
			svc_free(LIST_FIRST(&s->s_threads[i].st_conns), true);
}

void
service_free(struct service *s)
{
	unsigned i;

	if (s == NULL)
		return;
	for (i = 0; i < s->s_nthreads; i++)
		sg_poller_destroy(s->s_threads[i].st_poller);
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

uint64_t
service_requests(const struct service *s)
{
	uint64_t n = 0;
	unsigned i;

	if (s == NULL)
		return 0;
	for (i = 0; i < s->s_nthreads; i++)
		n += __atomic_load_n(&s->s_threads[i].st_requests,
				     __ATOMIC_RELAXED);
	return n;
}
