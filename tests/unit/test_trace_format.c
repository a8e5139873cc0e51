// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the trace file code: exec records trimmed and rebuilt
 * (runtime/trace_compact.c), the writer and the streaming reader together,
 * compressed and not (trace_writer.c, trace_reader.c), a version-1 file
 * made by hand, and every truncation of a file giving an error, not a crash. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "trace_format.h"

static uint64_t big[KT_TRACE_MAX_CHUNK / 8];   /* aligned room for any record */

/* A KT_EXEC record as the probes leave it: garbage where nothing was written. */
static void make_exec(struct kt_exec *e, const char *filename, const char *args, size_t args_len)
{
	memset(e, 0xa5, sizeof(*e));
	memset(&e->hdr, 0, sizeof(e->hdr));
	e->hdr.kind = KT_EXEC;
	e->hdr.pid = 42;
	e->hdr.time = 123456789;
	memcpy(e->hdr.comm, "sh", 3);
	e->old_pid = 41;
	e->flags = 0;
	e->reserved = 0;
	strcpy(e->filename, filename);
	memcpy(e->args, args, args_len);
	e->args_len = args_len;
}

static void exec_trimmed_to_what_it_uses(void **state)
{
	static struct kt_exec e, *back = (struct kt_exec *)big;
	static uint8_t out[sizeof(struct kt_exec)];
	const char args[] = "ls\0-l\0/tmp";   /* 11 bytes with the last NUL */
	size_t n, size;

	make_exec(&e, "/usr/bin/ls", args, sizeof(args));
	n = kt_trace_trim(&e, sizeof(e), out);
	assert_int_equal(n, offsetof(struct kt_exec, filename) + strlen("/usr/bin/ls") + 1 + sizeof(args));
	size = kt_trace_untrim(out, n, back, sizeof(big));
	assert_int_equal(size, sizeof(struct kt_exec));
	assert_memory_equal(back, &e, offsetof(struct kt_exec, filename));
	assert_string_equal(back->filename, "/usr/bin/ls");
	assert_memory_equal(back->args, args, sizeof(args));
	/* Where the probes left garbage, zeros. */
	for (size_t i = strlen("/usr/bin/ls"); i < KT_FILENAME_LEN; i++)
		assert_int_equal(back->filename[i], 0);
	for (size_t i = sizeof(args); i < KT_ARGS_BUF; i++)
		assert_int_equal(back->args[i], 0);
}

static void exec_full_name_and_args(void **state)
{
	static struct kt_exec e, *back = (struct kt_exec *)big;
	static uint8_t out[sizeof(struct kt_exec)];
	static char args[KT_ARGS_BUF];
	size_t n;

	/* The longest filename (NUL at the last byte) and a full argument block:
	 * nothing to trim, kept whole. */
	make_exec(&e, "", "", 0);
	memset(e.filename, 'f', KT_FILENAME_LEN - 1);
	e.filename[KT_FILENAME_LEN - 1] = 0;
	memset(args, 'a', sizeof(args));
	memcpy(e.args, args, sizeof(args));
	e.args_len = KT_ARGS_BUF;
	n = kt_trace_trim(&e, sizeof(e), out);
	assert_int_equal(n, sizeof(e));
	assert_int_equal(kt_trace_untrim(out, n, back, sizeof(big)), sizeof(e));
	assert_memory_equal(back, &e, sizeof(e));

	/* A filename with no NUL in its 256 bytes comes back the same. */
	make_exec(&e, "", "x", 2);
	memset(e.filename, 'g', KT_FILENAME_LEN);
	n = kt_trace_trim(&e, sizeof(e), out);
	assert_true(n < sizeof(e));
	assert_int_equal(kt_trace_untrim(out, n, back, sizeof(big)), sizeof(e));
	assert_memory_equal(back->filename, e.filename, KT_FILENAME_LEN);
	assert_string_equal(back->args, "x");
}

static void exec_enter_trimmed(void **state)
{
	static struct kt_exec_enter e, *back = (struct kt_exec_enter *)big;
	static uint8_t out[sizeof(struct kt_exec_enter)];
	size_t n;

	memset(&e, 0x5a, sizeof(e));
	memset(&e.hdr, 0, sizeof(e.hdr));
	e.hdr.kind = KT_EXEC_ENTER;
	e.argc = 3;
	e.flags = KT_EXEC_ARGV_TRUNCATED;
	strcpy(e.filename, "/bin/echo");
	strcpy(&e.args[0], "echo");
	strcpy(&e.args[KT_ARG_LEN], "");
	memset(&e.args[2 * KT_ARG_LEN], 'z', KT_ARG_LEN);   /* a slot with no NUL */
	n = kt_trace_trim(&e, sizeof(e), out);
	assert_int_equal(n, offsetof(struct kt_exec_enter, filename) + 10 + 5 + 1 + KT_ARG_LEN + 1);
	assert_int_equal(kt_trace_untrim(out, n, back, sizeof(big)), sizeof(e));
	assert_int_equal(back->argc, 3);
	assert_int_equal(back->flags, KT_EXEC_ARGV_TRUNCATED);
	assert_string_equal(back->filename, "/bin/echo");
	assert_string_equal(&back->args[0], "echo");
	assert_string_equal(&back->args[KT_ARG_LEN], "");
	assert_memory_equal(&back->args[2 * KT_ARG_LEN], &e.args[2 * KT_ARG_LEN], KT_ARG_LEN);
	assert_int_equal(back->args[3 * KT_ARG_LEN], 0);
}

static void bad_encodings_refused(void **state)
{
	static struct kt_exec e;
	static uint8_t out[sizeof(struct kt_exec)];
	const char args[] = "a\0b";
	size_t n;

	make_exec(&e, "/a", args, sizeof(args));
	n = kt_trace_trim(&e, sizeof(e), out);
	assert_int_equal(kt_trace_untrim(out, n - 1, big, sizeof(big)), 0);   /* args short */
	e.args_len = 1;
	n = kt_trace_trim(&e, sizeof(e), out);
	assert_int_equal(kt_trace_untrim(out, n + 1, big, sizeof(big)), 0);   /* args long */
	memset(out + offsetof(struct kt_exec, filename), 'x', 40);            /* no NUL left */
	assert_int_equal(kt_trace_untrim(out, offsetof(struct kt_exec, filename) + 40, big, sizeof(big)), 0);
	assert_int_equal(kt_trace_untrim(out, 3, big, sizeof(big)), 0);       /* no header */
}

static void other_kinds_as_they_are(void **state)
{
	struct kt_exit x = { .hdr = { .kind = KT_EXIT, .pid = 7 }, .exit_code = 3 };
	uint8_t out[sizeof(x)];

	assert_int_equal(kt_trace_trim(&x, sizeof(x), out), sizeof(x));
	assert_memory_equal(out, &x, sizeof(x));
	assert_int_equal(kt_trace_untrim(out, sizeof(x), big, sizeof(big)), sizeof(x));
	assert_memory_equal(big, &x, sizeof(x));
}

/* ---- writer and reader -------------------------------------------------- */

struct got {
	int events, stacks, ends;
	char info[256];
	uint64_t last_time;
	char argv0[16];
	char frame[32];
	uint64_t lost_exit;
};

static int on_info(void *arg, const char *key, const char *value)
{
	struct got *g = arg;
	size_t n = strlen(g->info);

	snprintf(g->info + n, sizeof(g->info) - n, "%s=%s;", key, value);
	return 0;
}

static int on_event(void *arg, const void *rec, size_t size)
{
	struct got *g = arg;
	const struct kt_header *h = rec;

	g->events++;
	g->last_time = h->time;
	if (h->kind == KT_EXEC)
		memcpy(g->argv0, ((const struct kt_exec *)rec)->args, sizeof(g->argv0) - 1);
	return 0;
}

static int on_stack(void *arg, int32_t id, const char *const *frames, int n)
{
	struct got *g = arg;

	g->stacks++;
	if (n > 1)
		snprintf(g->frame, sizeof(g->frame), "%d:%s", id, frames[1]);
	return 0;
}

static int on_end(void *arg, const struct kt_trace_end *end)
{
	struct got *g = arg;

	g->ends++;
	g->lost_exit = end->lost[KT_EXIT];
	return 0;
}

#define N_EVENTS 5000

static void write_file(const char *path, int level)
{
	static struct kt_exec e;
	const char *frames[] = { "__schedule+0x1", "schedule+0x2" };
	struct kt_trace_end end = { .end_ns = 99 };
	struct kt_trace_writer *w;
	char err[256];

	end.lost[KT_EXIT] = 4;
	w = kt_trace_create(path, "keytime=test\nhost=h\n", level, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(kt_trace_write_stack(w, 12, frames, 2), 0);
	for (int i = 0; i < N_EVENTS; i++) {
		make_exec(&e, "/bin/true", "true", 5);
		e.hdr.time = 1000 + i;
		assert_int_equal(kt_trace_write_event(w, &e, sizeof(e)), 0);
		if (i == N_EVENTS / 2)
			assert_int_equal(kt_trace_flush(w), 0);
	}
	assert_int_equal(kt_trace_finish(w, &end), 0);
}

static int read_file(const char *path, struct got *g, char *err, size_t errlen)
{
	struct kt_trace_callbacks cb = { .info = on_info, .event = on_event, .stack = on_stack, .end = on_end, .arg = g };
	struct kt_trace_reader *r;
	FILE *f = fopen(path, "rb");
	int res;

	assert_non_null(f);
	memset(g, 0, sizeof(*g));
	if (!(r = kt_trace_open(f, &cb, err, errlen)))
		return -2;
	res = kt_trace_read(r, &cb, err, errlen);
	kt_trace_close(r);
	return res;
}

static long file_size(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return n;
}

static void round_trip(void **state)
{
	char path[] = "/tmp/kt-trace-unit.XXXXXX", err[256];
	struct got g;
	long plain, packed;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	for (int level = 0; level <= 3; level += 3) {
		write_file(path, level);
		assert_int_equal(read_file(path, &g, err, sizeof(err)), 0);
		assert_string_equal(g.info, "keytime=test;host=h;");
		assert_int_equal(g.events, N_EVENTS);
		assert_int_equal(g.stacks, 1);
		assert_string_equal(g.frame, "12:schedule+0x2");
		assert_int_equal(g.ends, 1);
		assert_int_equal(g.lost_exit, 4);
		assert_int_equal(g.last_time, 1000 + N_EVENTS - 1);
		assert_string_equal(g.argv0, "true");
		if (level)
			packed = file_size(path);
		else
			plain = file_size(path);
	}
	/* Trimmed: far below whole records; zstd: smaller again. */
	assert_true(plain < N_EVENTS * (long)sizeof(struct kt_exec) / 10);
	assert_true(packed < plain / 4);
	unlink(path);
}

/* Every cut of a file, compressed or not: an error naming a byte offset,
 * the events before it delivered, never a crash or a hang. */
static void every_truncation(void **state)
{
	char path[] = "/tmp/kt-trace-unit.XXXXXX", cut[] = "/tmp/kt-trace-cut.XXXXXX", err[256];
	int fd = mkstemp(path), fd2 = mkstemp(cut);
	static uint8_t buf[1 << 20];
	struct got g;

	assert_true(fd >= 0 && fd2 >= 0);
	close(fd);
	close(fd2);
	for (int level = 0; level <= 3; level += 3) {
		FILE *f;
		size_t len;
		write_file(path, level);
		f = fopen(path, "rb");
		len = fread(buf, 1, sizeof(buf), f);
		fclose(f);
		assert_true(len < sizeof(buf));
		for (size_t n = 0; n < len; n += (n < 200 ? 1 : 97)) {
			f = fopen(cut, "wb");
			fwrite(buf, 1, n, f);
			fclose(f);
			int r = read_file(cut, &g, err, sizeof(err));
			assert_true(r == -1 || r == -2);
			assert_non_null(strstr(err, "byte offset"));
			assert_int_equal(g.ends, 0);
		}
	}
	unlink(path);
	unlink(cut);
}

/* A version-1 file as keytime wrote it before version 2: whole records, no
 * compression field. */
static void version_1(void **state)
{
	static uint8_t buf[sizeof(struct kt_exec) + 256];
	static struct kt_exec e;
	struct kt_trace_end end = { .end_ns = 5 };
	const char info[] = "keytime=0.0.1\n";
	uint32_t u;
	size_t n = 0;
	struct got g;
	struct kt_trace_callbacks cb = { .info = on_info, .event = on_event, .stack = on_stack, .end = on_end, .arg = &g };
	char err[256];

	memcpy(buf, KT_TRACE_MAGIC, 8), n = 8;
	u = 1, memcpy(buf + n, &u, 4), n += 4;
	u = sizeof(info) - 1, memcpy(buf + n, &u, 4), n += 4;
	memcpy(buf + n, info, sizeof(info) - 1), n += sizeof(info) - 1;
	make_exec(&e, "/bin/v1", "v1", 3);
	/* its header as it was then: it ended at comm */
	const size_t old_head = offsetof(struct kt_header, cgroup_id);
	const size_t old_size = sizeof(e) - (sizeof(struct kt_header) - old_head);
	u = KT_CHUNK_EVENT, memcpy(buf + n, &u, 4), n += 4;
	u = old_size, memcpy(buf + n, &u, 4), n += 4;
	memcpy(buf + n, &e, old_head);
	memcpy(buf + n + old_head, (const char *)&e + sizeof(struct kt_header), sizeof(e) - sizeof(struct kt_header));
	n += old_size;
	u = KT_CHUNK_END, memcpy(buf + n, &u, 4), n += 4;
	u = sizeof(end), memcpy(buf + n, &u, 4), n += 4;
	memcpy(buf + n, &end, sizeof(end)), n += sizeof(end);

	memset(&g, 0, sizeof(g));
	assert_int_equal(kt_trace_parse(buf, n, &cb, err, sizeof(err)), 0);
	assert_string_equal(g.info, "keytime=0.0.1;");
	assert_int_equal(g.events, 1);
	assert_string_equal(g.argv0, "v1");
	assert_int_equal(g.ends, 1);
	/* A version-1 event is whole: a short exec record there is corrupt. */
	u = 100, memcpy(buf + 8 + 8 + sizeof(info) - 1 + 4, &u, 4);
	assert_int_equal(kt_trace_parse(buf, 8 + 8 + sizeof(info) - 1 + 8 + 100, &cb, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "corrupt event at byte offset"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exec_trimmed_to_what_it_uses),
		cmocka_unit_test(exec_full_name_and_args),
		cmocka_unit_test(exec_enter_trimmed),
		cmocka_unit_test(bad_encodings_refused),
		cmocka_unit_test(other_kinds_as_they_are),
		cmocka_unit_test(round_trip),
		cmocka_unit_test(every_truncation),
		cmocka_unit_test(version_1),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
