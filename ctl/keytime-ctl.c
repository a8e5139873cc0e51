// SPDX-License-Identifier: GPL-2.0-or-later
/* keytime-ctl: change the policy of a running keytime-run through its pinned
 * maps, as the original tool's controller did: activate on a thread or a
 * thread group, with or without onCPU/offCPU, deactivate, finish. A short
 * option that keytime-run has too means the same here (-p, -P, -f, -k, -m,
 * -t, -v, -h, -V). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "probes.h"
#include "instance.h"
#include "procfs.h"
#include "attr_targets.h"

#define MAX_TRACERS 64

struct ctl_options {
	bool activate, deactivate, finish, list, myproc, follow;
	int verbose;
	int pid, tgid, cpu, time_limit;   /* cpu: -1 = unchanged */
	const char *attr_kind, *attr_text;   /* -g, --unit, -u, --comm */
	pid_t instance;
};

static void usage(FILE *out)
{
	fputs("Usage: keytime-ctl [OPTIONS]\n"
	      "Change what a running keytime-run traces.\n"
	      "\n"
	      "  -a, --activate        start collecting (with a target: on that target)\n"
	      "  -d, --deactivate      stop collecting (with a target: drop that target; else all)\n"
	      "  -F, --finish          end the tracer cleanly (its script's end hook runs)\n"
	      "  -p, --pid TID         a thread to trace: a thread id, unlike perf's and\n"
	      "                        bpftrace's -p (a process id there: use -P here)\n"
	      "  -P, --tgid PID        a process (thread group) to trace: all its threads\n"
	      "  -g, --cgroup PATH     a cgroup v2 to trace, and the cgroups below it\n"
	      "      --unit NAME       a systemd unit's cgroup\n"
	      "      --container ID    a container's cgroup (its id or a unique prefix)\n"
	      "  -u, --uid USER        a user to trace (name or uid)\n"
	      "      --comm NAME       a command name to trace\n"
	      "  -f, --follow          with -a: the target's descendants too\n"
	      "  -k, --cpu 0|1         onCPU/offCPU events off (0) or on (1)\n"
	      "  -m, --myproc          let the tracer trace its own process\n"
	      "  -t, --time SEC        end the tracer SEC seconds from now (0: no limit)\n"
	      "  -l, --list            list running tracers: pid, script, targets\n"
	      "  -I, --instance PID    which tracer, when several run\n"
	      "  -v, --verbose         then print the tracer's state, as --list does\n"
	      "  -h, --help            this help\n"
	      "  -V, --version         print the version\n"
	      "Short options bundle (-ak0) and take their values attached (-P3184).\n"
	      "Options mean what they mean to keytime-run. Exit status: 0 done, 1 failed,\n"
	      "2 a bad command line.\n", out);
}

static int die(const char *fmt, const char *arg)
{
	fprintf(stderr, "keytime-ctl: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

static int number(const char *s, long min, long max, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "keytime-ctl: %s: invalid value '%s'\n", what, s);
		exit(2);
	}
	return (int)v;
}

static void script_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	buf[0] = 0;
	if (!(f = fopen(path, "r")))
		return;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = 0;
	for (size_t i = 0; i + 1 < n; i++)
		if (!buf[i])
			buf[i] = ' ';
}

static int print_target(const struct kt_target_key *k, const struct kt_target *v, void *arg)
{
	printf(" %s:%u%s", k->type == KT_TARGET_PID ? "pid" : "tgid", k->id,
	       v->flags & KT_TARGET_FOLLOW ? "+follow" : "");
	return 0;
}

static int print_attr(const struct kt_attr_key *k, const struct kt_target *v, void *arg)
{
	char what[4096];

	kt_attr_describe(k, what, sizeof(what));
	printf(" %s:%s%s", kt_attr_type_name(k->type), what, v->flags & KT_TARGET_FOLLOW ? "+follow" : "");
	return 0;
}

static int list_tracers(const pid_t *pids, int n)
{
	printf("%-8s %-7s %-4s %-30s %s\n", "PID", "ACTIVE", "CPU", "COMMAND", "TARGETS");
	for (int i = 0; i < n; i++) {
		struct kt_probes p = { 0 };
		struct kt_config c = { 0 };
		char cmd[256];

		if (kt_instance_open(pids[i], &p))
			continue;
		kt_config_get(&p, &c);
		script_of(pids[i], cmd, sizeof(cmd));
		printf("%-8d %-7s %-4d %-30s", (int)pids[i], c.active ? "yes" : "no", c.cpu_events, cmd);
		if (c.all)
			printf(" all");
		kt_targets_each(&p, print_target, NULL);
		kt_attrs_each(&p, print_attr, NULL);
		putchar('\n');
		kt_instance_close(&p);
	}
	return 0;
}

static int apply(const struct ctl_options *o, const struct kt_attr_key *attr, struct kt_probes *p)
{
	struct kt_config c;
	int id = o->pid ? o->pid : o->tgid;
	__u32 type = o->pid ? KT_TARGET_PID : KT_TARGET_TGID;

	if (kt_config_get(p, &c))
		return die("cannot read the tracer's config: %s", strerror(errno));
	if (o->activate) {
		if (id && kt_target_add(p, type, id, o->follow ? KT_TARGET_FOLLOW : 0))
			return die("cannot add the target: %s", strerror(errno));
		if (attr && kt_attr_add(p, attr, o->follow ? KT_TARGET_FOLLOW : 0))
			return die("cannot add the target: %s", strerror(errno));
		c.active = 1;
	}
	if (o->deactivate) {
		if (id)
			kt_target_remove(p, type, id);
		else if (attr)
			kt_attr_remove(p, attr);
		else
			kt_targets_clear(p), kt_attrs_clear(p);
		c.active = 0;
	}
	if (o->cpu >= 0)
		c.cpu_events = o->cpu;
	if (o->myproc)
		c.myproc = 1;
	if (o->time_limit >= 0)
		c.time_limit_s = o->time_limit ? (__u32)o->time_limit : KT_NO_TIME_LIMIT;
	if (o->finish)
		c.finish = 1;
	c.generation++;
	if (kt_config_set(p, &c))
		return die("cannot write the tracer's config: %s", strerror(errno));
	return 0;
}

/* The option getopt_long just refused, as written: "-k" of "-ak", or "--pid". */
static const char *option_name(char **argv)
{
	static char name[3];
	const char *a = argv[optind - 1];

	if (!strncmp(a, "--", 2))
		return a;
	snprintf(name, sizeof(name), "-%c", optopt);
	return name;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "activate", no_argument, NULL, 'a' }, { "deactivate", no_argument, NULL, 'd' },
		{ "finish", no_argument, NULL, 'F' }, { "follow", no_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' }, { "pid", required_argument, NULL, 'p' },
		{ "tgid", required_argument, NULL, 'P' }, { "cpu", required_argument, NULL, 'k' },
		{ "keytime", required_argument, NULL, 'k' }, { "myproc", no_argument, NULL, 'm' },
		{ "time", required_argument, NULL, 't' }, { "list", no_argument, NULL, 'l' },
		{ "instance", required_argument, NULL, 'I' }, { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' }, { "cgroup", required_argument, NULL, 'g' },
		{ "unit", required_argument, NULL, 'U' }, { "uid", required_argument, NULL, 'u' },
		{ "comm", required_argument, NULL, 'C' }, { "container", required_argument, NULL, 'N' },
		{ 0 },
	};
	struct kt_attr_key attr;
	char err[512];
	struct ctl_options o = { .cpu = -1, .time_limit = -1 };
	struct kt_probes p = { 0 };
	pid_t pids[MAX_TRACERS];
	int opt, n, rc;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":adFfp:P:g:u:k:mt:lI:vhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'a': o.activate = true; break;
		case 'd': o.deactivate = true; break;
		case 'F': o.finish = true; break;
		case 'f': o.follow = true; break;
		case 'v': o.verbose++; break;
		case 'p': o.pid = number(optarg, 1, 0x7fffffff, "--pid"); break;
		case 'P': o.tgid = number(optarg, 1, 0x7fffffff, "--tgid"); break;
		case 'k': o.cpu = number(optarg, 0, 1, "--cpu"); break;
		case 'g': case 'U': case 'u': case 'C': case 'N':
			if (o.attr_kind) {
				fprintf(stderr, "keytime-ctl: one -g, --unit, --container, -u or --comm at a time\n");
				return 2;
			}
			o.attr_kind = opt == 'g' ? "cgroup" : opt == 'U' ? "unit" : opt == 'u' ? "uid" :
				      opt == 'N' ? "container" : "comm";
			o.attr_text = optarg;
			break;
		case 'm': o.myproc = true; break;
		case 't': o.time_limit = number(optarg, 0, 0x7fffffff, "--time"); break;
		case 'l': o.list = true; break;
		case 'I': o.instance = number(optarg, 1, 0x7fffffff, "--instance"); break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("keytime-ctl %s\n", KEYTIME_VERSION); return 0;
		case ':':
			fprintf(stderr, "keytime-ctl: %s needs a value (see --help)\n", option_name(argv));
			return 2;
		default:
			if (optopt == 'i')   /* keytime-run's -i is --interactive */
				fprintf(stderr, "keytime-ctl: -i is not an option here; choose the tracer "
					"with -I PID (--instance)\n");
			else
				fprintf(stderr, "keytime-ctl: unknown option %s (see --help)\n",
					option_name(argv));
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "keytime-ctl: unexpected argument: %s\n", argv[optind]);
		return 2;
	}
	if ((o.pid && o.tgid) || ((o.pid || o.tgid) && o.attr_kind)) {
		fprintf(stderr, "keytime-ctl: choose one target: -p, -P, -g, --unit, --container, -u or --comm\n");
		return 2;
	}
	if (o.attr_kind && !o.activate && !o.deactivate) {
		fprintf(stderr, "keytime-ctl: a target goes with -a (add it) or -d (drop it)\n");
		return 2;
	}
	if (o.follow && !(o.activate && (o.pid || o.tgid || o.attr_kind))) {
		fprintf(stderr, "keytime-ctl: -f (--follow) goes with -a and a target, -p or -P; "
			"-F (--finish) ends the tracer\n");
		return 2;
	}
	if (o.activate && o.deactivate) {
		fprintf(stderr, "keytime-ctl: choose -a or -d, not both\n");
		return 2;
	}
	if (!o.list && !o.activate && !o.deactivate && !o.finish && o.cpu < 0 && !o.myproc &&
	    o.time_limit < 0) {
		fprintf(stderr, "keytime-ctl: nothing to do (see --help)\n");
		return 2;
	}
	if (geteuid() != 0)
		return die("must run as root%s", "");
	if ((o.pid && !kt_process_exists(o.pid)) || (o.tgid && !kt_process_exists(o.tgid))) {
		fprintf(stderr, "keytime-ctl: no such process: %d\n", o.pid ? o.pid : o.tgid);
		return 1;
	}
	if (o.attr_kind) {
		if (kt_attr_parse(o.attr_kind, o.attr_text, &attr, err, sizeof(err))) {
			fprintf(stderr, "keytime-ctl: %s\n", err);
			return 1;
		}
	}

	kt_instance_clean_stale();
	n = kt_instance_list(pids, MAX_TRACERS);
	if (o.list)
		return list_tracers(pids, n);
	if (n == 0)
		return die("no keytime-run tracer is running%s", "");
	if (!o.instance) {
		if (n > 1) {
			fprintf(stderr, "keytime-ctl: %d tracers are running (", n);
			for (int i = 0; i < n; i++)
				fprintf(stderr, "%s%d", i ? ", " : "", (int)pids[i]);
			fprintf(stderr, "): choose one with -I PID\n");
			return 1;
		}
		o.instance = pids[0];
	}
	if (kt_instance_open(o.instance, &p)) {
		fprintf(stderr, "keytime-ctl: no tracer with pid %d is running\n", (int)o.instance);
		return 1;
	}
	rc = apply(&o, o.attr_kind ? &attr : NULL, &p);
	kt_instance_close(&p);
	/* The tracer sleeps while nothing happens: tell it to look now. */
	if (rc == 0)
		kill(o.instance, SIGUSR1);
	if (rc == 0 && o.verbose)
		list_tracers(&o.instance, 1);
	return rc;
}
