/* SPDX-License-Identifier: BSD-3-Clause */
/* The in-process test harness (harness.c): the test plays the client. */
#ifndef SG_TEST_HARNESS_H
#define SG_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "sg_internal.h"

#define CLI_IP	RTE_BE32(0xc6120002)	/* 198.18.0.2 */
#define SRV_IP	RTE_BE32(0xc6120001)	/* 198.18.0.1 */
#define LPORT	8080
#define SRV_IP6_STR	"2001:db8::1"
#define CLI_IP6_STR	"2001:db8::2"

extern const uint8_t srv_ip6[16], cli_ip6[16];

extern const uint8_t cli_mac[6];
extern struct rte_ring *rxr, *txr;
extern struct rte_mempool *cpool;
extern uint16_t port;
extern struct rte_ether_addr srv_mac;
extern struct sg_engine *eng;
extern struct sg_listener *lst;
extern struct worker *wk;
extern uint64_t now_us;
extern const struct pkt_tcp_opts all_opts;

struct seg {
	uint8_t family;		/* 6: IPv6 (cli_ip6 -> srv_ip6), else IPv4 */
	uint16_t sport;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	struct pkt_tcp_opts opts;
	const char *data;
};

int group_setup(void **state);
int group_teardown(void **state);
void engine_up(void (*tune)(struct sg_params *));
void drain_tx(void);
int engine_down(void **state);
void poll_at(uint64_t t_us);
void inject(struct rte_mbuf *m);
struct rte_mbuf *frame(const struct seg *s);
void send_seg(const struct seg *s);
/* Ethernet + IPv6 + ICMPv6 from src to dst, the client's MAC to the
 * server's, checksummed. */
struct rte_mbuf *icmp6_frame(const uint8_t *src, const uint8_t *dst,
			     uint8_t hlim, const uint8_t *icmp, unsigned len);
/* The solicited-node group of srv_ip6 (ff02::1:ff00:1). */
extern const uint8_t srv_snm6[16];
bool sent(struct pkt_info *pi, uint8_t *dst_mac);
/* Take the next frame the worker sent, whatever it is; false when none. */
bool sent_any(void);
/* An ICMP echo request from the client to SRV_IP: id 0x0102, seq 7,
 * payload "ping" (PING4_LEN bytes), checksummed. */
#define PING4_LEN	46
struct rte_mbuf *ping4_frame(void);
void expect_none(void);
struct pkt_info syn(uint16_t sport, uint32_t isn, const struct pkt_tcp_opts *o);
void ack(uint16_t sport, uint32_t seq, uint32_t a, const char *data,
    const struct pkt_tcp_opts *o);
uint64_t drops(enum sg_drop d);
/* Like sent(), and copies the payload (up to cap bytes) into buf. */
bool sent_data(struct pkt_info *pi, void *buf, size_t cap, size_t *len);

#endif
