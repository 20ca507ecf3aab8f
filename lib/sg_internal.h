/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sg_internal.h — the library's insides, for its tests, its fuzzer and its
 * benchmarks only (never installed): every internal header, and the few
 * functions those programs need to put an engine into a known state (so
 * that none of them writes a private field itself: engine_set_unix_base
 * and engine_forget_key_epoch in shared.h, worker_reset_state in
 * worker.h).
 */
#ifndef SG_INTERNAL_H
#define SG_INTERNAL_H

#include "accept.h"
#include "budget.h"
#include "conn.h"
#include "cookie.h"
#include "flow.h"
#include "handshake.h"
#include "invariant.h"
#include "isn.h"
#include "lcore.h"
#include "listener.h"
#include "pkt.h"
#include "poller.h"
#include "port.h"
#include "shared.h"
#include "siphash.h"
#include "mbq.h"
#include "synq.h"
#include "syngate.h"
#include "timer.h"
#include "tx.h"
#include "worker.h"

#endif /* SG_INTERNAL_H */
