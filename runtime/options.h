/* keytime-run's command line. */
#ifndef KT_OPTIONS_H
#define KT_OPTIONS_H
#include <stdbool.h>
#include <stdio.h>

struct kt_options {
	int pid;                /* --pid: one thread */
	int tgid;               /* --tgid: one thread group */
	bool all;               /* --all: every process */
	const char *cmd;        /* --cmd: run and trace this command */
	bool follow;            /* --follow: descendants too */
	double duration;        /* --duration seconds, 0 = until the end */
	int cpu;                /* --cpu 0|1: onCPU/offCPU events */
	bool myproc;            /* --myproc: trace our own process too */
	bool help, version;
	const char *script;
	int script_argc;        /* what follows, for the script */
	char **script_argv;     /* owned: free with kt_options_free */
};

/* Fills opts from argv. Returns 0, or -1 with a one-line message in err. */
int kt_options_parse(struct kt_options *opts, int argc, char **argv, char *err, int errlen);
void kt_options_free(struct kt_options *opts);
void kt_options_usage(FILE *out);

#endif
