/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port setup: one RX/TX queue pair per worker, RSS on the TCP 4-tuple when
 * the port has it, checksum offloads when it has them, promiscuous mode
 * off, the multicast groups neighbour discovery needs, link-state wait.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>

#include "syngated.h"

#define LINK_WAIT_MS	3000

/*
 * IPv6 neighbour solicitations go to the solicited-node group of the
 * address asked for (RFC 4861 7.2.2): accept 33:33:ff:xx:xx:xx for each
 * served IPv6 address, or all multicast if the port has no filter list.
 */
static void
port_join_nd_groups(uint16_t port, const struct sg_params *p)
{
	struct rte_ether_addr mc[SG_MAX_ADDRS];
	uint32_t n = 0;
	unsigned i;

	for (i = 0; i < p->n_addrs; i++) {
		const uint8_t *a = p->addrs[i].bytes;

		if (p->addrs[i].family != 6)
			continue;
		mc[n].addr_bytes[0] = 0x33;
		mc[n].addr_bytes[1] = 0x33;
		mc[n].addr_bytes[2] = 0xff;
		memcpy(&mc[n].addr_bytes[3], a + 13, 3);
		n++;
	}
	if (n == 0)
		return;
	if (rte_eth_dev_set_mc_addr_list(port, mc, n) != 0 &&
	    rte_eth_allmulticast_enable(port) != 0)
		SGD_LOG(WARNING, "port %u: cannot join the IPv6 solicited-node "
			"groups; neighbours must already know our MAC\n",
			port);
}

static int
port_setup(struct sg_engine *e, const struct sg_config *cfg, uint16_t port,
	   unsigned nq)
{
	const uint64_t tx_ck = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
			       RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	const uint64_t rx_ck = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
			       RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_eth_txconf txc;
	struct rte_eth_link link;
	uint16_t nrx = cfg->p.rx_desc, ntx = cfg->p.tx_desc;
	int socket = rte_eth_dev_socket_id(port);
	bool ck_off;
	unsigned q, waited;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_info_get(port, &info);
	if (ret < 0)
		return ret;
	/* A full segment of --mss bytes with IPv4 and TCP headers must fit
	 * the port's MTU (the workers' mbufs are sized for it). */
	if (cfg->p.mss + 40u > RTE_ETHER_MTU) {
		uint32_t need = cfg->p.mss + 40u;

		if (need > info.max_mtu) {
			SGD_LOG(ERR, "--mss %u needs an MTU of %u on port %u "
				"(%s), which allows at most %u: give --mss "
				"%u or less\n", cfg->p.mss, need, port,
				info.driver_name, info.max_mtu,
				info.max_mtu > 40 ? info.max_mtu - 40 : 0);
			return -ERANGE;
		}
		conf.rxmode.mtu = need;
	}
	if (nq > info.max_rx_queues || nq > info.max_tx_queues) {
		SGD_LOG(ERR, "port %u (%s) has %u/%u queues, %u workers need "
			"as many\n", port, info.driver_name,
			info.max_rx_queues, info.max_tx_queues, nq);
		return -EINVAL;
	}
	if (nq > 1) {
		uint64_t hf = info.flow_type_rss_offloads &
			(RTE_ETH_RSS_NONFRAG_IPV4_TCP | RTE_ETH_RSS_IPV4 |
			 RTE_ETH_RSS_NONFRAG_IPV6_TCP | RTE_ETH_RSS_IPV6);

		if (hf == 0)
			SGD_LOG(WARNING, "port %u has no TCP RSS: queue 0 gets "
				"all traffic\n", port);
		else {
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
			conf.rx_adv_conf.rss_conf.rss_hf = hf;
		}
	}
	ck_off = (info.tx_offload_capa & tx_ck) == tx_ck;
	if (ck_off)
		conf.txmode.offloads |= tx_ck;
	if ((info.rx_offload_capa & rx_ck) == rx_ck)
		conf.rxmode.offloads |= rx_ck;
	ret = rte_eth_dev_configure(port, nq, nq, &conf);
	if (ret < 0 && conf.rxmode.mtu != 0) {
		SGD_LOG(ERR, "--mss %u: port %u (%s) refuses an MTU of %u: %s; "
			"give --mss %u or less\n", cfg->p.mss, port,
			info.driver_name, conf.rxmode.mtu, strerror(-ret),
			RTE_ETHER_MTU - 40);
		return -ERANGE;
	}
	if (ret < 0) {
		SGD_LOG(ERR, "port %u configure: %s\n", port, strerror(-ret));
		return ret;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrx, &ntx);
	if (ret < 0)
		return ret;
	txc = info.default_txconf;
	txc.offloads = conf.txmode.offloads;
	for (q = 0; q < nq; q++) {
		if (socket >= 0 && socket != (int)rte_socket_id())
			SGD_LOG(WARNING, "port %u is on socket %d, worker %u "
				"on %u\n", port, socket, q, rte_socket_id());
		ret = rte_eth_rx_queue_setup(port, q, nrx, socket, NULL,
					     sg_engine_pktmbuf_pool(e, q));
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port, q, ntx, socket,
						     &txc);
		if (ret < 0) {
			SGD_LOG(ERR, "port %u queue %u: %s\n", port, q,
				strerror(-ret));
			return ret;
		}
		ret = sg_engine_attach_queue(e, q, port, q, ck_off);
		if (ret < 0)
			return ret;
	}
	ret = rte_eth_dev_start(port);
	if (ret < 0) {
		SGD_LOG(ERR, "port %u start: %s\n", port, strerror(-ret));
		return ret;
	}
	/* We answer only frames addressed to the port's MAC (and
	 * broadcast ARP); some vdevs cannot change it, so ignore errors. */
	rte_eth_promiscuous_disable(port);
	port_join_nd_groups(port, &cfg->p);
	for (waited = 0; waited < LINK_WAIT_MS; waited += 100) {
		if (rte_eth_link_get_nowait(port, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			break;
		usleep(100000);
	}
	SGD_LOG(INFO, "port %u (%s): %u queue(s), link %s, tx checksum %s\n",
		port, info.driver_name, nq,
		link.link_status == RTE_ETH_LINK_UP ? "up" : "down",
		ck_off ? "offloaded" : "software");
	return 0;
}

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
		ret = port_setup(e, cfg, port, n_workers);
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
