/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>

#include <rte_errno.h>
#include <rte_hash.h>

#include "flow.h"

/*
 * rte_hash wants a hash function for the calls without a precomputed
 * hash; syngate never makes those, so this one only has to be correct.
 */
static uint32_t
flow_hash_unkeyed(const void *key, uint32_t len, uint32_t init)
{
	struct siphash_key k = { init, 0 };

	return (uint32_t)siphash24(&k, key, len);
}

int
flow_table_init(struct flow_table *ft, const char *name, uint32_t entries,
		unsigned family, int socket)
{
	uint32_t key_len = family == 6 ? sizeof(struct flow6) :
					 sizeof(struct flow4);
	struct rte_hash_parameters hp = {
		.name = name,
		.entries = entries,
		.key_len = key_len,
		.hash_func = flow_hash_unkeyed,
		.hash_func_init_val = 0,
		.socket_id = socket,
		.extra_flag = 0,	/* one writer, same thread: no locks */
	};
	int ret;

	RTE_BUILD_BUG_ON(sizeof(struct flow4) != 12);
	RTE_BUILD_BUG_ON(sizeof(struct flow6) != 36);
	ft->ft_key_len = key_len;
	ret = siphash_key_random(&ft->ft_key);
	if (ret < 0)
		return ret;
	ft->ft_entries = entries;
	ft->ft_log_n = 0;
	ft->ft_hash = rte_hash_create(&hp);
	if (ft->ft_hash == NULL)
		return rte_errno ? -rte_errno : -ENOMEM;
	return 0;
}

void
flow_table_fini(struct flow_table *ft)
{
	rte_hash_free(ft->ft_hash);
	ft->ft_hash = NULL;
}

void
flow_lookup_bulk(const struct flow_table *ft, const void **keys,
		 uint32_t *sig, unsigned n, void **data)
{
	uint64_t hits = 0;
	unsigned i;

	if (n == 0)
		return;
	rte_hash_lookup_with_hash_bulk_data(ft->ft_hash,
		keys, sig, n, &hits,
		data);
	for (i = 0; i < n; i++)
		if (!(hits & (1ull << i)))
			data[i] = NULL;
}

void *
flow_lookup(const struct flow_table *ft, const void *key,
	    uint32_t sig)
{
	void *data;

	if (rte_hash_lookup_with_hash_data(ft->ft_hash, key, sig, &data) < 0)
		return NULL;
	return data;
}

int
flow_add(struct flow_table *ft, const void *key, uint32_t sig,
	 void *data)
{
	int ret = rte_hash_add_key_with_hash_data(ft->ft_hash, key, sig, data);

	flow_log_note(ft, sig);
	return ret < 0 ? -ENOSPC : 0;
}

int
flow_del(struct flow_table *ft, const void *key, uint32_t sig)
{
	flow_log_note(ft, sig);
	return rte_hash_del_key_with_hash(ft->ft_hash, key, sig) < 0 ?
		-ENOENT : 0;
}

uint32_t
flow_count(const struct flow_table *ft)
{
	return (uint32_t)rte_hash_count(ft->ft_hash);
}
