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
#include "procfs.h"

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

static int quiet_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN && getenv("KEYTIME_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_DEBUG && getenv("KEYTIME_DEBUG") && !strcmp(getenv("KEYTIME_DEBUG"), "2"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

int kt_probes_open(struct kt_probes *p, bool cpu_events, char *err, int errlen)
{
	struct keytime_bpf *skel;
	struct kt_config cfg = { .cpu_events = cpu_events, .self_tgid = getpid(),
				 .wakeup_bytes = 256 << 10 };
	int e;

	memset(p, 0, sizeof(*p));
	libbpf_set_print(quiet_libbpf);
	skel = keytime_bpf__open();
	if (!skel) {
		snprintf(err, errlen, "cannot open the probes: %s", strerror(errno));
		return -1;
	}
	p->skel = skel;
	if (getenv("KEYTIME_RINGBUF_KB")) {
		/* Like bpftrace's BPFTRACE_PERF_RB_PAGES: a power of two, at least 4. */
		unsigned long kb = strtoul(getenv("KEYTIME_RINGBUF_KB"), NULL, 10);
		if (kb < 4 || (kb & (kb - 1))) {
			snprintf(err, errlen, "KEYTIME_RINGBUF_KB must be a power of two, at least 4");
			goto fail;
		}
		bpf_map__set_max_entries(skel->maps.kt_events, kb * 1024);
	}
	if ((e = keytime_bpf__load(skel))) {
		snprintf(err, errlen, "cannot load the probes: %s (KEYTIME_DEBUG=2 shows the verifier log)",
			 strerror(-e));
		goto fail;
	}
	p->targets_fd = bpf_map__fd(skel->maps.kt_targets);
	p->config_fd = bpf_map__fd(skel->maps.kt_config);
	p->lost_fd = bpf_map__fd(skel->maps.kt_lost);
	p->stacks_fd = bpf_map__fd(skel->maps.kt_stacks);
	p->events_fd = bpf_map__fd(skel->maps.kt_events);
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
		skel->progs.kt_task_newtask, skel->progs.kt_process_exec,
		skel->progs.kt_process_exit,
	};
	struct bpf_link **links[] = {
		&skel->links.kt_task_newtask, &skel->links.kt_process_exec,
		&skel->links.kt_process_exit,
	};
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		*links[i] = bpf_program__attach(progs[i]);
		if (!*links[i]) {
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

	if (kt_config_get(p, &c))
		return -errno;
	if (!p->skel) {
		;   /* --replay: nothing to attach */
	} else if (on && !p->switch_link) {
		p->switch_link = bpf_program__attach(p->skel->progs.kt_sched_switch);
		if (!p->switch_link)
			return -errno;
	} else if (!on && p->switch_link) {
		bpf_link__destroy(p->switch_link);
		p->switch_link = NULL;
	}
	c.cpu_events = on;
	return kt_config_set(p, &c) ? -errno : 0;
}

/* exec_enter / exec_exit come from the execve and execveat syscall
 * tracepoints. Attaching any syscall tracepoint sends every syscall of
 * every process through the kernel's slower tracing path (getppid: 167 ->
 * 220 ns here), so they are attached only while a script asks for them. */
int kt_probes_set_exec_calls(struct kt_probes *p, bool on)
{
	struct keytime_bpf *skel = p->skel;

	if (!skel || on == p->exec_calls) {
		p->exec_calls = on;   /* --replay: nothing to attach */
		return 0;
	}
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

void kt_probes_close(struct kt_probes *p)
{
	if (p->switch_link)
		bpf_link__destroy(p->switch_link);
	p->switch_link = NULL;
	if (p->skel)
		keytime_bpf__destroy(p->skel);
	p->skel = NULL;
}

