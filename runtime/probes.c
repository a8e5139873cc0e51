// SPDX-License-Identifier: GPL-2.0-or-later
/* Loading and attaching keytime's probes, the kernel set-up they need, and
 * the small operations on the config and filter maps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "probes.h"          /* first: the skeleton names keytime.h's types */
#include "keytime.skel.h"
#include "keytime_cast.skel.h"
#include "procfs.h"
#include "kernel_shape.h"
#include "load_log.h"
#include "warn.h"

#define CAP_SYS_ADMIN 21
#define CAP_PERFMON   38
#define CAP_BPF       39

static unsigned long long effective_caps(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	unsigned long long caps;

	if (!f)
		return 0;
	caps = kt_procfs_capeff(f);
	fclose(f);
	return caps;
}

/* Mounts fstype at dir unless a filesystem of that magic is there already. */
static int ensure_mounted(const char *dir, const char *fstype, long magic)
{
	struct statfs st;

	if (statfs(dir, &st) == 0 && st.f_type == magic)
		return 0;
	if (mount(fstype, dir, fstype, 0, NULL) && errno != EBUSY)
		return -errno;
	return 0;
}

int kt_probes_check_system(char *err, int errlen)
{
	unsigned long long need = (1ULL << CAP_BPF) | (1ULL << CAP_PERFMON) | (1ULL << CAP_SYS_ADMIN);
	int e;

	if (geteuid() != 0 && (effective_caps() & need) != need) {
		snprintf(err, errlen, "must run as root (or with CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)");
		return -1;
	}
	const char *btf = getenv("KEYTIME_BTF") ? getenv("KEYTIME_BTF") : "/sys/kernel/btf/vmlinux";

	if (access(btf, R_OK)) {
		snprintf(err, errlen, "this kernel has no BTF (%s is missing): "
			 "keytime needs a kernel built with CONFIG_DEBUG_INFO_BTF=y", btf);
		return -1;
	}
	/* tracepoint programs look their ids up in tracefs; pins live in bpffs. */
	if ((e = ensure_mounted("/sys/kernel/tracing", "tracefs", TRACEFS_MAGIC))) {
		snprintf(err, errlen, "cannot mount tracefs on /sys/kernel/tracing: %s", strerror(-e));
		return -1;
	}
	if ((e = ensure_mounted("/sys/fs/bpf", "bpf", BPF_FS_MAGIC))) {
		snprintf(err, errlen, "cannot mount bpffs on /sys/fs/bpf: %s", strerror(-e));
		return -1;
	}
	return 0;
}

/* libbpf's warnings during a load, kept to name a rejected program. */
static char load_log[65536];
static size_t load_log_len;

/* -v: 1, -vv: 2; KEYTIME_DEBUG=1 or 2 says the same. */
static int verbosity;

void kt_probes_set_verbosity(int level)
{
	verbosity = level;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	const char *debug = getenv("KEYTIME_DEBUG");
	int verbose = debug ? (strcmp(debug, "2") ? 1 : 2) : 0;
	va_list copy;

	if (level <= LIBBPF_WARN && load_log_len < sizeof(load_log) - 1) {
		va_copy(copy, ap);
		int n = vsnprintf(load_log + load_log_len, sizeof(load_log) - load_log_len, fmt, copy);
		va_end(copy);
		if (n > 0)
			load_log_len += (size_t)n < sizeof(load_log) - load_log_len ?
					(size_t)n : sizeof(load_log) - load_log_len - 1;
	}
	if (verbosity > verbose)
		verbose = verbosity;
	if (level == LIBBPF_WARN && verbose >= 1)
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_DEBUG && verbose >= 2)
		return vfprintf(stderr, fmt, ap);
	return 0;
}

/* The programs a kernel may refuse without the run failing: each gives
 * events a script may do without. The others are the core of keytime. */
enum kt_optional { OPT_SWITCH, OPT_EXEC_CALLS, OPT_WAKE, OPT_COUNT };
static const char *const optional_what[OPT_COUNT] = {
	[OPT_SWITCH] = "onCPU/offCPU events",
	[OPT_EXEC_CALLS] = "exec_enter/exec_exit events",
	[OPT_WAKE] = "wakeup events or run-queue latency",
};

static int optional_of(const char *prog)
{
	if (!strncmp(prog, "kt_sched_switch", 15))
		return OPT_SWITCH;
	if (!strncmp(prog, "kt_execve", 9))
		return OPT_EXEC_CALLS;
	if (!strncmp(prog, "kt_wake_", 8))
		return OPT_WAKE;
	return -1;
}

/* Which variant of each program this kernel runs, and which optional ones
 * are off. For tests, KEYTIME_TEST_BREAK=PROG loads PROG (each variant:
 * the programs whose names start so) as a socket filter, which the kernel
 * rejects, as an older kernel rejects a program it cannot run;
 * KEYTIME_TEST_BREAK=cast does so to kt_task_newtask in the cast build
 * only (cast: the build opened). */
static void choose_programs(struct keytime_bpf *skel, const struct kt_kernel_shape *shape,
			    const bool off[OPT_COUNT], bool cast)
{
	const char *broken = getenv("KEYTIME_TEST_BREAK");
	struct bpf_program *prog;

	if (broken && !strcmp(broken, "cast"))
		broken = cast ? "kt_task_newtask" : NULL;

	bpf_program__set_autoload(skel->progs.kt_process_exit, shape->exit_has_group_dead);
	bpf_program__set_autoload(skel->progs.kt_process_exit_task_only, !shape->exit_has_group_dead);
	bpf_program__set_autoload(skel->progs.kt_sched_switch,
				  shape->switch_has_prev_state && !off[OPT_SWITCH]);
	bpf_program__set_autoload(skel->progs.kt_sched_switch_no_state,
				  !shape->switch_has_prev_state && !off[OPT_SWITCH]);
	bpf_object__for_each_program(prog, skel->obj) {
		if (!strncmp(bpf_program__name(prog), "kt_execve", 9) && off[OPT_EXEC_CALLS])
			bpf_program__set_autoload(prog, false);
		if (!strncmp(bpf_program__name(prog), "kt_wake_", 8) && off[OPT_WAKE])
			bpf_program__set_autoload(prog, false);
		if (broken && *broken && !strncmp(bpf_program__name(prog), broken, strlen(broken)) &&
		    bpf_program__autoload(prog))
			bpf_program__set_type(prog, BPF_PROG_TYPE_SOCKET_FILTER);
	}
}

/* As many entries as the machine can have tasks, so a followed tree is
 * traced whole; capped, since the kernel allocates them all at load (about
 * 70 bytes each in each map): beyond, --max-targets. */
#define KT_MAX_TARGETS_DEFAULT_CAP 131072
#define KT_MAX_TARGETS_FLOOR 16384

unsigned kt_default_max_targets(void)
{
	FILE *f = fopen("/proc/sys/kernel/pid_max", "r");
	unsigned long n = 0;

	if (f) {
		if (fscanf(f, "%lu", &n) != 1)
			n = 0;
		fclose(f);
	}
	if (n < KT_MAX_TARGETS_FLOOR)
		n = KT_MAX_TARGETS_FLOOR;
	return n > KT_MAX_TARGETS_DEFAULT_CAP ? KT_MAX_TARGETS_DEFAULT_CAP : n;
}

/* Whether this kernel makes a stack map that gives build-ids; why not in
 * why. For tests, KEYTIME_TEST_BREAK=kt_ustacks says it cannot (user
 * stacks at all: load_programs). */
static bool build_id_stacks(char *why, size_t whylen)
{
	LIBBPF_OPTS(bpf_map_create_opts, o, .map_flags = BPF_F_STACK_BUILD_ID);
	int fd;

	fd = bpf_map_create(BPF_MAP_TYPE_STACK_TRACE, NULL, sizeof(__u32),
			    KT_USTACK_DEPTH * sizeof(struct bpf_stack_build_id), 1, &o);
	if (fd < 0) {
		snprintf(why, whylen, "no build-id stack map: %s", strerror(errno));
		return false;
	}
	close(fd);
	return true;
}

/* keytime.skel.h's skeleton, on the bytes of the cast build of the probes
 * (keytime_cast.bpf.o: task pointers cast read-only, which kernels with
 * bpf_rdonly_cast verify in a fraction of the time) or of the plain one.
 * The Makefile checks that the two have the same maps, programs and
 * globals, which is all the skeleton knows of them. */
static struct keytime_bpf *open_build(bool cast)
{
	struct keytime_bpf *skel = calloc(1, sizeof(*skel));
	int e;

	if (!skel) {
		errno = ENOMEM;
		return NULL;
	}
	e = keytime_bpf__create_skeleton(skel);
	if (!e && cast)
		skel->skeleton->data = (void *)keytime_cast_bpf__elf_bytes(&skel->skeleton->data_sz);
	if (!e)
		e = bpf_object__open_skeleton(skel->skeleton, NULL);
	if (e) {
		keytime_bpf__destroy(skel);
		errno = -e;
		return NULL;
	}
	return skel;
}

static int open_skeleton(struct kt_probes *p, bool cast, char *err, int errlen)
{
	struct keytime_bpf *skel = open_build(cast);

	if (!skel) {
		snprintf(err, errlen, "cannot open the probes: %s", strerror(errno));
		return -1;
	}
	p->skel = skel;
	bpf_map__set_max_entries(skel->maps.kt_targets, p->max_targets);
	bpf_map__set_max_entries(skel->maps.kt_children, p->max_targets);
	if (getenv("KEYTIME_RINGBUF_KB")) {
		/* Like bpftrace's BPFTRACE_PERF_RB_PAGES: a power of two, at least 4. */
		unsigned long kb = strtoul(getenv("KEYTIME_RINGBUF_KB"), NULL, 10);
		if (kb < 4 || (kb & (kb - 1))) {
			snprintf(err, errlen, "KEYTIME_RINGBUF_KB must be a power of two, at least 4");
			return -1;
		}
		bpf_map__set_max_entries(skel->maps.kt_events, kb * 1024);
	}
	if (getenv("KEYTIME_TEST_RUNQ_HIST_ENTRIES"))   /* tests: a map that fills */
		bpf_map__set_max_entries(skel->maps.kt_runq_hist,
					 strtoul(getenv("KEYTIME_TEST_RUNQ_HIST_ENTRIES"), NULL, 10));
	if (getenv("KEYTIME_TEST_OFFWAKE_ENTRIES"))   /* tests: a map that fills */
		bpf_map__set_max_entries(skel->maps.kt_offwake,
					 strtoul(getenv("KEYTIME_TEST_OFFWAKE_ENTRIES"), NULL, 10));
	if (getenv("KEYTIME_TEST_STACK_ENTRIES"))   /* tests: stacks that find their slot taken */
		bpf_map__set_max_entries(skel->maps.kt_stacks,
					 strtoul(getenv("KEYTIME_TEST_STACK_ENTRIES"), NULL, 10));
	if (kt_ustack_map_templates(p, skel, err, errlen))
		return -1;
	return 0;
}

/* Loads the probes the kernel can run. A rejected optional program is
 * turned off (named once on stderr) and the rest loaded again; a rejected
 * core program fails the run, named with the verifier's reason. */
static int load_programs(struct kt_probes *p, char *err, int errlen)
{
	struct kt_kernel_shape shape;
	bool off[OPT_COUNT] = { false }, cast;
	char prog[64], reason[512];
	int e;

	if (kt_kernel_shape_read(&shape, err, errlen))
		return -1;
	p->features.ustacks_build_id = build_id_stacks(p->ustacks_off, sizeof(p->ustacks_off));
	p->features.ustacks = !getenv("KEYTIME_TEST_BREAK") || strcmp(getenv("KEYTIME_TEST_BREAK"), "kt_ustacks");
	if (!p->features.ustacks) {
		snprintf(p->ustacks_off, sizeof(p->ustacks_off), "KEYTIME_TEST_BREAK");
		p->features.ustacks_build_id = false;
	}
	cast = shape.has_rdonly_cast;
	/* one attempt with everything, one more per optional program turned off,
	 * and one for the fallback from the cast build to the plain one */
	for (int attempt = 0; attempt <= OPT_COUNT + 1; attempt++) {
		if (open_skeleton(p, cast, err, errlen))
			return -1;
		choose_programs(p->skel, &shape, off, cast);
		load_log_len = 0;
		load_log[0] = 0;
		if (!(e = keytime_bpf__load(p->skel)))
			break;
		if (cast) {   /* a kernel that has the kfunc but refuses it here: the plain build */
			if (verbosity >= 1)
				kt_warn("the probes' cast build was refused; loading the plain one");
			keytime_bpf__destroy(p->skel);
			p->skel = NULL;
			cast = false;
			continue;
		}
		if (kt_load_log_failure(load_log, prog, sizeof(prog), reason, sizeof(reason))) {
			snprintf(err, errlen, "cannot load the probes: %s (-vv shows libbpf's log)",
				 strerror(-e));
			return -1;
		}
		int opt = optional_of(prog);
		if (opt < 0 || off[opt]) {
			snprintf(err, errlen, "cannot load the probes: the kernel rejected %s: %s "
				 "(-vv shows the verifier's whole log)", prog, reason);
			return -1;
		}
		off[opt] = true;
		kt_warn("this kernel cannot run %s (%s): no %s in this run",
			prog, reason, optional_what[opt]);
		keytime_bpf__destroy(p->skel);
		p->skel = NULL;
	}
	if (e)
		return -1;
	p->features.cpu_events = !off[OPT_SWITCH];
	p->features.exec_calls = !off[OPT_EXEC_CALLS];
	p->features.wakeups = !off[OPT_WAKE];
	p->features.exit_group_dead = shape.exit_has_group_dead;
	p->features.switch_prev_state = shape.switch_has_prev_state;
	p->features.rdonly_cast = cast;
	p->exit_prog = shape.exit_has_group_dead ? p->skel->progs.kt_process_exit
						 : p->skel->progs.kt_process_exit_task_only;
	p->switch_prog = shape.switch_has_prev_state ? p->skel->progs.kt_sched_switch
						     : p->skel->progs.kt_sched_switch_no_state;
	return 0;
}

int kt_probes_open(struct kt_probes *p, bool cpu_events, unsigned max_targets,
		   char *err, int errlen)
{
	struct keytime_bpf *skel;
	struct kt_config cfg = { .cpu_events = cpu_events, .self_tgid = getpid() };
	int e;

	memset(p, 0, sizeof(*p));
	p->ustacks_fd = p->ustacks_build_id_fd = -1;
	p->ustack_templates[0] = p->ustack_templates[1] = -1;
	p->max_targets = max_targets ? max_targets : kt_default_max_targets();
	libbpf_set_print(libbpf_print);
	e = load_programs(p, err, errlen);
	kt_ustack_map_templates_close(p);   /* the outer maps keep what they need of them */
	if (e)
		goto fail;
	skel = p->skel;
	p->targets_fd = bpf_map__fd(skel->maps.kt_targets);
	p->attrs_fd = bpf_map__fd(skel->maps.kt_attrs);
	p->config_fd = bpf_map__fd(skel->maps.kt_config);
	p->lost_fd = bpf_map__fd(skel->maps.kt_lost);
	p->untraced_fd = bpf_map__fd(skel->maps.kt_untraced);
	p->stacks_fd = bpf_map__fd(skel->maps.kt_stacks);
	p->ustacks_fd = p->ustacks_build_id_fd = -1;   /* made when asked (ustack_map.c) */
	p->events_fd = bpf_map__fd(skel->maps.kt_events);
	if (!p->features.cpu_events)
		cfg.cpu_events = 0;
	/* Relative to the ring buffer, whatever size KEYTIME_RINGBUF_KB chose
	 * (a 64 KB one with a fixed 256 KB lost a fork storm's records, woken
	 * never), and to the CPUs that may fill it: a fixed share per CPU
	 * would let 64 CPUs fill 4 MB before any of them woke the reader. */
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);   /* not possible CPUs: VMs declare hundreds */
	cfg.wakeup_bytes = kt_wakeup_bytes(bpf_map__max_entries(skel->maps.kt_events),
					   cpus > 0 ? (unsigned)cpus : 1);
	cfg.wakeup_fill = kt_wakeup_fill(bpf_map__max_entries(skel->maps.kt_events));
	if (kt_config_set(p, &cfg)) {
		snprintf(err, errlen, "cannot write the config map: %s", strerror(errno));
		goto fail;
	}

	p->filter_fd = bpf_map__fd(skel->maps.data_filter);
	p->filter = &skel->data_filter->kt_filter;
	p->reader = &skel->data_reader->kt_reader;

	/* Attached from the start: the cheap ones, which run only when a task
	 * is created, execs or ends. The syscall and switch programs, which
	 * run far more often, only while a script wants their events. */
	struct bpf_program *progs[] = {
		skel->progs.kt_task_newtask, skel->progs.kt_process_exec, p->exit_prog,
	};
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		p->core_links[i] = bpf_program__attach(progs[i]);
		if (!p->core_links[i]) {
			snprintf(err, errlen, "cannot attach %s: %s", bpf_program__name(progs[i]),
				 strerror(errno));
			goto fail;
		}
	}
	if (cpu_events && (e = kt_probes_set_cpu_events(p, true))) {
		snprintf(err, errlen, "cannot attach the sched_switch probe: %s", strerror(-e));
		goto fail;
	}
	return 0;
fail:
	kt_probes_close(p);
	return -1;
}

int kt_probes_set_cpu_events(struct kt_probes *p, bool on)
{
	struct kt_config c;
	bool attach;

	if (kt_config_get(p, &c))
		return -errno;
	attach = on || c.runq_hist || c.offwake;   /* the kernel's totals need the switches too */
	if (!p->skel) {
		;   /* no probes loaded (bench/hostpath.c): the switch alone */
	} else if (attach && !p->features.cpu_events) {
		return 0;   /* this kernel cannot: said once when loading */
	} else if (attach && !p->switch_link) {
		p->switch_link = bpf_program__attach(p->switch_prog);
		if (!p->switch_link)
			return -errno;
	} else if (!attach && p->switch_link) {
		bpf_link__destroy(p->switch_link);
		p->switch_link = NULL;
	}
	c.cpu_events = on;
	return kt_config_set(p, &c) ? -errno : 0;
}

/* exec_enter / exec_exit come from the execve and execveat syscall
 * tracepoints. Attaching any syscall tracepoint sends every syscall of
 * every process through the kernel's slower tracing path (bench/RESULTS.md),
 * so they are attached only while a script asks for them. */
int kt_probes_set_exec_calls(struct kt_probes *p, bool on)
{
	struct keytime_bpf *skel = p->skel;

	if (!skel || on == p->exec_calls) {
		p->exec_calls = on;   /* no probes loaded (bench/hostpath.c): the switch alone */
		return 0;
	}
	if (on && !p->features.exec_calls)
		return 0;   /* this kernel cannot: said once when loading */
	struct bpf_program *progs[] = {
		skel->progs.kt_execve_enter, skel->progs.kt_execve_exit,
		skel->progs.kt_execveat_enter, skel->progs.kt_execveat_exit,
	};
	struct bpf_link **links[] = {
		&skel->links.kt_execve_enter, &skel->links.kt_execve_exit,
		&skel->links.kt_execveat_enter, &skel->links.kt_execveat_exit,
	};
	size_t n = sizeof(progs) / sizeof(progs[0]);
	int e = 0;

	for (size_t i = 0; on && !e && i < n; i++)
		if (!(*links[i] = bpf_program__attach(progs[i])))
			e = -errno;
	if (!on || e)   /* off, or all or none: undo what was attached */
		for (size_t i = 0; i < n; i++) {
			bpf_link__destroy(*links[i]);   /* NULL is fine */
			*links[i] = NULL;
		}
	if (!e)
		p->exec_calls = on;
	return e;
}

/* Attaches (on) or detaches the programs given, all or none. 0 or -errno. */
static int attach_set(struct bpf_program **progs, struct bpf_link **links, int n, bool on)
{
	int e = 0;

	for (int i = 0; on && !e && i < n; i++)
		if (!links[i] && !(links[i] = bpf_program__attach(progs[i])))
			e = -errno;
	if (!on || e)
		for (int i = 0; i < n; i++) {
			bpf_link__destroy(links[i]);   /* NULL is fine */
			links[i] = NULL;
		}
	return e;
}

/* The wake-up programs (sched_waking, sched_wakeup_new) run at every
 * wake-up on the machine: attached only while wakeup events or run-queue
 * latency are wanted (demand.c, kt.filter.runq). The interrupt-context ones
 * (waker_irq), which run at every timer callback, device interrupt and
 * softirq, only for wakeup events and kt.filter.offwake (its waker's irq
 * flag). events/runq: 1 on, 0 off, -1 unchanged. */
int kt_probes_set_wake(struct kt_probes *p, int events, int runq)
{
	struct keytime_bpf *skel = p->skel;
	struct kt_config c;
	int e = 0;

	if (kt_config_get(p, &c))
		return -errno;
	if (events >= 0)
		c.wakeups = events;
	if (runq >= 0)
		c.runq = runq;
	if (skel && (c.wakeups || c.runq || c.runq_hist || c.offwake) && !p->features.wakeups)
		return 0;   /* this kernel cannot: said once when loading */
	if (skel) {
		struct bpf_program *wake[] = { skel->progs.kt_wake_sched_waking,
					       skel->progs.kt_wake_sched_wakeup_new };
		/* The exits attached before the entries and detached after them:
		 * an entry counted without its exit would leave the CPU looking
		 * in interrupt context for good. */
		struct bpf_program *ctx_out[] = { skel->progs.kt_wake_ctx_hrtimer_out,
						  skel->progs.kt_wake_ctx_softirq_out,
						  skel->progs.kt_wake_ctx_irq_out };
		struct bpf_program *ctx_in[] = { skel->progs.kt_wake_ctx_hrtimer_in,
						 skel->progs.kt_wake_ctx_softirq_in,
						 skel->progs.kt_wake_ctx_irq_in };
		struct bpf_link **outs = p->wake_ctx_links, **ins = p->wake_ctx_links + 3;

		if (c.wakeups || c.offwake) {   /* offwake: the waker's irq flag */
			e = attach_set(ctx_out, outs, 3, true);
			if (!e)
				e = attach_set(ctx_in, ins, 3, true);
		}
		if (!e)
			e = attach_set(wake, p->wake_links, 2, c.wakeups || c.runq || c.runq_hist || c.offwake);
		if (e || !(c.wakeups || c.offwake)) {
			attach_set(NULL, ins, 3, false);
			attach_set(NULL, outs, 3, false);
		}
		if (e)
			return e;
	}
	return kt_config_set(p, &c) ? -errno : 0;
}

void kt_probes_close(struct kt_probes *p)
{
	attach_set(NULL, p->wake_links, 2, false);
	attach_set(NULL, p->wake_ctx_links + 3, 3, false);   /* entries before exits */
	attach_set(NULL, p->wake_ctx_links, 3, false);
	if (p->switch_link)
		bpf_link__destroy(p->switch_link);
	p->switch_link = NULL;
	for (size_t i = 0; i < sizeof(p->core_links) / sizeof(p->core_links[0]); i++) {
		bpf_link__destroy(p->core_links[i]);   /* NULL is fine */
		p->core_links[i] = NULL;
	}
	if (p->skel) {
		kt_probes_ustack_maps_close(p);
		keytime_bpf__destroy(p->skel);
	}
	p->skel = NULL;
}

