/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What the running kernel's tracepoints look like, read from its BTF, so
 * the probes load in the variant that kernel can run. */
#ifndef KT_KERNEL_SHAPE_H
#define KT_KERNEL_SHAPE_H
#include <stdbool.h>

struct kt_kernel_shape {
	bool exit_has_group_dead;     /* sched_process_exit(task, group_dead): 2025 on */
	bool switch_has_prev_state;   /* sched_switch(preempt, prev, next, prev_state): 5.18 on */
	bool has_rdonly_cast;         /* the bpf_rdonly_cast kfunc: 6.2 on */
};

/* Reads the shapes from $KEYTIME_BTF or the kernel's own BTF. With
 * KEYTIME_OLD_SHAPES=1 (tests) it answers as the oldest kernels would.
 * 0, or -1 with a message in err. */
int kt_kernel_shape_read(struct kt_kernel_shape *shape, char *err, int errlen);

/* The number of arguments the tracepoint passes a tp_btf program, from the
 * kernel's btf_trace_<name> typedef; -1 when the kernel has no such
 * tracepoint. (btf is a struct btf *, kept opaque for the unit tests.) */
int kt_tracepoint_nargs(const void *btf, const char *name);

#endif
