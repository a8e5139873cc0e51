// SPDX-License-Identifier: GPL-2.0-or-later
/* What keytime reads of other processes: whether one exists, and the /proc
 * files, parsed strictly and safely on any text. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <signal.h>
#include "procfs.h"

bool kt_process_exists(long long id)
{
	return id > 0 && id <= 0x7fffffff && (kill((pid_t)id, 0) == 0 || errno == EPERM);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "\t000001ffffffffff\n" -> the mask; 0 unless the whole value is 1 to 16
 * hex digits (no sign, no 0x: the kernel writes neither). */
static unsigned long long parse_mask(const char *p, const char *end)
{
	unsigned long long v = 0;
	int digits = 0, d;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	for (; p < end && (d = hex_digit(*p)) >= 0; p++) {
		if (++digits > 16)
			return 0;
		v = v << 4 | (unsigned)d;
	}
	if (digits == 0 || (p < end && !(*p == '\n' && p + 1 == end)))
		return 0;
	return v;
}

unsigned long long kt_procfs_capeff(FILE *in)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long long caps = 0;

	/* getline, not fgets: a long line is one line, never a fake "CapEff:"
	 * at the start of its second half. */
	while ((n = getline(&line, &cap, in)) > 0) {
		if (n >= 7 && !memcmp(line, "CapEff:", 7)) {
			caps = parse_mask(line + 7, line + n);
			break;
		}
	}
	free(line);
	return caps;
}

const char *kt_procfs_comm(FILE *in, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	if (!fgets(buf, (int)(len > 4096 ? 4096 : len), in))
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}
