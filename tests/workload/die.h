/* SPDX-License-Identifier: GPL-2.0-or-later */
/* How a test workload gives up: "NAME: message" on stderr, then exit
 * status 99, which no test expects of a workload. */
#ifndef KT_WORKLOAD_DIE_H
#define KT_WORKLOAD_DIE_H
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_FAILED 99

extern char *program_invocation_short_name;

__attribute__((noreturn, format(printf, 1, 2), unused))
static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(EXIT_FAILED);
}

/* die() for a failed call that set errno: "NAME: what: error text". */
__attribute__((noreturn, unused))
static void die_errno(const char *what)
{
	die("%s: %s", what, strerror(errno));
}

#endif
