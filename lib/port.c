/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * port — an ethdev port set up for an engine (sg_port_setup): one RX/TX
 * queue pair per worker, RSS over the TCP 4-tuple with a random key and
 * the RETA spread over the workers, checksum offloads where the port has
 * them, an MTU that carries --mss, the IPv6 solicited-node groups
 * neighbour discovery needs, promiscuous mode off, a wait for the link.
 * What an embedder would otherwise copy from the daemon.
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_log.h>

#include "port.h"
#include "syngate.h"

RTE_LOG_REGISTER(sg_port_logtype, syngate.port, INFO);
#define PORT_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, sg_port_logtype, "syngate: " __VA_ARGS__)

#define PORT_LINK_WAIT_MS	3000
#define PORT_RSS_KEY_MAX	64

/*
 * IPv6 neighbour solicitations go to the solicited-node group of the
 * address asked for (RFC 4861 7.2.2): accept 33:33:ff:xx:xx:xx for each
 * served IPv6 address, or all multicast if the port has no filter list.
 */
static void
join_nd_groups(uint16_t port, const struct sg_params *p)
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
		PORT_LOG(WARNING, "port %u: cannot join the IPv6 "
			 "solicited-node groups; neighbours must already "
			 "know our MAC\n", port);
}

/*
 * RSS: the TCP 4-tuple where the port hashes it (else addresses only,
 * with a warning: every connection of one client then lands on one
 * worker), with a random key unless one is given -- the well-known
 * default Toeplitz key lets an attacker pick source ports that all hash
 * to one worker.  *key gets the key used (key_len bytes).
 */
static int
rss_conf(uint16_t port, const struct rte_eth_dev_info *info,
	 const struct sg_port_conf *pc, struct rte_eth_conf *conf,
	 uint8_t *key)
{
	uint64_t tcp = RTE_ETH_RSS_NONFRAG_IPV4_TCP |
		       RTE_ETH_RSS_NONFRAG_IPV6_TCP;
	uint64_t hf = info->flow_type_rss_offloads &
		      (tcp | RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_IPV6);
	uint8_t len = info->hash_key_size;

	if (hf == 0) {
		/* Worker k still polls queue k: over memif the peer picks
		 * the ring (bench/synflood --queues hashes flows as RSS
		 * would); a NIC puts everything on queue 0. */
		PORT_LOG(WARNING, "port %u (%s) has no RSS: worker k gets "
			 "what arrives on queue k (a NIC: all on queue 0, "
			 "worker 0)\n", port, info->driver_name);
		return 0;
	}
	if ((hf & tcp) == 0)
		PORT_LOG(WARNING, "port %u (%s) cannot hash TCP ports: flows "
			 "spread by address only\n", port, info->driver_name);
	conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
	conf->rx_adv_conf.rss_conf.rss_hf = hf;
	if (len == 0 || len > PORT_RSS_KEY_MAX)
		return 0;		/* the PMD's own key */
	if (pc != NULL && pc->rss_key != NULL) {
		if (pc->rss_key_len != len) {
			PORT_LOG(ERR, "port %u (%s): RSS key of %u bytes, it "
				 "takes %u\n", port, info->driver_name,
				 pc->rss_key_len, len);
			return -EINVAL;
		}
		memcpy(key, pc->rss_key, len);
	} else if (getrandom(key, len, 0) != (ssize_t)len) {
		return -errno;
	}
	conf->rx_adv_conf.rss_conf.rss_key = key;
	conf->rx_adv_conf.rss_conf.rss_key_len = len;
	return 0;
}

/* The RETA round-robin over the nq queues (PMDs differ in what they set
 * by default). */
struct umem_window {
	uintptr_t base, end;
	bool fits;
};

static void
umem_obj_check(struct rte_mempool *mp, void *arg, void *obj, unsigned idx)
{
	struct umem_window *uw = arg;
	uintptr_t o = (uintptr_t)obj;

	RTE_SET_USED(idx);
	if (o < uw->base || o + mp->elt_size > uw->end)
		uw->fits = false;
}

bool
port_pool_fits_umem(const struct rte_mempool *mp)
{
	const struct rte_mempool_memhdr *mh = STAILQ_FIRST(&mp->mem_list);
	uintptr_t pg = (uintptr_t)getpagesize();
	struct umem_window uw;

	if (mh == NULL)
		return false;
	uw.base = (uintptr_t)mh->addr & ~(pg - 1);
	uw.end = uw.base + ((uintptr_t)mh->addr - uw.base) +
		 (uintptr_t)mp->populated_size *
		 rte_mempool_calc_obj_size(mp->elt_size, mp->flags, NULL);
	uw.fits = true;
	rte_mempool_obj_iter((struct rte_mempool *)(uintptr_t)mp,
			     umem_obj_check, &uw);
	return uw.fits;
}

static void
reta_spread(uint16_t port, const struct rte_eth_dev_info *info, unsigned nq)
{
	struct rte_eth_rss_reta_entry64 r[RTE_ETH_RSS_RETA_SIZE_512 /
					  RTE_ETH_RETA_GROUP_SIZE];
	unsigned i;

	if (info->reta_size == 0 || info->reta_size > RTE_ETH_RSS_RETA_SIZE_512)
		return;
	memset(r, 0, sizeof(r));
	for (i = 0; i < info->reta_size; i++) {
		r[i / RTE_ETH_RETA_GROUP_SIZE].mask |=
			1ull << (i % RTE_ETH_RETA_GROUP_SIZE);
		r[i / RTE_ETH_RETA_GROUP_SIZE].reta[i %
			RTE_ETH_RETA_GROUP_SIZE] = (uint16_t)(i % nq);
	}
	if (rte_eth_dev_rss_reta_update(port, r, info->reta_size) != 0)
		PORT_LOG(INFO, "port %u: RETA left as the PMD set it\n", port);
}

int
sg_port_setup(struct sg_engine *e, uint16_t port,
	      const struct sg_port_conf *pc)
{
	const uint64_t tx_ck = RTE_ETH_TX_OFFLOAD_IPV4_CKSUM |
			       RTE_ETH_TX_OFFLOAD_TCP_CKSUM;
	const uint64_t rx_ck = RTE_ETH_RX_OFFLOAD_IPV4_CKSUM |
			       RTE_ETH_RX_OFFLOAD_TCP_CKSUM;
	const struct sg_params *p = sg_engine_params(e);
	unsigned nq = sg_engine_workers(e), q, waited;
	unsigned wait_ms = pc != NULL && pc->link_wait_ms != 0 ?
			   pc->link_wait_ms : PORT_LINK_WAIT_MS;
	uint8_t key[PORT_RSS_KEY_MAX];
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_eth_txconf txc;
	struct rte_eth_link link;
	uint16_t nrx = p->rx_desc, ntx = p->tx_desc;
	int socket = rte_eth_dev_socket_id(port);
	bool ck_off;
	int ret;

	memset(&conf, 0, sizeof(conf));
	memset(&link, 0, sizeof(link));
	ret = rte_eth_dev_info_get(port, &info);
	if (ret < 0)
		return ret;
	/* A full segment of --mss bytes with IPv4 and TCP headers must fit
	 * the port's MTU (the workers' mbufs are sized for it). */
	if (p->mss + 40u > RTE_ETHER_MTU) {
		uint32_t need = p->mss + 40u;

		if (need > info.max_mtu) {
			PORT_LOG(ERR, "--mss %u needs an MTU of %u on port %u "
				 "(%s), which allows at most %u: give --mss "
				 "%u or less\n", p->mss, need, port,
				 info.driver_name, info.max_mtu,
				 info.max_mtu > 40 ? info.max_mtu - 40 : 0);
			return -ERANGE;
		}
		conf.rxmode.mtu = need;
	}
	if (nq > info.max_rx_queues || nq > info.max_tx_queues) {
		PORT_LOG(ERR, "port %u (%s) has %u/%u queues, %u workers need "
			 "as many\n", port, info.driver_name,
			 info.max_rx_queues, info.max_tx_queues, nq);
		return -EINVAL;
	}
	if (nq > 1) {
		ret = rss_conf(port, &info, pc, &conf, key);
		if (ret < 0)
			return ret;
	}
	ck_off = (info.tx_offload_capa & tx_ck) == tx_ck;
	if (ck_off)
		conf.txmode.offloads |= tx_ck;
	if ((info.rx_offload_capa & rx_ck) == rx_ck)
		conf.rxmode.offloads |= rx_ck;
	ret = rte_eth_dev_configure(port, (uint16_t)nq, (uint16_t)nq, &conf);
	if (ret < 0 && conf.rxmode.mtu != 0) {
		PORT_LOG(ERR, "--mss %u: port %u (%s) refuses an MTU of %u: "
			 "%s; give --mss %u or less\n", p->mss, port,
			 info.driver_name, conf.rxmode.mtu, strerror(-ret),
			 RTE_ETHER_MTU - 40);
		return -ERANGE;
	}
	if (ret < 0) {
		PORT_LOG(ERR, "port %u configure: %s\n", port, strerror(-ret));
		return ret;
	}
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrx, &ntx);
	if (ret < 0)
		return ret;
	txc = info.default_txconf;
	txc.offloads = conf.txmode.offloads;
	for (q = 0; q < nq; q++) {
		/* A buffer outside the umem is dropped by the kernel without
		 * a completion: its mbuf is lost, and once the pool has cycled
		 * through enough of them the port goes deaf (measured: after
		 * some 46 000 frames with padded 4 KiB-page objects).  The
		 * workers' pools are packed when IOVA is VA (worker.c). */
		if (strcmp(info.driver_name, "net_af_xdp") == 0 &&
		    !port_pool_fits_umem(sg_engine_pktmbuf_pool(e, q))) {
			PORT_LOG(ERR, "port %u (net_af_xdp): worker %u's mbuf "
				 "pool does not lie in one packed chunk, and "
				 "the driver registers only that much of it "
				 "with the kernel; run with IOVA as VA "
				 "(--iova-mode=va)\n", port, q);
			return -EINVAL;
		}
		ret = rte_eth_rx_queue_setup(port, (uint16_t)q, nrx, socket,
					     NULL,
					     sg_engine_pktmbuf_pool(e, q));
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(port, (uint16_t)q, ntx,
						     socket, &txc);
		if (ret < 0) {
			PORT_LOG(ERR, "port %u queue %u: %s\n", port, q,
				 strerror(-ret));
			return ret;
		}
		ret = sg_engine_attach_queue(e, q, port, (uint16_t)q, ck_off);
		if (ret < 0)
			return ret;
	}
	ret = rte_eth_dev_start(port);
	if (ret < 0) {
		PORT_LOG(ERR, "port %u start: %s\n", port, strerror(-ret));
		return ret;
	}
	if (nq > 1 && conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS)
		reta_spread(port, &info, nq);
	/* We answer only frames addressed to the port's MAC (and
	 * broadcast ARP); some vdevs cannot change it, so ignore errors. */
	rte_eth_promiscuous_disable(port);
	join_nd_groups(port, p);
	for (waited = 0; waited < wait_ms; waited += 100) {
		if (rte_eth_link_get_nowait(port, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP)
			break;
		usleep(100000);
	}
	PORT_LOG(INFO, "port %u (%s): %u queue(s)%s, link %s, tx checksum "
		 "%s\n", port, info.driver_name, nq,
		 conf.rxmode.mq_mode != RTE_ETH_MQ_RX_RSS ? "" :
		 pc != NULL && pc->rss_key != NULL ? " with RSS (given key)" :
		 " with RSS (random key)",
		 link.link_status == RTE_ETH_LINK_UP ? "up" : "down",
		 ck_off ? "offloaded" : "software");
	return 0;
}
