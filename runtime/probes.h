/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Loading and attaching keytime's probes, and the kernel set-up they need. */
#ifndef KT_PROBES_H
#define KT_PROBES_H
#include <stdbool.h>
#include <linux/types.h>
#include "keytime.h"

struct keytime_bpf;
struct bpf_link;
struct bpf_program;

/* What this kernel gave the probes (kt.features). */
struct kt_features {
	bool cpu_events;          /* the sched_switch program loaded: onCPU/offCPU */
	bool exec_calls;          /* the execve syscall programs loaded: exec_enter/exec_exit */
	bool exit_group_dead;     /* sched_process_exit passes group_dead (else derived) */
	bool switch_prev_state;   /* sched_switch passes prev_state (else read from the task) */
	bool wakeups;             /* the wake-up programs loaded: wakeup, runq_latency */
	bool ustacks;             /* user stacks (kt_ustacks) */
	bool ustacks_build_id;    /* ... by build-id too (kt_ustacks_build_id) */
	bool rdonly_cast;         /* the probes' cast build (quick to verify) loaded */
};

struct kt_probes {
	struct keytime_bpf *skel;
	struct bpf_link *switch_link;   /* attached only while onCPU/offCPU are on */
	struct bpf_link *core_links[3]; /* task creation, exec, exit: always attached */
	struct bpf_link *wake_links[2]; /* sched_waking, sched_wakeup_new: on demand */
#define KT_WAKE_CTX_LINKS 6
	struct bpf_link *wake_ctx_links[KT_WAKE_CTX_LINKS];   /* interrupt exits, then entries: waker_irq */
	struct bpf_program *exit_prog, *switch_prog;   /* the variants this kernel runs */
	struct kt_features features;
	bool exec_calls;                /* the exec syscall programs are attached */
	/* The probes' kt_filter, mapped from the kernel: a bit is set before an
	 * entry is added, gen moves after every change (maps.c). NULL: no map. */
	struct kt_filter_summary *filter;
	struct kt_reader_state *reader; /* the probes' kt_reader, mapped; NULL: none */
	int targets_fd, config_fd, lost_fd, stacks_fd, events_fd, filter_fd, untraced_fd;
	int attrs_fd;                   /* kt_attrs: targets by cgroup, uid, comm (attr_targets.h) */
	/* The user stack maps in kt_ustacks and kt_ustacks_build_id, made when
	 * first asked for (ustack_map.c); -1 before. */
	int ustacks_fd, ustacks_build_id_fd;
	int ustack_templates[2];        /* their templates while loading; -1 */
	char ustacks_off[160];          /* why features.ustacks(_build_id) is false */
	unsigned max_targets;           /* entries the filter map holds */
};

/* How many bytes a CPU submits between two looks at the ring's fill level
 * (kt_config's wakeup_bytes): a sixteenth of the ring buffer, and less
 * with many CPUs, so that all of them together, each just short of a
 * look, hold under a quarter of the ring. */
static inline __u32 kt_wakeup_bytes(__u32 ring_bytes, unsigned cpus)
{
	__u32 per_cpu = cpus > 4 ? ring_bytes / 4 / cpus : ring_bytes / 16;

	return per_cpu ? per_cpu : 1;
}

/* The fill level at which a look wakes the reader (kt_config's
 * wakeup_fill): a quarter of the ring, which the looks above reach
 * before half of it is full. */
static inline __u32 kt_wakeup_fill(__u32 ring_bytes)
{
	return ring_bytes / 4;
}

/* Root/capabilities, BTF, tracefs and bpffs. 0, or -1 with a message in err. */
int kt_probes_check_system(char *err, int errlen);
/* How much of libbpf's messages to print: 0 none (unless KEYTIME_DEBUG
 * is set), 1 its warnings (-v), 2 its whole log, the verifier's too (-vv). */
void kt_probes_set_verbosity(int level);
/* Opens, loads and attaches; the filter map holds max_targets entries (0:
 * kt_default_max_targets()). 0, or -1 with a message in err. */
int kt_probes_open(struct kt_probes *p, bool cpu_events, unsigned max_targets,
		   char *err, int errlen);
/* pid_max (every task this machine can have at once), within reason. */
unsigned kt_default_max_targets(void);
/* Attaches or detaches the sched_switch program. 0 or -errno. */
int kt_probes_set_cpu_events(struct kt_probes *p, bool on);
/* Attaches or detaches the execve/execveat syscall programs (exec_enter
 * and exec_exit events). 0 or -errno. */
int kt_probes_set_exec_calls(struct kt_probes *p, bool on);
/* Reporting wakeup events (events) and run-queue latency at onCPU (runq):
 * 1 on, 0 off, -1 unchanged; the wake-up programs are attached while either
 * is on. 0 or -errno. */
int kt_probes_set_wake(struct kt_probes *p, int events, int runq);
void kt_probes_close(struct kt_probes *p);
/* The user stack map of kt_ustacks (build_id: kt_ustacks_build_id), made
 * and put in place the first time; its fd then in p (ustack_map.c). 0, or
 * -1 with a message in err. */
int kt_probes_ustack_map(struct kt_probes *p, bool build_id, char *err, size_t errlen);
void kt_probes_ustack_maps_close(struct kt_probes *p);
/* Before load: the user stack maps' templates, sized as this kernel wants
 * them (made once, in p; closed once loaded). 0, or -1 with a message. */
int kt_ustack_map_templates(struct kt_probes *p, struct keytime_bpf *skel, char *err, size_t errlen);
void kt_ustack_map_templates_close(struct kt_probes *p);

/* The config map and the filter map. */
int kt_config_get(struct kt_probes *p, struct kt_config *c);
int kt_config_set(struct kt_probes *p, const struct kt_config *c);
int kt_target_add(struct kt_probes *p, __u32 type, __u32 id, __u32 flags);
int kt_target_remove(struct kt_probes *p, __u32 type, __u32 id);
bool kt_targets_empty(struct kt_probes *p);
/* Calls fn for each entry; stops if fn returns non-zero. */
void kt_targets_each(struct kt_probes *p,
		     int (*fn)(const struct kt_target_key *, const struct kt_target *, void *),
		     void *arg);
int kt_targets_clear(struct kt_probes *p);
/* Voids the probes' cached filter entries: after any change to the map. */
void kt_filter_changed(struct kt_probes *p);

#endif
