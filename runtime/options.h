/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keytime-run's command line. */
#ifndef KT_OPTIONS_H
#define KT_OPTIONS_H
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

struct kt_options {
	int pid;                /* -p/--pid: one thread (a thread id, not a process) */
	int tgid;               /* -P/--tgid: one thread group (a process) */
	bool all;               /* --all: every process */
	const char *cmd;        /* --cmd: run and trace this command */
	bool follow;            /* --follow: descendants too */
	double duration;        /* --duration seconds, 0 = until the end */
	int cpu;                /* --cpu 0|1: onCPU/offCPU events */
	bool cpu_given;         /* -k was given: not as the script needs */
	bool myproc;            /* --myproc: trace our own process too */
	bool interactive;       /* -i: the REPL; the script is optional */
	bool help, version;
	const char *output;     /* -o FILE: the script's standard output goes there */
	bool quiet;             /* -q: no "attached" banner */
	int verbose;            /* -v: libbpf's warnings (as KEYTIME_DEBUG=1); -vv: its log */
	bool list_scripts;      /* --list-scripts: the stock scripts found by name */
	const char *record;      /* --record FILE: save the event stream */
	int record_compress;     /* --record-compress: zstd level, 0: none */
	uint64_t record_size;    /* --record-size: a new part past this many bytes; 0: never */
	double record_time;      /* --record-time: a new part every this many seconds; 0: never */
	unsigned record_keep;    /* --record-keep: parts kept (the newest); 0: all */
	bool record_options;     /* one of those was given */
	const char *metrics;     /* --metrics ADDR:PORT: serve /metrics */
	const char *replay;      /* --replay FILE: events from a recording, no BPF */
	bool strict;             /* --strict: the first handler error ends the run */
	bool unsafe_script;      /* --unsafe-script: run a script others may write */
	int handler_timeout_s;   /* --handler-timeout: a call running longer is stopped */
	int memory_limit_mb;     /* --memory-limit: the script's memory */
	unsigned max_targets;    /* --max-targets: filter map entries; 0: from pid_max */
	/* --cgroup, --unit, --uid, --comm: as written, resolved when the probes
	 * load (attr_targets.h); any number of them, combined. */
#define KT_MAX_ATTR_OPTIONS 32
	struct {
		const char *kind;    /* "cgroup", "unit", "container", "uid", "comm" */
		const char *text;
	} attrs[KT_MAX_ATTR_OPTIONS];
	int nattrs;
	const char *script;
	int script_argc;        /* what follows, for the script */
	char **script_argv;     /* owned: free with kt_options_free */
};

/* Fills opts from argv. Returns 0, or -1 with a one-line message in err
 * (then opts holds nothing to free). */
int kt_options_parse(struct kt_options *opts, int argc, char **argv, char *err, int errlen);
void kt_options_free(struct kt_options *opts);
void kt_options_usage(FILE *out);
/* -o FILE: the script's standard output (print, io.write) becomes FILE,
 * created now, so that a bad path fails before the probes load; a -c
 * command keeps the terminal. Returns 0, or -1 with a one-line message. */
int kt_options_open_output(const struct kt_options *opts, char *err, int errlen);

#endif
