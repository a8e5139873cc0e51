/* keytime-run's command line. Host options are recognized before and after
 * the script path, so `keytime-run script.lua --tgid 42` works; everything
 * else (and everything after `--`) is left for the script. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
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
	      "  -p, --pid PID         trace one thread\n"
	      "  -P, --tgid TGID       trace one process (thread group)\n"
	      "      --all             trace every process\n"
	      "  -c, --cmd 'CMD ARGS'  run CMD, traced from its first instruction; stop when it\n"
	      "                        exits and return its exit status\n"
	      "  -f, --follow          also trace the targets' descendants\n"
	      "  -m, --myproc          also trace keytime-run's own process\n"
	      "      --max-targets N   room for N targets and followed descendants (default:\n"
	      "                        pid_max, at most 131072); those beyond are counted\n"
	      "Run:\n"
	      "  -i, --interactive     a Lua prompt on the live events, after SCRIPT if given\n"
	      "  -k, --cpu 0|1         onCPU/offCPU events off (0) or on (1); default: while\n"
	      "                        the script handles oncpu, offcpu or \"*\" events\n"
	      "  -t, --duration SEC    stop after SEC seconds\n"
	      "      --record FILE     also save the event stream to FILE\n"
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
	      "Options may also follow SCRIPT; `--` passes the rest to the script as is.\n"
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

/* Which option is a[i], and its value (from "--opt=v" or the next argument). */
static const char *take_value(int argc, char **argv, int *i, const char *inline_val)
{
	if (inline_val)
		return inline_val;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

static bool is(const char *a, const char *shortopt, const char *longopt)
{
	return (shortopt && !strcmp(a, shortopt)) || (longopt && !strcmp(a, longopt));
}

static int parse(struct kt_options *o, int argc, char **argv, char *err, int errlen)
{
	bool rest_to_script = false;
	int targets = 0;

	memset(o, 0, sizeof(*o));
	o->cpu = 1;
	o->handler_timeout_s = 5;
	o->memory_limit_mb = 512;
	o->script_argv = calloc(argc + 1, sizeof(char *));
	if (!o->script_argv) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}

	for (int i = 1; i < argc; i++) {
		char name[64];
		const char *a = argv[i], *inline_val = NULL, *eq, *v;
		long n;

		if (rest_to_script || a[0] != '-' || !strcmp(a, "-")) {
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
		/* --name=value */
		eq = strchr(a, '=');
		if (a[1] == '-' && eq && eq - a < (long)sizeof(name)) {
			memcpy(name, a, eq - a);
			name[eq - a] = 0;
			a = name;
			inline_val = eq + 1;
		}

		if (is(a, "-p", "--pid") || is(a, "-P", "--tgid")) {
			bool tgid = is(a, "-P", "--tgid");
			if (!(v = take_value(argc, argv, &i, inline_val)) ||
			    parse_int(v, 1, 0x7fffffff, &n)) {
				snprintf(err, errlen, "%s needs a process id (a positive number)", a);
				return -1;
			}
			if (tgid)
				o->tgid = n;
			else
				o->pid = n;
			targets++;
		} else if (is(a, NULL, "--all")) {
			o->all = true;
			targets++;
		} else if (is(a, "-c", "--cmd")) {
			if (!(v = take_value(argc, argv, &i, inline_val)) || !*v) {
				snprintf(err, errlen, "%s needs a command", a);
				return -1;
			}
			o->cmd = v;
			targets++;
		} else if (is(a, "-f", "--follow")) {
			o->follow = true;
		} else if (is(a, "-m", "--myproc")) {
			o->myproc = true;
		} else if (is(a, NULL, "--strict")) {
			o->strict = true;
		} else if (is(a, NULL, "--unsafe-script")) {
			o->unsafe_script = true;
		} else if (is(a, NULL, "--handler-timeout") || is(a, NULL, "--memory-limit")) {
			bool timeout = is(a, NULL, "--handler-timeout");
			if (!(v = take_value(argc, argv, &i, inline_val)) || parse_int(v, 0, 1000000, &n)) {
				snprintf(err, errlen, "%s needs a whole number (0: no limit)", a);
				return -1;
			}
			if (timeout)
				o->handler_timeout_s = n;
			else
				o->memory_limit_mb = n;
		} else if (is(a, NULL, "--max-targets")) {
			if (!(v = take_value(argc, argv, &i, inline_val)) || parse_int(v, 16, 1 << 22, &n)) {
				snprintf(err, errlen, "%s needs a whole number from 16 to 4194304", a);
				return -1;
			}
			o->max_targets = n;
		} else if (is(a, NULL, "--record") || is(a, NULL, "--replay")) {
			bool rec = is(a, NULL, "--record");
			if (!(v = take_value(argc, argv, &i, inline_val)) || !*v) {
				snprintf(err, errlen, "%s needs a file name", a);
				return -1;
			}
			if (rec)
				o->record = v;
			else
				o->replay = v;
		} else if (is(a, NULL, "--metrics")) {
			if (!(v = take_value(argc, argv, &i, inline_val)) || !*v) {
				snprintf(err, errlen, "%s needs ADDR:PORT (or PORT, on 127.0.0.1)", a);
				return -1;
			}
			o->metrics = v;
		} else if (is(a, "-i", "--interactive")) {
			o->interactive = true;
		} else if (is(a, "-k", "--cpu")) {
			if (!(v = take_value(argc, argv, &i, inline_val)) || parse_int(v, 0, 1, &n)) {
				snprintf(err, errlen, "%s takes 0 (no onCPU/offCPU events) or 1 (all)", a);
				return -1;
			}
			o->cpu = n;
			o->cpu_given = true;
		} else if (is(a, "-t", "--duration")) {
			char *end;
			if (!(v = take_value(argc, argv, &i, inline_val)) ||
			    (o->duration = strtod(v, &end), end == v || *end ||
			     !(o->duration > 0 && o->duration <= KT_DURATION_MAX))) {   /* NaN fails too */
				snprintf(err, errlen, "%s needs a number of seconds above 0 (at most %.0f)",
					 a, KT_DURATION_MAX);
				return -1;
			}
		} else if (!o->script && is(a, "-h", "--help")) {
			o->help = true;
		} else if (!o->script && is(a, "-V", "--version")) {
			o->version = true;
		} else if (!o->script && is(a, NULL, "--list-scripts")) {
			o->list_scripts = true;
		} else if (o->script) {
			o->script_argv[o->script_argc++] = argv[i];
		} else {
			snprintf(err, errlen, "unknown option %s (see --help)", argv[i]);
			return -1;
		}
	}
	if (o->interactive && o->replay) {
		snprintf(err, errlen, "-i works on live events, not with --replay");
		return -1;
	}
	if (o->record && o->replay) {
		snprintf(err, errlen, "choose --record or --replay, not both");
		return -1;
	}
	if (o->replay && (o->all || o->cmd)) {
		snprintf(err, errlen, "--replay takes no --all or --cmd (--pid and --tgid filter the recording)");
		return -1;
	}
	if (targets > 1) {
		snprintf(err, errlen, "choose one target: --pid, --tgid, --all or --cmd");
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
