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

static int stack_map(bool build_id, __u32 entries)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = build_id ? BPF_F_STACK_BUILD_ID : 0);

	return bpf_map_create(BPF_MAP_TYPE_STACK_TRACE, build_id ? "kt_ustacks_bid" : "kt_ustacks_addr",
			      sizeof(__u32), KT_USTACK_DEPTH * (build_id ? KT_USTACK_FRAME_SIZE : sizeof(__u64)),
			      entries, &o);
}

/* Whether this kernel takes an inner stack map of another size than its
 * template's (6.4 and later): then the templates need not be full size. */
static bool inner_size_free(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, o);
	int fds[3] = { stack_map(false, 1), stack_map(false, 2), -1 };
	__u32 zero = 0;
	bool free_size = false;

	if (fds[0] >= 0 && fds[1] >= 0) {
		o.inner_map_fd = fds[0];
		fds[2] = bpf_map_create(BPF_MAP_TYPE_ARRAY_OF_MAPS, NULL, sizeof(__u32), sizeof(__u32), 1, &o);
		free_size = fds[2] >= 0 && !bpf_map_update_elem(fds[2], &zero, &fds[1], BPF_ANY);
	}
	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	return free_size;
}

int kt_ustack_map_templates(struct kt_probes *p, struct keytime_bpf *skel, char *err, size_t errlen)
{
	int *t = p->ustack_templates;

	if (t[0] < 0) {
		/* Older kernels compare the size too: templates of the full
		 * size, there for the load alone (kt_ustack_map_templates_close) */
		__u32 entries = inner_size_free() ? 1 : KT_USTACK_ENTRIES;
		t[0] = stack_map(false, entries);
		/* a kernel that cannot make a build-id one: a plain one, never filled */
		t[1] = p->features.ustacks_build_id ? stack_map(true, entries) : stack_map(false, 1);
	}
	if (t[0] < 0 || t[1] < 0) {
		snprintf(err, errlen, "cannot make the user stack maps' templates: %s", strerror(errno));
		return -1;
	}
	if (bpf_map__set_inner_map_fd(skel->maps.kt_ustacks, t[0]) ||
	    bpf_map__set_inner_map_fd(skel->maps.kt_ustacks_build_id, t[1])) {
		snprintf(err, errlen, "cannot set the user stack maps' templates");
		return -1;
	}
	return 0;
}

void kt_ustack_map_templates_close(struct kt_probes *p)
{
	for (int i = 0; i < 2; i++) {
		if (p->ustack_templates[i] >= 0)
			close(p->ustack_templates[i]);
		p->ustack_templates[i] = -1;
	}
}

int kt_probes_ustack_map(struct kt_probes *p, bool build_id, char *err, size_t errlen)
{
	int *fd = build_id ? &p->ustacks_build_id_fd : &p->ustacks_fd;
	struct bpf_map *outer = build_id ? p->skel->maps.kt_ustacks_build_id : p->skel->maps.kt_ustacks;
	__u32 zero = 0;
	int made;

	if (*fd >= 0)
		return 0;
	if ((made = stack_map(build_id, KT_USTACK_ENTRIES)) < 0) {
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
