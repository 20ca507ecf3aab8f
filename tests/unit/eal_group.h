/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cmocka group setup/teardown for unit tests that need DPDK objects
 * (rte_hash, rte_ring, mempools): EAL without hugepages, shared files,
 * PCI or telemetry, on one lcore.  Include once per test program.
 */
#ifndef SG_TEST_EAL_GROUP_H
#define SG_TEST_EAL_GROUP_H

#include <rte_common.h>
#include <rte_eal.h>

static int
eal_group_setup(void **state)
{
	char *argv[] = { "test", "--no-huge", "-m", "256", "--no-shconf",
			 "--no-pci", "-l", "0", "--log-level=lib.*:error",
			 "--no-telemetry" };

	(void)state;
	return rte_eal_init((int)RTE_DIM(argv), argv) < 0 ? -1 : 0;
}

static int
eal_group_teardown(void **state)
{
	(void)state;
	rte_eal_cleanup();
	return 0;
}

#endif /* SG_TEST_EAL_GROUP_H */
