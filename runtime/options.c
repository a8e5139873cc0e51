// SPDX-License-Identifier: GPL-2.0-or-later
/* keytime-run's command line, read with getopt_long. Host options are
 * recognized before and after the script path, so `keytime-run script.lua
 * --tgid 42` works; everything else (and everything after `--`) is left for
 * the script. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <getopt.h>
#include "options.h"

/* --duration becomes a deadline in nanoseconds: keep it far from overflow
 * (about 31 years). */
#define KT_DURATION_MAX 1e9

void kt_options_usage(FILE *out)
{
	fputs("Usage: keytime-run [OPTIONS] SCRIPT [SCRIPT ARGS]\n"
	      "       keytime-run -i [OPTIONS] [SCRIPT [SCRIPT ARGS]]\n"
	      "Trace the life of processes (fork, vfork, threads, exec, exit, on/off CPU)\n"
	      "and hand every event to a Lua script.\n"
	      "\n"
	      "Targets (in the kernel's filter map; none: attached, waiting to be targeted):\n"
	      "  -p, --pid TID         trace one thread: a thread id, unlike perf's and\n"
	      "                        bpftrace's -p (a process id there: use -P here)\n"
	      "  -P, --tgid PID        trace one process (thread group): all its threads\n"
	      "      --all             trace every process\n"
	      "  -c, --cmd 'CMD ARGS'  run CMD, traced from its first instruction; stop when it\n"
	      "                        exits and return its exit status\n"
	      "  -g, --cgroup PATH     trace the tasks in a cgroup v2 and those below it (a path\n"
	      "                        under the cgroup2 mount, or relative to it)\n"
	      "      --unit NAME       the cgroup of a systemd unit (.service if no suffix)\n"
	      "      --container ID    the cgroup of a container (docker, podman, cri-o,\n"
	      "                        containerd), by its id or a unique prefix of it\n"
	      "  -u, --uid USER        trace the tasks of a user (name or uid; effective uid)\n"
	      "      --comm NAME       trace the tasks with this command name\n"
	      "                        (these may be repeated and combined)\n"
	      "  -f, --follow          also trace the targets' descendants\n"
	      "  -m, --myproc          also trace keytime-run's own process\n"
	      "      --max-targets N   room for N targets and followed descendants (default:\n"
	      "                        pid_max, at most 131072); those beyond are counted\n"
	      "Run:\n"
	      "  -i, --interactive     a Lua prompt on the live events, after SCRIPT if given\n"
	      "  -k, --cpu 0|1         onCPU/offCPU events off (0) or on (1); default: while\n"
	      "                        the script handles oncpu, offcpu or \"*\" events\n"
	      "  -t, --duration SEC    stop after SEC seconds\n"
	      "  -o, --output FILE     the script's output (what it prints) to FILE\n"
	      "  -q, --quiet           no \"attached\" line on stderr\n"
	      "  -v, --verbose         libbpf's warnings while loading (-vv: its whole log)\n"
	      "      --record FILE     also save the event stream to FILE (zstd-compressed)\n"
	      "      --record-compress LEVEL  zstd level 1-19 (default 3); 0: not compressed\n"
	      "      --record-size SIZE  a new part of the recording (FILE.000001.kt, ...)\n"
	      "                        when the current one reaches SIZE bytes (K, M, G)\n"
	      "      --record-time SEC a new part every SEC seconds\n"
	      "      --record-keep N   keep only the newest N parts\n"
	      "      --metrics ADDR:PORT  serve kt.metrics and keytime's own at http://ADDR:PORT/metrics\n"
	      "      --replay FILE     run SCRIPT on a recording instead (no root, no BPF)\n"
	      "Script safety:\n"
	      "      --strict          the first error in a handler ends the run (default: each\n"
	      "                        distinct error is printed once and tracing goes on)\n"
	      "      --handler-timeout SEC  stop a script call running longer (default 5; 0: never)\n"
	      "      --memory-limit MB the script's memory (default 512; 0: no limit)\n"
	      "      --unsafe-script   run a script that other users can write\n"
	      "Other:\n"
	      "  -h, --help            this help (after SCRIPT: the script's help)\n"
	      "  -V, --version         print the version\n"
	      "      --list-scripts    the scripts found by name, and where\n"
	      "Short options bundle (-fm) and take their values attached (-p123, -t5).\n"
	      "Options may also follow SCRIPT; those keytime-run does not know, and all after\n"
	      "`--`, go to the script. Exit status: the -c command's; 2 for a bad command line\n"
	      "(keytime-run's or the script's); 1 for other errors.\n"
	      "SCRIPT is a path, or a name looked up in $KEYTIME_PATH (folders separated by\n"
	      "':'), then beside keytime-run, then in the install folder (see --list-scripts).\n", out);
}

static int parse_int(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

enum {   /* options with no short form */
	OPT_ALL = 256, OPT_MAX_TARGETS, OPT_RECORD, OPT_REPLAY, OPT_STRICT, OPT_UNSAFE_SCRIPT,
	OPT_HANDLER_TIMEOUT, OPT_MEMORY_LIMIT, OPT_LIST_SCRIPTS, OPT_METRICS,
	OPT_RECORD_COMPRESS, OPT_RECORD_SIZE, OPT_RECORD_TIME, OPT_RECORD_KEEP,
	OPT_UNIT, OPT_COMM, OPT_CONTAINER,
};

/* '+': stop at the first argument that is not an option; ':': a missing
 * value is told apart from an unknown option. */
static const char SHORT_OPTIONS[] = "+:p:P:c:g:u:fmik:t:o:qvhV";

static const struct option LONG_OPTIONS[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "tgid", required_argument, NULL, 'P' },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "cgroup", required_argument, NULL, 'g' },
	{ "unit", required_argument, NULL, OPT_UNIT },
	{ "container", required_argument, NULL, OPT_CONTAINER },
	{ "uid", required_argument, NULL, 'u' },
	{ "comm", required_argument, NULL, OPT_COMM },
	{ "cmd", required_argument, NULL, 'c' },
	{ "follow", no_argument, NULL, 'f' },
	{ "myproc", no_argument, NULL, 'm' },
	{ "max-targets", required_argument, NULL, OPT_MAX_TARGETS },
	{ "interactive", no_argument, NULL, 'i' },
	{ "cpu", required_argument, NULL, 'k' },
	{ "duration", required_argument, NULL, 't' },
	{ "output", required_argument, NULL, 'o' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "record-compress", required_argument, NULL, OPT_RECORD_COMPRESS },
	{ "record-size", required_argument, NULL, OPT_RECORD_SIZE },
	{ "record-time", required_argument, NULL, OPT_RECORD_TIME },
	{ "record-keep", required_argument, NULL, OPT_RECORD_KEEP },
	{ "metrics", required_argument, NULL, OPT_METRICS },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "unsafe-script", no_argument, NULL, OPT_UNSAFE_SCRIPT },
	{ "handler-timeout", required_argument, NULL, OPT_HANDLER_TIMEOUT },
	{ "memory-limit", required_argument, NULL, OPT_MEMORY_LIMIT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "list-scripts", no_argument, NULL, OPT_LIST_SCRIPTS },
	{ 0 },
};

/* Options that only come before SCRIPT: after it, they are the script's. */
static bool before_script_only(int opt)
{
	return opt == 'h' || opt == 'V' || opt == OPT_LIST_SCRIPTS;
}

/* After SCRIPT, an argument is keytime-run's only if all of it is: an exact
 * long name (no abbreviation, which could take a script's option), or short
 * letters that are all keytime-run's (the first that takes a value takes the
 * rest). Anything else, such as a script's -x or -xf, goes to the script. */
static bool host_option_after_script(const char *a)
{
	if (a[1] == '-') {
		size_t n = strcspn(a + 2, "=");
		for (const struct option *o = LONG_OPTIONS; o->name; o++)
			if (strlen(o->name) == n && !strncmp(o->name, a + 2, n))
				return !before_script_only(o->val);
		return false;
	}
	for (const char *c = a + 1; *c; c++) {
		const char *s = strchr(SHORT_OPTIONS + 2, *c);
		if (!s || *c == ':' || before_script_only(*c))
			return false;
		if (s[1] == ':')
			return true;
	}
	return true;
}

/* A size in bytes: a whole number, optionally with K, M or G (powers of
 * 1024), from 4K to 1T. */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	errno = 0;
	if (!s || *s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	if (*end == 'K' || *end == 'k')
		shift = 10, end++;
	else if (*end == 'M' || *end == 'm')
		shift = 20, end++;
	else if (*end == 'G' || *end == 'g')
		shift = 30, end++;
	if (errno || end == s || *end || v > (1ULL << 40) >> shift || v << shift < 4096)
		return -1;
	*out = v << shift;
	return 0;
}

/* The --record-* options. */
static int apply_record(struct kt_options *o, int opt, const char *v, const char *name,
			char *err, int errlen)
{
	long n;
	char *end;

	o->record_options = true;
	switch (opt) {
	case OPT_RECORD_COMPRESS:
		if (!v || parse_int(v, 0, 19, &n)) {
			snprintf(err, errlen, "%s needs a zstd level from 1 to 19, or 0 (not compressed)", name);
			return -1;
		}
		o->record_compress = n;
		break;
	case OPT_RECORD_SIZE:
		if (parse_size(v, &o->record_size)) {
			snprintf(err, errlen, "%s needs a size in bytes from 4K to 1T, with K, M or G "
				 "for KiB, MiB, GiB (e.g. 100M)", name);
			return -1;
		}
		break;
	case OPT_RECORD_TIME:
		if (!v || (o->record_time = strtod(v, &end), end == v || *end ||
			   !(o->record_time >= 0.001 && o->record_time <= KT_DURATION_MAX))) {
			snprintf(err, errlen, "%s needs a number of seconds from 0.001 to %.0f",
				 name, KT_DURATION_MAX);
			return -1;
		}
		break;
	case OPT_RECORD_KEEP:
		if (!v || parse_int(v, 1, 1000000, &n)) {
			snprintf(err, errlen, "%s needs a number of parts from 1 to 1000000", name);
			return -1;
		}
		o->record_keep = n;
		break;
	}
	return 0;
}

/* The --record-* options agree with each other and with --record. */
static int check_record(const struct kt_options *o, char *err, int errlen)
{
	if (!o->record && o->record_options) {
		snprintf(err, errlen, "--record-compress, --record-size, --record-time and --record-keep "
			 "need --record FILE");
		return -1;
	}
	if (o->record_keep && !o->record_size && !o->record_time) {
		snprintf(err, errlen, "--record-keep needs --record-size or --record-time (parts to keep)");
		return -1;
	}
	return 0;
}

/* One option, its value v (NULL: missing) and how it was written. */
static int apply(struct kt_options *o, int opt, const char *v, const char *name, int *targets,
		 char *err, int errlen)
{
	long n;
	char *end;

	switch (opt) {
	case OPT_RECORD_COMPRESS:
	case OPT_RECORD_SIZE:
	case OPT_RECORD_TIME:
	case OPT_RECORD_KEEP:
		return apply_record(o, opt, v, name, err, errlen);
	case 'p':
	case 'P':
		if (!v || parse_int(v, 1, 0x7fffffff, &n)) {
			snprintf(err, errlen, "%s needs a %s id (a positive number)", name,
				 opt == 'p' ? "thread" : "process");
			return -1;
		}
		if (opt == 'P')
			o->tgid = n;
		else
			o->pid = n;
		++*targets;
		break;
	case 'g':
	case 'u':
	case OPT_UNIT:
	case OPT_CONTAINER:
	case OPT_COMM: {
		const char *kind = opt == 'g' ? "cgroup" : opt == 'u' ? "uid" : opt == OPT_UNIT ? "unit" :
				   opt == OPT_CONTAINER ? "container" : "comm";
		if (!v || !*v) {
			snprintf(err, errlen, "%s needs a %s", name,
				 opt == 'g' ? "cgroup path" : opt == 'u' ? "user name or uid" :
				 opt == OPT_UNIT ? "unit name" : opt == OPT_CONTAINER ? "container id" :
				 "command name");
			return -1;
		}
		if (o->nattrs == KT_MAX_ATTR_OPTIONS) {
			snprintf(err, errlen, "at most %d --cgroup, --unit, --container, --uid and --comm targets",
				 KT_MAX_ATTR_OPTIONS);
			return -1;
		}
		o->attrs[o->nattrs].kind = kind;
		o->attrs[o->nattrs++].text = v;
		break;
	}
	case OPT_ALL:
		o->all = true;
		++*targets;
		break;
	case 'c':
		if (!v || !*v) {
			snprintf(err, errlen, "%s needs a command", name);
			return -1;
		}
		o->cmd = v;
		++*targets;
		break;
	case 'f': o->follow = true; break;
	case 'm': o->myproc = true; break;
	case 'q': o->quiet = true; break;
	case 'v': o->verbose++; break;
	case 'i': o->interactive = true; break;
	case OPT_STRICT: o->strict = true; break;
	case OPT_UNSAFE_SCRIPT: o->unsafe_script = true; break;
	case 'h': o->help = true; break;
	case 'V': o->version = true; break;
	case OPT_LIST_SCRIPTS: o->list_scripts = true; break;
	case OPT_HANDLER_TIMEOUT:
	case OPT_MEMORY_LIMIT:
		if (!v || parse_int(v, 0, 1000000, &n)) {
			snprintf(err, errlen, "%s needs a whole number (0: no limit)", name);
			return -1;
		}
		if (opt == OPT_HANDLER_TIMEOUT)
			o->handler_timeout_s = n;
		else
			o->memory_limit_mb = n;
		break;
	case OPT_MAX_TARGETS:
		if (!v || parse_int(v, 16, 1 << 22, &n)) {
			snprintf(err, errlen, "%s needs a whole number from 16 to 4194304", name);
			return -1;
		}
		o->max_targets = n;
		break;
	case 'o':
	case OPT_RECORD:
	case OPT_REPLAY:
		if (!v || !*v) {
			snprintf(err, errlen, "%s needs a file name", name);
			return -1;
		}
		if (opt == 'o')
			o->output = v;
		else if (opt == OPT_RECORD)
			o->record = v;
		else
			o->replay = v;
		break;
	case OPT_METRICS:
		if (!v || !*v) {
			snprintf(err, errlen, "%s needs ADDR:PORT (or PORT, on 127.0.0.1)", name);
			return -1;
		}
		o->metrics = v;
		break;
	case 'k':
		if (!v || parse_int(v, 0, 1, &n)) {
			snprintf(err, errlen, "%s takes 0 (no onCPU/offCPU events) or 1 (all)", name);
			return -1;
		}
		o->cpu = n;
		o->cpu_given = true;
		break;
	case 't':
		if (!v || (o->duration = strtod(v, &end), end == v || *end ||
			   !(o->duration > 0 && o->duration <= KT_DURATION_MAX))) {   /* NaN fails too */
			snprintf(err, errlen, "%s needs a number of seconds above 0 (at most %.0f)",
				 name, KT_DURATION_MAX);
			return -1;
		}
		break;
	}
	return 0;
}

/* The option or bundle of short options in argv[*i] (with its value, which
 * may be argv[*i + 1]), read by getopt_long from a vector holding just
 * those, so that it looks at nothing else. */
static int take_options(struct kt_options *o, int argc, char **argv, int *i, int *targets,
			char *err, int errlen)
{
	char *sub[4] = { argv[0], argv[*i], *i + 1 < argc ? argv[*i + 1] : NULL, NULL };
	int subc = sub[2] ? 3 : 2;

	optind = 0;   /* glibc: start afresh */
	opterr = 0;
	do {
		char name[64];
		int opt = getopt_long(subc, sub, SHORT_OPTIONS, LONG_OPTIONS, NULL);

		if (opt == -1)
			break;
		if (sub[1][1] == '-')   /* a long option: as written, without its value */
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(sub[1], "="), sub[1]);
		else
			snprintf(name, sizeof(name), "-%c", opt == '?' || opt == ':' ? optopt : opt);
		if (opt == '?') {
			snprintf(err, errlen, "unknown option %s (see --help)", name);
			return -1;
		}
		if (apply(o, opt == ':' ? optopt : opt, opt == ':' ? NULL : optarg, name, targets,
			  err, errlen))
			return -1;
	} while (optind < 2);
	*i += optind - 2;   /* the value in sub[2] was used too */
	return 0;
}

static int parse(struct kt_options *o, int argc, char **argv, char *err, int errlen)
{
	bool rest_to_script = false;
	int targets = 0;

	memset(o, 0, sizeof(*o));
	o->cpu = 1;
	o->handler_timeout_s = 5;
	o->memory_limit_mb = 512;
	o->record_compress = 3;
	o->script_argv = calloc(argc + 1, sizeof(char *));
	if (!o->script_argv) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (rest_to_script || a[0] != '-' || !strcmp(a, "-") ||
		    (o->script && strcmp(a, "--") && !host_option_after_script(a))) {
			if (!o->script)
				o->script = a;
			else
				o->script_argv[o->script_argc++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			if (o->script)
				rest_to_script = true;
			else if (i + 1 < argc)
				o->script = argv[++i], rest_to_script = true;
			continue;
		}
		if (take_options(o, argc, argv, &i, &targets, err, errlen))
			return -1;
	}
	if (o->interactive && o->replay) {
		snprintf(err, errlen, "-i works on live events, not with --replay");
		return -1;
	}
	if (o->interactive && o->output) {
		snprintf(err, errlen, "-o is for a script's output; -i answers at the prompt");
		return -1;
	}
	if (o->record && o->replay) {
		snprintf(err, errlen, "choose --record or --replay, not both");
		return -1;
	}
	if (check_record(o, err, errlen))
		return -1;
	if (o->replay && o->nattrs) {
		snprintf(err, errlen, "--replay takes no --cgroup, --unit, --container, --uid or --comm (they are resolved on a live host)");
		return -1;
	}
	if (o->all && o->nattrs) {
		snprintf(err, errlen, "--all traces every process: no --cgroup, --unit, --container, --uid or --comm with it");
		return -1;
	}
	if (o->replay && (o->all || o->cmd)) {
		snprintf(err, errlen, "--replay takes no --all or --cmd (--pid and --tgid filter the recording)");
		return -1;
	}
	if (targets > 1) {
		snprintf(err, errlen, "choose one target: -p/--pid, -P/--tgid, --all or -c/--cmd");
		return -1;
	}
	if (!o->script && !o->interactive && !o->help && !o->version && !o->list_scripts) {
		snprintf(err, errlen, "no script given (try: keytime-run scripts/keytime.lua --tgid PID, "
			 "or -i for a prompt)");
		return -1;
	}
	return 0;
}

int kt_options_parse(struct kt_options *o, int argc, char **argv, char *err, int errlen)
{
	if (parse(o, argc, argv, err, errlen) == 0)
		return 0;
	kt_options_free(o);   /* a refused command line owns nothing */
	return -1;
}

void kt_options_free(struct kt_options *o)
{
	free(o->script_argv);
	o->script_argv = NULL;
}

int kt_options_open_output(const struct kt_options *o, char *err, int errlen)
{
	FILE *f;

	if (!o->output)
		return 0;
	fflush(stdout);
	if (!(f = fopen(o->output, "we"))) {   /* close-on-exec: not the -c command's */
		snprintf(err, errlen, "cannot write %s: %s", o->output, strerror(errno));
		return -1;
	}
	stdout = f;   /* print and io.write: C's stdout, read when they write */
	return 0;
}
