/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * keys — SYN cookie key rotation and fleet-secret reloads (keys.c); the
 * public calls are sg_engine_update_keys and sg_engine_set_secret.
 */
#ifndef SG_KEYS_H
#define SG_KEYS_H

#include <stdint.h>

struct sg_engine;

/* Worker 0, every poll: rotate to the epoch of now_sec (the worker's
 * wall clock) unless the application drives rotation. */
void keys_tick(struct sg_engine *e, uint64_t now_sec);

#endif /* SG_KEYS_H */
