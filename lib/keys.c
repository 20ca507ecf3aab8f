/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * keys — the SYN cookie key pair over time.  A pair is current for one
 * epoch (COOKIE_TICK_SEC, 64 s of the engine's wall clock) and the
 * previous epoch's key stays valid beside it.  Keys are random
 * (getrandom(2)) or, in fleet mode, derived per epoch from a shared
 * secret (cookie.c); a reload of the secret keeps the replaced pair as
 * grace until the next epoch.
 *
 * Who rotates: worker 0, on its own clock (the one cookies are minted
 * and checked with), unless the application said it drives rotation
 * (sg_params.keys_by_app) and calls sg_engine_update_keys itself.  The
 * writers (worker 0, the application's update and reload calls) are
 * serialised by e_key_lock; workers copy the keys under e_rt_lock
 * (shared.h, refresh_shared).  Worker 0 only tries the lock: if the
 * application holds it, the rotation waits for the next poll.
 */
#include <string.h>

#include <rte_spinlock.h>

#include "keys.h"
#include "shared.h"

static void
publish_keys(struct sg_engine *e, const struct cookie_keys *k)
{
	rte_seqlock_write_lock(&e->e_rt_lock);
	e->e_ckeys = *k;
	rte_seqlock_write_unlock(&e->e_rt_lock);
}

/* Rotate to epoch n if it is past the current one (e_key_lock held). */
static int
rotate_locked(struct sg_engine *e, uint64_t n)
{
	struct cookie_keys k = e->e_ckeys;
	int ret = 0;

	/* Same epoch, or the wall clock stepped back (the workers' cookie
	 * clock did not: it runs on the TSC): keep the keys, so cookies in
	 * flight stay valid; rotation resumes past the epoch we are in. */
	if (n <= e->e_key_epoch)
		return 0;
	if (e->e_have_secret) {
		cookie_keys_set_epoch(&k, e->e_secret, n);
	} else {
		/* Random keys: a fresh one for the new epoch; after a gap
		 * of more than one epoch the previous one is fresh too. */
		ret = siphash_key_random(&k.ck_key[n & 1]);
		if (ret == 0 && n != e->e_key_epoch + 1)
			ret = siphash_key_random(&k.ck_key[(n - 1) & 1]);
		k.ck_gen = (uint32_t)n;
		k.ck_grace_valid = false;
	}
	if (ret < 0)
		return ret;
	__atomic_store_n(&e->e_key_epoch, n, __ATOMIC_RELAXED);
	publish_keys(e, &k);
	return 0;
}

int
sg_engine_update_keys(struct sg_engine *e, uint64_t unix_sec)
{
	int ret;

	rte_spinlock_lock(&e->e_key_lock);
	ret = rotate_locked(e, unix_sec / COOKIE_TICK_SEC);
	rte_spinlock_unlock(&e->e_key_lock);
	return ret;
}

void
keys_tick(struct sg_engine *e, uint64_t now_sec)
{
	uint64_t n = now_sec / COOKIE_TICK_SEC;

	if (n <= __atomic_load_n(&e->e_key_epoch, __ATOMIC_RELAXED) ||
	    e->e_params.keys_by_app || !rte_spinlock_trylock(&e->e_key_lock))
		return;
	/* A failed getrandom leaves the keys as they are; the next poll
	 * tries again. */
	(void)rotate_locked(e, n);
	rte_spinlock_unlock(&e->e_key_lock);
}

int
sg_engine_set_secret(struct sg_engine *e, const uint8_t *secret,
		     uint64_t unix_sec)
{
	uint64_t n = unix_sec / COOKIE_TICK_SEC;
	struct cookie_keys k;
	bool first;

	rte_spinlock_lock(&e->e_key_lock);
	k = e->e_ckeys;
	first = !e->e_have_secret;
	memcpy(e->e_secret, secret, COOKIE_SECRET_LEN);
	e->e_have_secret = true;
	if (first) {
		/* Before the workers run: the ISN secret comes from the
		 * same file (it is not changed by a reload). */
		struct siphash_key isn;

		cookie_key_derive(secret, UINT64_MAX, &isn);
		e->e_isn_key = isn;
		cookie_keys_set_epoch(&k, secret, n);
	} else {
		cookie_keys_reload(&k, secret, n);
	}
	__atomic_store_n(&e->e_key_epoch, n, __ATOMIC_RELAXED);
	publish_keys(e, &k);
	rte_spinlock_unlock(&e->e_key_lock);
	return 0;
}
