/* SPDX-License-Identifier: BSD-3-Clause */
/* syngated internals shared by main.c, port.c and service.c. */
#ifndef SYNGATED_H
#define SYNGATED_H

#include <stdint.h>

#include <rte_log.h>

#include "config.h"
#include "syngate.h"

extern int sgd_logtype;
#define SGD_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, sgd_logtype, "syngated: " __VA_ARGS__)

/* Configure and start every ethdev port with one RX/TX queue pair per
 * worker; attach queue q to worker q.  Returns 0 or -errno (logged);
 * -ERANGE: the configuration asks for what the port cannot do (exit 2). */
int ports_setup(struct sg_engine *e, const struct sg_config *cfg,
		unsigned n_workers);
/* Stop and close every port. */
void ports_stop(void);

/* A built-in service: application threads over the accept rings. */
struct service;
int service_start(struct sg_engine *e, const struct sg_config *cfg,
		  struct sg_listener **listeners, struct service **out);
void service_stop(struct service *s);
void service_free(struct service *s);
/* Connections the service's threads took from the accept rings. */
uint64_t service_accepted(const struct service *s);
/* HTTP requests answered. */
uint64_t service_requests(const struct service *s);

/* Register the /syngate/ telemetry commands: the library's
 * (sg_telemetry_register) and /syngate/config (cfg must live until
 * telemetry_stop).  Returns 0 or -errno. */
int telemetry_register(struct sg_engine *e, const struct sg_config *cfg);
/* Stop answering (before the ports close and the engine goes). */
void telemetry_stop(void);

#endif /* SYNGATED_H */
