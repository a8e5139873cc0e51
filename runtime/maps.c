// SPDX-License-Identifier: GPL-2.0-or-later
/* Operations on the config map and the filter map, by file descriptor, so
 * keytime-ctl can use them on a tracer's pinned maps too. */
#include <errno.h>
#include <bpf/bpf.h>
#include "probes.h"
#include "attr_targets.h"

int kt_config_get(struct kt_probes *p, struct kt_config *c)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(p->config_fd, &zero, c);
}

int kt_config_set(struct kt_probes *p, const struct kt_config *c)
{
	__u32 zero = 0;

	return bpf_map_update_elem(p->config_fd, &zero, c, BPF_ANY);
}

int kt_target_add(struct kt_probes *p, __u32 type, __u32 id, __u32 flags)
{
	struct kt_target_key key = { type, id };
	struct kt_target val = { flags, 0 };
	int r;

	if (p->filter)   /* first: a probe that finds no bit skips the lookup */
		__atomic_fetch_or(&p->filter->bits[KT_FILTER_WORD(id)], KT_FILTER_BIT(id),
				  __ATOMIC_SEQ_CST);
	r = bpf_map_update_elem(p->targets_fd, &key, &val, BPF_ANY);
	kt_filter_changed(p);
	return r;
}

int kt_target_remove(struct kt_probes *p, __u32 type, __u32 id)
{
	struct kt_target_key key = { type, id };
	int r = bpf_map_delete_elem(p->targets_fd, &key);

	kt_filter_changed(p);
	return r;
}

bool kt_targets_empty(struct kt_probes *p)
{
	struct kt_target_key next;
	return bpf_map_get_next_key(p->targets_fd, NULL, &next) != 0 && kt_attrs_empty(p);
}

void kt_targets_each(struct kt_probes *p,
		     int (*fn)(const struct kt_target_key *, const struct kt_target *, void *),
		     void *arg)
{
	struct kt_target_key key, next;
	struct kt_target val;
	void *prev = NULL;

	while (bpf_map_get_next_key(p->targets_fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(p->targets_fd, &key, &val))
			continue;   /* removed meanwhile by an exit */
		if (fn(&key, &val, arg))
			break;
	}
}

int kt_targets_clear(struct kt_probes *p)
{
	struct kt_target_key next;
	int r = 0;

	while (bpf_map_get_next_key(p->targets_fd, NULL, &next) == 0)
		if (bpf_map_delete_elem(p->targets_fd, &next) && errno != ENOENT) {
			r = -1;
			break;
		}
	kt_filter_changed(p);
	return r;
}

/* After the map changed, never before: a probe that reads the old
 * generation stores what it looked up under it, and that is then void. */
void kt_filter_changed(struct kt_probes *p)
{
	if (p->filter)
		__atomic_fetch_add(&p->filter->gen, 1, __ATOMIC_SEQ_CST);
}
