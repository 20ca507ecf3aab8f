/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * engine — what the workers share, read-only while they run: parameters,
 * listeners, the ISN key, the master copy of the cookie keys (written by
 * the main lcore under a seqlock, copied by each worker when it changes),
 * the stop flag.
 */
#ifndef SG_ENGINE_H
#define SG_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_seqlock.h>

#include "cookie.h"
#include "listener.h"
#include "siphash.h"
#include "syngate.h"
#include "worker.h"

struct sg_engine {
	struct sg_params e_params;
	unsigned e_nworkers;
	struct worker *e_workers[SG_MAX_WORKERS];
	struct listener_table e_listeners;
	struct siphash_key e_isn_key;	/* RFC 6528 F() secret */
	uint64_t e_start_tsc;
	uint64_t e_tsc_hz;

	rte_seqlock_t e_ckeys_lock;	/* main writes, workers copy */
	struct cookie_keys e_ckeys;
	uint64_t e_key_epoch;		/* epoch of the pair in e_ckeys */
	bool e_have_secret;		/* fleet mode: keys from e_secret */
	uint8_t e_secret[COOKIE_SECRET_LEN];
	uint64_t e_unix_base;		/* CLOCK_REALTIME s at start: cookie
					   time is wall time, as a fleet's */
	unsigned e_id;			/* instance, for DPDK object names */

	volatile int e_stop;
};

/* Microseconds since the engine started (TSC). */
uint64_t engine_now_us(const struct sg_engine *e);

#endif /* SG_ENGINE_H */
