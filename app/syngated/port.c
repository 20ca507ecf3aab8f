/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Every ethdev port the EAL arguments made, set up by the library
 * (sg_port_setup: queues per worker, RSS with a random key, offloads, MTU,
 * ND groups, link wait).
 */
#include <rte_ethdev.h>

#include "syngated.h"

int
ports_setup(struct sg_engine *e, const struct sg_config *cfg,
	    unsigned n_workers)
{
	uint16_t port;
	unsigned n = 0;
	int ret;

	RTE_ETH_FOREACH_DEV(port) {
		if (n == SG_MAX_PORTS)
			break;
		ret = sg_port_setup(e, port, NULL);
		if (ret < 0)
			return ret;
		n++;
	}
	return 0;
}

void
ports_stop(void)
{
	uint16_t port;

	RTE_ETH_FOREACH_DEV(port) {
		rte_eth_dev_stop(port);
		rte_eth_dev_close(port);
	}
}
