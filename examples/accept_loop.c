/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * accept_loop — the smallest syngate server: one worker on lcore 1, every
 * port the EAL arguments made, port 8080 of 198.18.0.1; each connection
 * gets "hello\n" and is closed.  Stops on SIGINT/SIGTERM.
 *   cc accept_loop.c $(pkg-config --cflags --libs syngate) -o accept_loop
 *   ./accept_loop -l 0,1 --vdev=net_tap0,iface=sg0 --no-huge
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_launch.h>

#include <syngate.h>

static struct sg_engine *eng;

static void
on_signal(int sig)
{
	(void)sig;
	sg_engine_stop(eng);
}

int
main(int argc, char **argv)
{
	struct sg_listener *l;
	struct sg_params p;
	unsigned long n = 0;
	uint16_t port;

	if (rte_eal_init(argc, argv) < 0 || rte_lcore_count() < 2) {
		fprintf(stderr, "accept_loop: EAL init failed (-l 0,1?)\n");
		return 1;
	}
	sg_params_default(&p);			/* 198.18.0.1/24 */
	if (sg_engine_create(&p, 1, &eng) < 0 ||
	    sg_listen(eng, 8080, 0, &l) < 0)
		return 1;
	RTE_ETH_FOREACH_DEV(port)
		if (sg_port_setup(eng, port, NULL) < 0)
			return 1;
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	rte_eal_remote_launch(sg_worker_main, sg_engine_worker(eng, 0),
			      rte_get_next_lcore(-1, 1, 0));
	printf("accept_loop %s: serving 198.18.0.1:8080\n", sg_version());
	fflush(stdout);
	while (!sg_engine_stopping(eng)) {
		struct sg_conn *c;

		if (sg_accept(l, &c) < 0) {
			usleep(200);
			continue;
		}
		sg_send(c, "hello\n", 6);
		sg_close(c);
		n++;
	}
	rte_eal_mp_wait_lcore();
	printf("accept_loop: accepted=%lu\n", n);
	sg_engine_destroy(eng);
	rte_eal_cleanup();
	return 0;
}
