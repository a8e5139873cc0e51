// SPDX-License-Identifier: GPL-2.0-or-later
/* Stacks the probes could not keep, per side, summed over CPUs
 * (stacks_not_kept.h). */
#include <stdlib.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "session.h"
#include "stacks_not_kept.h"
#include "keytime.skel.h"
#include "offwake_map.h"
#include "warn.h"

uint64_t kt_stacks_not_kept(struct kt_session *s, uint64_t by_side[2])
{
	int ncpu = libbpf_num_possible_cpus(), fd;
	uint64_t total = 0, *vals;

	if (by_side)
		by_side[0] = by_side[1] = 0;
	if (!s->probes.skel || ncpu <= 0 || !(vals = calloc(ncpu, sizeof(*vals))))
		return 0;
	fd = bpf_map__fd(s->probes.skel->maps.kt_stacks_not_kept);
	for (__u32 side = 0; side < KT_STACK_SIDES; side++) {
		uint64_t sum = 0;
		if (bpf_map_lookup_elem(fd, &side, vals) == 0)
			for (int c = 0; c < ncpu; c++)
				sum += vals[c];
		if (by_side)
			by_side[side] = sum;
		total += sum;
	}
	free(vals);
	return total;
}

void kt_stacks_not_kept_report(struct kt_session *s)
{
	uint64_t by[2];
	uint64_t total = kt_stacks_not_kept(s, by);

	if (total)
		kt_warn("%llu stacks not kept (a slot of the stack map held another stack): "
			"kernel %llu user %llu", (unsigned long long)total,
			(unsigned long long)by[KT_STACK_KERNEL], (unsigned long long)by[KT_STACK_USER]);
}
