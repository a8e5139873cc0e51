// SPDX-License-Identifier: GPL-2.0-or-later
/* Reads libbpf's account of a failed load. It looks like:
 *   libbpf: prog 'kt_process_exit': BPF program load failed: Permission denied
 *   libbpf: prog 'kt_process_exit': -- BEGIN PROG LOAD LOG --
 *   0: (79) r2 = *(u64 *)(r1 +8)
 *   func 'sched_process_exit' doesn't have 2-th argument
 *   invalid bpf_context access off=8 size=8
 *   processed 1 insns (limit 1000000) ...
 *   -- END PROG LOAD LOG --
 * or, when libbpf itself gives up before the verifier:
 *   libbpf: prog 'kt_x': failed to find kernel BTF type ID of 'nope': -3
 * The verifier's verdict is in its last lines; an instruction line
 * ("12: (85) call ...") or a source line ("; ...") is not a reason. */
#include <stdio.h>
#include <string.h>
#include <ctype.h>
#include "load_log.h"

static const char *next_line(const char *p)
{
	const char *nl = strchr(p, '\n');
	return nl ? nl + 1 : p + strlen(p);
}

static size_t line_len(const char *p)
{
	size_t n = strcspn(p, "\n");
	while (n && (p[n - 1] == '\r' || p[n - 1] == ' '))
		n--;
	return n;
}

static int is_reason(const char *p, size_t n)
{
	const char *q = p;

	if (n == 0 || *p == ';' || !strncmp(p, "processed ", 10) ||
	    !strncmp(p, "verification time", 17) || !strncmp(p, "stack depth", 11) ||
	    !strncmp(p, "-- ", 3) || !strncmp(p, "libbpf:", 7) || !strncmp(p, "Validating", 10) ||
	    !strncmp(p, "func#", 5) || !strncmp(p, "last_idx", 8) || !strncmp(p, "regs=", 5) ||
	    !strncmp(p, "from ", 5) || !strncmp(p, "mark_precise", 12))
		return 0;
	while (q < p + n && isdigit((unsigned char)*q))
		q++;
	return !(q > p && q < p + n && *q == ':');   /* "12: (85) ..." */
}

static void append(char *dst, size_t len, const char *src, size_t n)
{
	size_t used = strlen(dst);

	if (used && used + 2 < len) {
		memcpy(dst + used, ": ", 3);
		used += 2;
	}
	if (n > len - used - 1)
		n = len - used - 1;
	memcpy(dst + used, src, n);
	dst[used + n] = 0;
}

int kt_load_log_failure(const char *log, char *prog, size_t proglen,
			char *reason, size_t reasonlen)
{
	const char *p, *name = NULL, *msg = NULL, *failed = NULL;
	size_t name_len = 0, msg_len = 0, failed_len = 0;

	*prog = *reason = 0;
	for (p = log; *p; p = next_line(p)) {
		const char *q = strstr(p, "prog '");
		const char *end;

		if (!q || q >= p + line_len(p))
			continue;
		q += 6;
		end = strchr(q, '\'');
		if (!end || end >= p + line_len(p))
			continue;
		if (!name) {
			name = q;
			name_len = end - q;
		} else if ((size_t)(end - q) != name_len || strncmp(q, name, name_len)) {
			continue;   /* another program: the first one is the cause */
		}
		if (strstr(p, "BEGIN PROG LOAD LOG")) {
			/* The verifier's last reasons, up to two lines. */
			const char *a = NULL, *b = NULL, *l;
			size_t alen = 0, blen = 0;

			for (l = next_line(p); *l && strncmp(l, "-- END PROG LOAD LOG", 20); l = next_line(l))
				if (is_reason(l, line_len(l))) {
					a = b, alen = blen;
					b = l, blen = line_len(l);
				}
			if (b) {
				if (a && a != b)
					append(reason, reasonlen, a, alen);
				append(reason, reasonlen, b, blen);
				msg = reason;
			}
			p = l;
			if (!*p)
				break;
		} else if (!msg) {
			/* libbpf's own words after "prog 'NAME': " */
			const char *words = end + 1;
			if (*words == ':')
				words++;
			while (*words == ' ')
				words++;
			if (!strncmp(words, "BPF program load failed", 23)) {
				failed = words;   /* the kernel's errno: when nothing better comes */
				failed_len = p + line_len(p) - words;
			} else if (strncmp(words, "failed to load", 14)) {
				msg = words;
				msg_len = p + line_len(p) - words;
			}
		}
	}
	if (!name)
		return -1;
	snprintf(prog, proglen, "%.*s", (int)name_len, name);
	if (msg && msg != reason)
		append(reason, reasonlen, msg, msg_len);
	if (!*reason && failed)
		append(reason, reasonlen, failed, failed_len);
	if (!*reason)
		snprintf(reason, reasonlen, "rejected (no reason given)");
	return 0;
}
