/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sg_stats.h — syngate's counters, gauges and drop reasons (public:
 * syngate.h includes it; installed with it).
 *
 * Every counter has one stable name, printed by the stats line as
 * name=value, served by telemetry and documented in docs/architecture.md.
 * Workers increment plain uint64_t fields in their own cache-aligned
 * struct (no atomics); sg_engine_stats sums them.  A torn read of a
 * 64-bit counter cannot happen on x86-64 or arm64, so the sum is at worst
 * a few packets stale.  Read them by name with sg_stats_foreach, or by
 * field: the structs are generated from the X-macro lists below, so a
 * field and its name cannot drift apart.
 */
#ifndef SG_STATS_H
#define SG_STATS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default)

/* Why a received frame was dropped.  X(enum suffix, printed name). */
#define SG_DROP_REASONS(X) \
	X(SHORT_FRAME, "drop_short_frame")       /* < Ethernet header */ \
	X(ETH_SRC_MCAST, "drop_eth_src_mcast")   /* source MAC multicast or \
						    broadcast */ \
	X(ETHERTYPE, "drop_ethertype")           /* not IPv4 / IPv6 / ARP */ \
	X(ARP_MALFORMED, "drop_arp_malformed")   /* bad hw/proto len, op */ \
	X(ARP_NOT_OURS, "drop_arp_not_ours")     /* target is not ours */ \
	X(IP_SHORT, "drop_ip_short")             /* frame < IP header */ \
	X(IP_VERSION, "drop_ip_version")         /* version != ethertype's */ \
	X(IP_BAD_IHL, "drop_ip_bad_ihl")         /* IHL < 5 or > frame */ \
	X(IP_BAD_TOTLEN, "drop_ip_bad_totlen")   /* total/payload length vs frame */ \
	X(IP_FRAGMENT, "drop_ip_fragment")       /* MF, offset, v6 fragment hdr */ \
	X(IP6_BAD_EXT, "drop_ip6_bad_ext")       /* ext header overrun, misplaced, too many */ \
	X(IP6_ROUTING, "drop_ip6_routing")       /* routing header, segments left */ \
	X(IP_BAD_CKSUM, "drop_ip_bad_cksum")     \
	X(IP_MARTIAN, "drop_ip_martian")         /* bad source address */ \
	X(IP_NOT_OURS, "drop_ip_not_ours")       /* dst not served */ \
	X(L4_PROTO, "drop_l4_proto")             /* not TCP / ICMP */ \
	X(ICMP_SHORT, "drop_icmp_short")         \
	X(ICMP_BAD_CKSUM, "drop_icmp_bad_cksum") \
	X(ICMP_TYPE, "drop_icmp_type")           /* not echo request / NS */ \
	X(ND_MALFORMED, "drop_nd_malformed")     /* NS: hop limit, length, option */ \
	X(ND_NOT_OURS, "drop_nd_not_ours")       /* NS target not served */ \
	X(TCP_SHORT, "drop_tcp_short")           /* < 20 bytes of TCP */ \
	X(TCP_BAD_DOFF, "drop_tcp_bad_doff")     /* data offset < 5 / > seg */ \
	X(TCP_BAD_CKSUM, "drop_tcp_bad_cksum")   \
	X(TCP_BAD_OPT, "drop_tcp_bad_opt")       /* option overruns header */ \
	X(TCP_BAD_FLAGS, "drop_tcp_bad_flags")   /* SYN+FIN, SYN+RST, none */ \
	X(TCP_BAD_PORT, "drop_tcp_bad_port")     /* port 0 */ \
	X(NO_LISTENER, "drop_no_listener")       /* SYN to a closed port */ \
	X(NO_FLOW, "drop_no_flow")               /* non-SYN, unknown flow */ \
	X(SYNQ_FULL, "drop_synq_full")           /* cookies=never, table full */ \
	X(SYNQ_BAD_ACK, "drop_synq_bad_ack")     /* ack != ISN+1 */ \
	X(SYNQ_BAD_SEQ, "drop_synq_bad_seq")     /* seq outside window */ \
	X(SYNQ_OTHER, "drop_synq_other")         /* SYN+ACK, stray flags */ \
	X(COOKIE_BAD, "drop_cookie_bad")         /* ACK failed cookie check */ \
	X(ACCEPT_OVERFLOW, "drop_accept_overflow") /* accept ring full */ \
	X(CONN_FULL, "drop_conn_full")           /* connection table full */ \
	X(CONN_SEQ, "drop_conn_seq")             /* outside the receive window */ \
	X(CONN_ACK, "drop_conn_ack")             /* ACK outside RFC 5961 range */ \
	X(CONN_RXQ_FULL, "drop_conn_rxq_full")   /* app not reading: no slot */ \
	X(CONN_NOMEM, "drop_conn_nomem")         /* no mbuf credit for data */ \
	X(CONN_STATE, "drop_conn_state")         /* not expected in this state */ \
	X(NO_MBUF, "drop_no_mbuf")               /* pool empty for a reply */ \
	X(TX_FULL, "drop_tx_full")               /* TX queue refused */

enum sg_drop {
#define SG_X(e, n) SG_DROP_##e,
	SG_DROP_REASONS(SG_X)
#undef SG_X
	SG_DROP_MAX
};

/* Event counters.  X(field, printed name). */
#define SG_COUNTERS(X) \
	X(rx_pkts, "rx_pkts") \
	X(rx_bytes, "rx_bytes") \
	X(tx_pkts, "tx_pkts") \
	X(tx_bytes, "tx_bytes") \
	X(arp_replies, "arp_replies") \
	X(icmp_replies, "icmp_replies")       /* ICMP and ICMPv6 echo */ \
	X(nd_replies, "nd_replies")           /* neighbour advertisements */ \
	X(syn_in, "syn_in")                   /* SYNs to a listener */ \
	X(synack_out, "synack_out")           /* first SYN-ACKs, stateful */ \
	X(synack_retrans, "synack_retrans")   /* timer retransmissions */ \
	X(syn_dup, "syn_dup")                 /* duplicate SYN, re-sent */ \
	X(synq_added, "synq_added") \
	X(synq_timeout, "synq_timeout")       /* retries exhausted */ \
	X(synq_reset, "synq_reset")           /* in-window RST */ \
	X(cookies_sent, "cookies_sent") \
	X(cookies_ok, "cookies_ok") \
	X(cookies_failed, "cookies_failed") \
	X(cookie_mode_on, "cookie_mode_on")   /* auto: entered cookie mode */ \
	X(flood_on, "flood_on")               /* table pressure began */ \
	X(synq_pruned, "synq_pruned")         /* dropped at first timeout \
						 under pressure */ \
	X(accepted, "accepted")               /* pushed on an accept ring */ \
	X(first_data, "first_data")           /* handshakes that carried data */ \
	X(overflow_drop, "overflow_drop") \
	X(overflow_reset, "overflow_reset") \
	X(rst_out, "rst_out") \
	X(rst_ratelimited, "rst_ratelimited") /* replies the budget refused \
						 (RST, challenge/dup ACK, NA, \
						 dup SYN-ACK) */ \
	X(conn_reset, "conn_reset")           /* peer RST on accepted conn */ \
	X(conn_closed, "conn_closed")         /* reached CLOSED */ \
	X(conn_freed, "conn_freed")           /* returned to the pool */ \
	X(seg_in, "seg_in")                   /* in-order data segments */ \
	X(seg_out, "seg_out")                 /* data segments sent */ \
	X(retransmits, "retransmits")         /* on RTO */ \
	X(fast_retransmits, "fast_retransmits") /* on 3 duplicate ACKs */ \
	X(ooo_segs, "ooo_segs")               /* out of order: dup ACK */ \
	X(challenge_acks, "challenge_acks")   /* RFC 5961 */ \
	X(oow_acks, "oow_acks")               /* duplicate ACKs to \
						 unacceptable segments */ \
	X(window_probes, "window_probes")     /* zero-window persist */ \
	X(time_wait, "time_wait")             /* entered TIME-WAIT */ \
	X(time_wait_reacks, "time_wait_reacks") /* FIN re-ACKed in TIME-WAIT */ \
	X(tw_recycled, "tw_recycled")         /* TIME-WAIT ended early: no \
						 room for a new connection */ \
	X(conn_timeouts, "conn_timeouts")     /* idle / retransmit give-up */ \
	X(abort_on_data, "abort_on_data")     /* data after sg_close: RST \
						 (Linux TCPAbortOnData) */ \
	X(orphans_reset, "orphans_reset")     /* closed with RST: too many \
						 orphans (tcp_max_orphans) */ \
	X(stale_refs, "stale_refs")           /* command for an ended life \
						 (ignored) */ \
	X(busy_cycles, "busy_cycles")         /* TSC cycles in polls that \
						 received (sg_worker_main) */

struct sg_counters {
#define SG_X(f, n) uint64_t f;
	SG_COUNTERS(SG_X)
#undef SG_X
	uint64_t drops[SG_DROP_MAX];
};

/* Gauges: sampled, not summed over time.  X(field, printed name). */
#define SG_GAUGES(X) \
	X(synq_used, "synq_used")             /* half-open entries in use */ \
	X(synq_cap, "synq_cap")               /* half-open capacity */ \
	X(conns_used, "conns_used")           /* accepted, not yet freed */ \
	X(conns_cap, "conns_cap") \
	X(accept_queued, "accept_queued")     /* on all accept rings */ \
	X(flood_workers, "flood_workers")     /* workers whose half-open \
						 table is under pressure */ \
	X(mbufs_used, "mbufs_used")           /* out of the workers' pools \
						 (RX rings, queues, caches) */ \
	X(data_mbufs, "data_mbufs")           /* of those, connection data \
						 (the budget, budget.h) */ \
	X(data_mbufs_cap, "data_mbufs_cap")   /* the most connections may \
						 hold */ \
	X(rx_nombuf, "rx_nombuf")             /* RX refills that found the \
						 pool empty (ports, since \
						 start) */

struct sg_gauges {
#define SG_X(f, n) uint64_t f;
	SG_GAUGES(SG_X)
#undef SG_X
};

/* Name of a drop reason ("drop_ip_fragment"), or NULL when out of range. */
const char *sg_stats_drop_name(enum sg_drop d);

/* dst += src, field by field. */
void sg_stats_add(struct sg_counters *dst, const struct sg_counters *src);

/* Total of all drop reasons. */
uint64_t sg_stats_drops_total(const struct sg_counters *c);

/* Call cb for every counter, then every gauge (if g), then every drop
 * reason, in the stats-line order, with its stable name. */
void sg_stats_foreach(const struct sg_counters *c, const struct sg_gauges *g,
		   void (*cb)(void *arg, const char *name, uint64_t v),
		   void *arg);

/*
 * Format one stats line: "name=value name=value ...", counters first, then
 * gauges, then every drop reason (zeros included, so the set of names is
 * stable for scripts).  Returns the length written (snprintf semantics).
 */
int sg_stats_format(char *buf, size_t len, const struct sg_counters *c,
		 const struct sg_gauges *g);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif /* SG_STATS_H */
