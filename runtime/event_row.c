// SPDX-License-Identifier: GPL-2.0-or-later
/* An event record as a row of keytime.lua's table (event_row.h), the same
 * bytes as lua/keytime/format.lua's row(): tests/integration/table.sh
 * compares the two on a recorded trace. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "event_row.h"
#include "event_fields.h"
#include "events.h"

static int put_str(struct kt_json_buf *b, const char *s)
{
	return kt_json_raw(b, s, strlen(s));
}

static int put_value(struct kt_json_buf *b, struct kt_value v)
{
	char num[32];

	if (v.type == KT_V_STR)
		return kt_json_raw(b, v.s, v.len);
	snprintf(num, sizeof(num), "%lld", (long long)v.i);
	return put_str(b, num);
}

/* key:value, the value an integer or a string field of the record. */
static int put_pair(struct kt_json_buf *b, const char *key, const void *rec, enum kt_field f)
{
	return put_str(b, key) || put_value(b, kt_field_get(rec, f));
}

/* exit_code:N, and signal:N(SIGNAME) when a signal ended it. */
static int put_status(struct kt_json_buf *b, const void *rec)
{
	int64_t sig = kt_field_get(rec, KT_F_SIGNAL).i;
	const char *name;
	char text[64];

	if (put_pair(b, "exit_code:", rec, KT_F_EXIT_CODE))
		return -1;
	if (!sig)
		return 0;
	if ((name = kt_signal_name((int)sig)))
		snprintf(text, sizeof(text), " signal:%lld(%s)", (long long)sig, name);
	else
		snprintf(text, sizeof(text), " signal:%lld(SIG%lld)", (long long)sig, (long long)sig);
	return put_str(b, text);
}

/* The arguments joined by spaces, " ..." when some were cut. */
static int put_argv(struct kt_json_buf *b, const void *rec)
{
	const char *argv[KT_FIELD_ARGV_MAX];
	size_t lens[KT_FIELD_ARGV_MAX];
	int n = kt_field_argv(rec, argv, lens, KT_FIELD_ARGV_MAX);

	for (int i = 0; i < n; i++)
		if ((i && kt_json_raw(b, " ", 1)) || kt_json_raw(b, argv[i], lens[i]))
			return -1;
	if (kt_field_get(rec, KT_F_ARGV_TRUNCATED).i)
		return put_str(b, " ...");
	return 0;
}

/* The ARGS/RET/OTHERS column (format.lua's args()). */
static int put_args(struct kt_json_buf *b, const void *rec)
{
	switch (((const struct kt_header *)rec)->kind) {
	case KT_EXEC_ENTER:
	case KT_EXEC:
		return put_pair(b, "filename:", rec, KT_F_FILENAME) || put_str(b, " argv:") || put_argv(b, rec);
	case KT_EXEC_EXIT:
		return put_pair(b, "ret:", rec, KT_F_RET);
	case KT_EXIT:
		return put_status(b, rec);
	case KT_FORK:
	case KT_VFORK:
	case KT_THREAD:
		return put_pair(b, "child_pid:", rec, KT_F_CHILD_PID);
	case KT_FORK_EXIT:
	case KT_VFORK_EXIT:
	case KT_THREAD_EXIT:
		return put_pair(b, "child_pid:", rec, KT_F_CHILD_PID) || put_str(b, " ") || put_status(b, rec);
	case KT_ONCPU:
		return put_pair(b, "oncpu_time:", rec, KT_F_TIME);
	case KT_OFFCPU:
		return put_pair(b, "offcpu_time:", rec, KT_F_TIME) || put_pair(b, " state:", rec, KT_F_STATE);
	}
	return 0;
}

/* HH:MM:SS of a monotonic time, local time; strftime once per second. */
static const char *clock_text(struct kt_row_clock *c, int64_t mono_ns, int64_t mono_to_real_ns)
{
	int64_t ns = mono_ns + mono_to_real_ns;
	time_t second = ns / 1000000000;
	struct tm tm;

	if (!c->valid || c->second != second) {
		localtime_r(&second, &tm);
		strftime(c->text, sizeof(c->text), "%H:%M:%S", &tm);
		c->second = second;
		c->valid = true;
	}
	return c->text;
}

int kt_event_row(struct kt_json_buf *b, const void *rec, bool single_thread,
		 int64_t mono_to_real_ns, struct kt_row_clock *clock)
{
	const struct kt_header *h = rec;
	const char *time = clock_text(clock, (int64_t)h->time, mono_to_real_ns);
	struct kt_value name = kt_field_get(rec, KT_F_NAME);
	char lead[128];
	int n;

	if (single_thread)
		n = snprintf(lead, sizeof(lead), "%-10s%-8u%-17.*s", time, h->pid,
			     (int)name.len, name.s);
	else
		n = snprintf(lead, sizeof(lead), "%-10s%-8u%-8u%-17.*s", time, h->tgid, h->pid,
			     (int)name.len, name.s);
	if (n < 0 || (size_t)n >= sizeof(lead))
		return -1;
	return kt_json_raw(b, lead, (size_t)n) || put_args(b, rec);
}
