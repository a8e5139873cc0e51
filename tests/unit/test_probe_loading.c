// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of what decides how the probes load: the shape of a
 * tracepoint read from BTF (runtime/kernel_shape.c) and the reading of
 * libbpf's log when the kernel refuses a program (runtime/load_log.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <bpf/btf.h>
#include "kernel_shape.h"
#include "load_log.h"
#include "probes.h"

/* typedef void (*btf_trace_<name>)(void *, <nargs arguments>); */
static void add_tracepoint(struct btf *btf, const char *name, int nargs)
{
	char tname[64];
	int int_id = btf__find_by_name_kind(btf, "int", BTF_KIND_INT);
	int proto = btf__add_func_proto(btf, 0);

	assert_true(int_id > 0 && proto > 0);
	assert_int_equal(btf__add_func_param(btf, "__data", int_id), 0);
	for (int i = 0; i < nargs; i++)
		assert_int_equal(btf__add_func_param(btf, "arg", int_id), 0);
	int ptr = btf__add_ptr(btf, proto);
	snprintf(tname, sizeof(tname), "btf_trace_%s", name);
	assert_true(btf__add_typedef(btf, tname, ptr) > 0);
}

static void tracepoint_shapes(void **state)
{
	struct btf *btf = btf__new_empty();

	assert_non_null(btf);
	assert_true(btf__add_int(btf, "int", 4, BTF_INT_SIGNED) > 0);
	add_tracepoint(btf, "sched_process_exit", 1);    /* 6.1, 6.12 */
	add_tracepoint(btf, "sched_switch", 4);          /* 5.18 on */
	add_tracepoint(btf, "task_newtask", 2);
	assert_int_equal(kt_tracepoint_nargs(btf, "sched_process_exit"), 1);
	assert_int_equal(kt_tracepoint_nargs(btf, "sched_switch"), 4);
	assert_int_equal(kt_tracepoint_nargs(btf, "task_newtask"), 2);
	assert_int_equal(kt_tracepoint_nargs(btf, "no_such_tracepoint"), -1);
	/* a typedef that is not a pointer to a prototype is no tracepoint */
	assert_true(btf__add_typedef(btf, "btf_trace_odd", 1) > 0);
	assert_int_equal(kt_tracepoint_nargs(btf, "odd"), -1);
	btf__free(btf);
}

/* What Debian 12's 6.1 printed for keytime's two-argument exit program. */
static const char refused_on_6_1[] =
	"libbpf: prog 'kt_process_exit': BPF program load failed: Permission denied\n"
	"libbpf: prog 'kt_process_exit': -- BEGIN PROG LOAD LOG --\n"
	"; int BPF_PROG(kt_process_exit, struct task_struct *task, bool group_dead)\n"
	"0: (79) r2 = *(u64 *)(r1 +8)\n"
	"func 'sched_process_exit' doesn't have 2-th argument\n"
	"invalid bpf_context access off=8 size=8\n"
	"processed 1 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n"
	"-- END PROG LOAD LOG --\n"
	"libbpf: prog 'kt_process_exit': failed to load: -13\n"
	"libbpf: failed to load object 'keytime_bpf'\n"
	"libbpf: failed to load BPF skeleton 'keytime_bpf': -13\n";

static void verifier_reason(void **state)
{
	char prog[64], reason[256];

	assert_int_equal(kt_load_log_failure(refused_on_6_1, prog, sizeof(prog), reason, sizeof(reason)), 0);
	assert_string_equal(prog, "kt_process_exit");
	assert_string_equal(reason, "func 'sched_process_exit' doesn't have 2-th argument: "
				    "invalid bpf_context access off=8 size=8");
}

static void libbpf_reason(void **state)
{
	char prog[64], reason[256];
	const char *log =
		"libbpf: prog 'kt_sched_switch': failed to find kernel BTF type ID of 'sched_switch': -3\n"
		"libbpf: prog 'kt_sched_switch': failed to prepare load attributes: -3\n"
		"libbpf: failed to load object 'keytime_bpf'\n";

	assert_int_equal(kt_load_log_failure(log, prog, sizeof(prog), reason, sizeof(reason)), 0);
	assert_string_equal(prog, "kt_sched_switch");
	assert_string_equal(reason, "failed to find kernel BTF type ID of 'sched_switch': -3");
}

static void errno_only_and_no_program(void **state)
{
	char prog[64], reason[256];
	const char *log =
		"libbpf: prog 'kt_process_exec': BPF program load failed: Invalid argument\n"
		"libbpf: prog 'kt_process_exec': failed to load: -22\n";

	assert_int_equal(kt_load_log_failure(log, prog, sizeof(prog), reason, sizeof(reason)), 0);
	assert_string_equal(prog, "kt_process_exec");
	assert_string_equal(reason, "BPF program load failed: Invalid argument");
	assert_int_equal(kt_load_log_failure("libbpf: map 'kt_events': failed to create: -1\n",
					     prog, sizeof(prog), reason, sizeof(reason)), -1);
	assert_int_equal(kt_load_log_failure("", prog, sizeof(prog), reason, sizeof(reason)), -1);
}

static void reason_is_cut_to_fit(void **state)
{
	char prog[8], reason[16];

	assert_int_equal(kt_load_log_failure(refused_on_6_1, prog, sizeof(prog), reason, sizeof(reason)), 0);
	assert_string_equal(prog, "kt_proc");
	assert_int_equal(strlen(reason), sizeof(reason) - 1);
}

/* kt_wakeup_bytes: a sixteenth of the ring with few CPUs; with many, all of
 * them just short of it still hold under a quarter of the ring. */
static void wakeup_share(void **state)
{
	(void)state;
	assert_int_equal(kt_wakeup_bytes(4u << 20, 2), 256u << 10);
	assert_int_equal(kt_wakeup_bytes(4u << 20, 4), 256u << 10);
	assert_int_equal(kt_wakeup_bytes(64u << 10, 2), 4u << 10);
	for (unsigned cpus = 1; cpus <= 1024; cpus++) {
		__u32 w = kt_wakeup_bytes(4u << 20, cpus);

		assert_true(w >= 1);
		assert_true((unsigned long)w * cpus <= (4ul << 20) / 4 || cpus <= 4);
	}
	assert_int_equal(kt_wakeup_bytes(4u << 20, 64), 16u << 10);
	assert_int_equal(kt_wakeup_bytes(4096, 4096), 1);   /* never 0: every record */
}

/* kt_wakeup_fill: a quarter of the ring, and the CPUs' looks find it
 * before half the ring is full, with any ring from 64 KB and up to 1024
 * CPUs: the fill level plus every CPU's bytes since its last look. */
static void wakeup_fill_leaves_half(void **state)
{
	(void)state;
	assert_int_equal(kt_wakeup_fill(4u << 20), 1u << 20);
	assert_int_equal(kt_wakeup_fill(64u << 10), 16u << 10);
	for (__u32 ring = 64u << 10; ring && ring <= (1u << 30); ring <<= 1)
		for (unsigned cpus = 1; cpus <= 1024; cpus++)
			assert_true((unsigned long)kt_wakeup_fill(ring) +
				    (unsigned long)cpus * kt_wakeup_bytes(ring, cpus) <= ring / 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tracepoint_shapes),
		cmocka_unit_test(verifier_reason),
		cmocka_unit_test(libbpf_reason),
		cmocka_unit_test(errno_only_and_no_program),
		cmocka_unit_test(reason_is_cut_to_fit),
		cmocka_unit_test(wakeup_share),
		cmocka_unit_test(wakeup_fill_leaves_half),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
