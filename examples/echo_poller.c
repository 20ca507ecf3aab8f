/* SPDX-License-Identifier: BSD-3-Clause */
/* echo_poller — echo on 198.18.0.1:7: one worker on lcore 1, this thread
 * sleeps on a poller watching the listener and its connections; a FIN is
 * answered with ours once everything is echoed.
 *   cc echo_poller.c $(pkg-config --cflags --libs syngate) -o echo_poller */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

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

struct pend { char buf[2048]; long off, len; };	/* read, not echoed */

/* Echo what c has (after what is pending); close it when finished. */
static void
echo(struct sg_conn *c, struct pend *p)
{
	long r;

	for (;;) {
		while (p->off < p->len) {
			r = sg_send(c, p->buf + p->off, (size_t)(p->len - p->off));
			if (r == -EAGAIN)
				return;		/* SG_EV_WRITABLE follows */
			if (r < 0)
				goto done;
			p->off += r;
		}
		r = sg_recv(c, p->buf, sizeof(p->buf));
		if (r == -EAGAIN)
			return;			/* SG_EV_READABLE follows */
		if (r <= 0)
			goto done;		/* end of stream, or reset */
		p->off = 0;
		p->len = r;
	}
done:
	sg_close(c);			/* FIN after what is queued */
	free(p);
}

int
main(int argc, char **argv)
{
	struct sg_listener *l;
	struct sg_poller *pl;
	struct sg_params p;
	uint16_t port;

	if (rte_eal_init(argc, argv) < 0 || rte_lcore_count() < 2)
		return 1;
	sg_params_default(&p);
	if (sg_engine_create(&p, 1, &eng) < 0 ||
	    sg_listen(eng, 7, 0, &l) < 0 ||
	    sg_poller_create(eng, 4096, &pl) < 0 ||
	    sg_poller_add_listener(pl, l, NULL) < 0)
		return 1;
	RTE_ETH_FOREACH_DEV(port)
		if (sg_port_setup(eng, port, NULL) < 0)
			return 1;
	signal(SIGINT, on_signal), signal(SIGTERM, on_signal);
	rte_eal_remote_launch(sg_worker_main, sg_engine_worker(eng, 0),
			      rte_get_next_lcore(-1, 1, 0));
	printf("echo_poller %s: serving 198.18.0.1:7\n", sg_version());
	fflush(stdout);
	while (!sg_engine_stopping(eng)) {
		struct sg_event ev[64];
		struct sg_conn *c;
		int i, n;

		n = sg_poller_wait(pl, ev, 64, 100);
		for (i = 0; i < n; i++)
			if (ev[i].events & SG_EV_ACCEPT)
				while (sg_accept(l, &c) == 0)
					sg_poller_add(pl, c, calloc(1, sizeof(
						struct pend)));
			else
				echo(ev[i].conn, ev[i].user);
	}
	rte_eal_mp_wait_lcore();
	sg_poller_destroy(pl);
	sg_engine_destroy(eng);
	rte_eal_cleanup();
	return 0;
}
