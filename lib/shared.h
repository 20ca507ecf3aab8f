/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shared — what the workers read from the engine: parameters, listeners,
 * the ISN key, the master copy of the cookie keys and of the run-time
 * parameters (written by the main lcore under one seqlock, copied by each
 * worker once per poll when it changed: one SYN sees one policy and one
 * key pair), the stop flag and the clock.  engine.c writes it; workers
 * only read.
 */
#ifndef SG_SHARED_H
#define SG_SHARED_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_cycles.h>
#include <rte_seqlock.h>
#include <rte_spinlock.h>

#include "cookie.h"
#include "listener.h"
#include "siphash.h"
#include "syngate.h"

struct worker;

struct sg_engine {
	struct sg_params e_params;	/* fixed at create, except the
					   fields sg_engine_update_params
					   changes (under e_rt_lock) */
	unsigned e_nworkers;
	struct worker *e_workers[SG_MAX_WORKERS];
	struct listener_table e_listeners;
	struct siphash_key e_isn_key;	/* RFC 6528 F() secret */
	uint64_t e_start_tsc;
	uint64_t e_tsc_hz;

	rte_seqlock_t e_rt_lock;	/* main writes, workers copy:
					   e_ckeys and e_params */
	rte_spinlock_t e_key_lock;	/* key writers (keys.c) */
	struct cookie_keys e_ckeys;
	uint64_t e_key_epoch;		/* epoch of the pair in e_ckeys
					   (written under e_key_lock) */
	bool e_have_secret;		/* fleet mode: keys from e_secret */
	uint8_t e_secret[COOKIE_SECRET_LEN];
	uint64_t e_unix_base;		/* CLOCK_REALTIME s at start: cookie
					   time is wall time, as a fleet's */
	unsigned e_id;			/* instance, for DPDK object names */

	volatile int e_stop;

	/* Run first by sg_engine_destroy, while e is whole: telemetry
	 * forgets e there (engine.c cannot call up into telemetry.c). */
	void (*e_destroy_hook)(struct sg_engine *e);

	/* Worker ms clock (| 1) of the last cookie any worker sent per
	 * listener, 0: none yet.  Relaxed, at most one write per second
	 * per worker; its own cache lines. */
	uint32_t e_cookie_ms[SG_MAX_LISTENERS] __rte_cache_aligned;
};

/* Microseconds since the engine started (TSC). */
static inline uint64_t
engine_now_us(const struct sg_engine *e)
{
	uint64_t c = rte_rdtsc() - e->e_start_tsc;

	/* Split so that c * 10^6 cannot overflow in a long run. */
	return c / e->e_tsc_hz * 1000000 + c % e->e_tsc_hz * 1000000 /
	       e->e_tsc_hz;
}

/* Have sg_engine_destroy run fn(e) before it frees anything (one hook:
 * a later call replaces it).  Main thread, before destroy. */
void engine_set_destroy_hook(struct sg_engine *e,
			     void (*fn)(struct sg_engine *e));

/* For tests (sg_internal.h). */
/* Pin the engine's wall-clock base (cookie time) to unix_sec, for its
 * workers too: two engines of one test then share one clock. */
void engine_set_unix_base(struct sg_engine *e, uint64_t unix_sec);

/* Forget the key epoch: the next sg_engine_update_keys sets the keys of
 * its epoch afresh, whatever the one before was. */
void engine_forget_key_epoch(struct sg_engine *e);

#endif /* SG_SHARED_H */
