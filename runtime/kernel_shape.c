// SPDX-License-Identifier: GPL-2.0-or-later
/* The shapes of the tracepoints keytime attaches to, as the running kernel
 * declares them. Each tracepoint has a typedef btf_trace_<name>, a pointer
 * to a function whose first argument is the tracepoint's own data pointer
 * and whose others are what a tp_btf program receives. A program declared
 * with more arguments than that is rejected at load time, so the host
 * chooses the variant before loading (probes.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kernel_shape.h"

int kt_tracepoint_nargs(const void *btf_, const char *name)
{
	const struct btf *btf = btf_;
	char tname[128];
	const struct btf_type *t;
	int id;

	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	id = btf__find_by_name_kind(btf, tname, BTF_KIND_TYPEDEF);
	if (id < 0)
		return -1;
	t = btf__type_by_id(btf, id);
	if (!t || !btf_is_typedef(t))
		return -1;
	t = btf__type_by_id(btf, t->type);         /* the pointer */
	if (!t || !btf_is_ptr(t))
		return -1;
	t = btf__type_by_id(btf, t->type);         /* the prototype */
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
		return -1;
	return btf_vlen(t) - 1;
}

int kt_kernel_shape_read(struct kt_kernel_shape *shape, char *err, int errlen)
{
	const char *path = getenv("KEYTIME_BTF");
	const char *old = getenv("KEYTIME_OLD_SHAPES");
	struct btf *btf;
	int exit_args, switch_args;

	btf = path ? btf__parse(path, NULL) : btf__load_vmlinux_btf();
	if (!btf) {
		snprintf(err, errlen, "cannot read the kernel's BTF%s%s: %s", path ? " from " : "",
			 path ? path : "", strerror(errno));
		return -1;
	}
	exit_args = kt_tracepoint_nargs(btf, "sched_process_exit");
	switch_args = kt_tracepoint_nargs(btf, "sched_switch");
	shape->has_rdonly_cast = btf__find_by_name_kind(btf, "bpf_rdonly_cast", BTF_KIND_FUNC) > 0;
	btf__free(btf);
	if (exit_args < 1 || switch_args < 3) {
		snprintf(err, errlen, "this kernel's %s tracepoint has a shape keytime does not know "
			 "(%d arguments)", exit_args < 1 ? "sched_process_exit" : "sched_switch",
			 exit_args < 1 ? exit_args : switch_args);
		return -1;
	}
	shape->exit_has_group_dead = exit_args >= 2;
	shape->switch_has_prev_state = switch_args >= 4;
	if (old && !strcmp(old, "1")) {
		shape->exit_has_group_dead = false;
		shape->switch_has_prev_state = false;
		shape->has_rdonly_cast = false;
	}
	return 0;
}
