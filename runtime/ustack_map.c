// SPDX-License-Identifier: GPL-2.0-or-later
/* The user stack maps, made when a script first asks for user stacks
 * (probes.h): a run that never does holds no room for them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "probes.h"
#include "keytime.skel.h"

void kt_ustack_map_template_plain(struct keytime_bpf *skel)
{
	struct bpf_map *inner = bpf_map__inner_map(skel->maps.kt_ustacks_build_id);

	if (inner) {
		bpf_map__set_map_flags(inner, 0);
		bpf_map__set_value_size(inner, KT_USTACK_DEPTH * sizeof(__u64));
	}
}

int kt_probes_ustack_map(struct kt_probes *p, bool build_id, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = build_id ? BPF_F_STACK_BUILD_ID : 0);
	int *fd = build_id ? &p->ustacks_build_id_fd : &p->ustacks_fd;
	struct bpf_map *outer = build_id ? p->skel->maps.kt_ustacks_build_id : p->skel->maps.kt_ustacks;
	__u32 zero = 0;
	int made;

	if (*fd >= 0)
		return 0;
	made = bpf_map_create(BPF_MAP_TYPE_STACK_TRACE, build_id ? "kt_ustacks_bid" : "kt_ustacks_addr",
			      sizeof(__u32), KT_USTACK_DEPTH * (build_id ? KT_USTACK_FRAME_SIZE : sizeof(__u64)),
			      KT_USTACK_ENTRIES, &o);
	if (made < 0) {
		snprintf(err, errlen, "cannot make the user stack map: %s", strerror(errno));
		return -1;
	}
	if (bpf_map_update_elem(bpf_map__fd(outer), &zero, &made, BPF_ANY)) {
		snprintf(err, errlen, "cannot put the user stack map in place: %s", strerror(errno));
		close(made);
		return -1;
	}
	*fd = made;
	return 0;
}

void kt_probes_ustack_maps_close(struct kt_probes *p)
{
	if (p->ustacks_fd >= 0)
		close(p->ustacks_fd);
	if (p->ustacks_build_id_fd >= 0)
		close(p->ustacks_build_id_fd);
	p->ustacks_fd = p->ustacks_build_id_fd = -1;
}
