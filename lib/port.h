/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port — setting up the ethdev ports a worker serves (port.c; the public
 * entry is sg_port_setup in syngate.h).  What its tests reach.
 */
#ifndef SG_PORT_H
#define SG_PORT_H

#include <stdbool.h>

#include <rte_mempool.h>

/*
 * Whether every object of mp lies inside the window DPDK 22.11's
 * net_af_xdp registers with the kernel as the queue's AF_XDP umem: from
 * the page holding the pool's first memory chunk, populated_size objects
 * of the pool's object size (xdp_umem_configure).  A pool laid out with
 * padding (objects kept off page boundaries) or in several chunks spans
 * more than that, and a buffer past the window is invalid to the kernel.
 */
bool port_pool_fits_umem(const struct rte_mempool *mp);

#endif /* SG_PORT_H */
