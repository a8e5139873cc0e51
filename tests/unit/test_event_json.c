// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the JSON encoder of event records (runtime/event_json.c):
 * key order per kind, exact integers, string escapes, invalid UTF-8, the
 * kstack only when there are frames. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>
#include "events.h"
#include "event_fields.h"
#include "event_json.h"

static struct kt_json_buf buf;

static const char *encode(const void *rec)
{
	buf.len = 0;
	assert_int_equal(kt_event_json(&buf, rec, NULL, NULL), 0);
	assert_int_equal(kt_json_string(&buf, "", 0), 0);   /* room for the NUL below */
	buf.data[buf.len - 2] = 0;
	return buf.data;
}

static const char *string_of(const char *s, size_t len)
{
	buf.len = 0;
	assert_int_equal(kt_json_string(&buf, s, len), 0);
	assert_int_equal(kt_json_int(&buf, 0), 0);
	buf.data[buf.len - 1] = 0;
	return buf.data;
}

static void header(struct kt_header *h, unsigned kind, const char *comm)
{
	memset(h, 0, sizeof(*h));
	h->time = 1234567890123456789ULL;   /* past what a double holds to the ns */
	h->kind = kind;
	h->cpu = 1;
	h->pid = 11;
	h->tgid = 10;
	h->ppid = 9;
	memcpy(h->comm, comm, strnlen(comm, KT_COMM_LEN));
}

static void fork_in_order(void **state)
{
	struct kt_child c;

	header(&c.hdr, KT_FORK, "sh");
	c.child_pid = 12;
	c.child_tgid = 12;
	c.clone_flags = 0x1200011;
	assert_string_equal(encode(&c),
		"{\"event\":\"forkP_enter\",\"time\":1234567890123456789,\"pid\":11,\"tgid\":10,\"ppid\":9,"
		"\"comm\":\"sh\",\"cpu\":1,\"kind\":\"fork\",\"uid\":0,\"gid\":0,\"cgroup_id\":0,\"nspid\":0,\"nstgid\":0,\"pidns\":0,\"child_pid\":12,\"child_tgid\":12,"
		"\"clone_flags\":18874385}");
}

#define CONTAINER "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char *fake_cgroup_path(uint64_t id)
{
	return id == 7 ? "/libpod_parent/libpod-" CONTAINER : id == 8 ? "/user.slice" : NULL;
}

/* Who the thread is: after the leading keys; the cgroup's path and the
 * container id only when the host knows them. */
static void identity(void **state)
{
	struct kt_exec_exit x;

	header(&x.hdr, KT_EXEC_EXIT, "sh");
	x.ret = 0;
	x.hdr.uid = 65534;
	x.hdr.gid = 65533;
	x.hdr.cgroup_id = 7;
	x.hdr.nspid = 2;
	x.hdr.nstgid = 1;
	x.hdr.pidns = 4026532177u;
	kt_fields_set_cgroup_path(fake_cgroup_path);
	assert_non_null(strstr(encode(&x),
		"\"kind\":\"exec_exit\",\"uid\":65534,\"gid\":65533,\"cgroup_id\":7,"
		"\"cgroup\":\"/libpod_parent/libpod-" CONTAINER "\",\"container_id\":\"" CONTAINER "\","
		"\"nspid\":2,\"nstgid\":1,\"pidns\":4026532177,\"ret\":0}"));
	x.hdr.cgroup_id = 8;
	assert_non_null(strstr(encode(&x), "\"cgroup_id\":8,\"cgroup\":\"/user.slice\",\"nspid\":2,"));
	x.hdr.cgroup_id = 9;   /* unknown: no path, no container */
	assert_non_null(strstr(encode(&x), "\"cgroup_id\":9,\"nspid\":2,"));
	x.hdr.cgroup_id = 7;   /* the container again, after two without one */
	assert_non_null(strstr(encode(&x), "\"container_id\":\"" CONTAINER "\","));
	x.hdr.cgroup_id = 8;
	assert_null(strstr(encode(&x), "container_id"));
	kt_fields_set_cgroup_path(NULL);
}

static void exit_integers_and_booleans(void **state)
{
	struct kt_exit x;

	header(&x.hdr, KT_EXIT, "a comm of 16 by");   /* 15 bytes and the NUL */
	memcpy(x.hdr.comm, "sixteen_bytes_xx", KT_COMM_LEN);    /* no NUL at all */
	x.exit_code = -1;
	x.signal = 9;
	x.core_dumped = 1;
	x.group_dead = 0;
	x.start_time = x.hdr.time - 5;
	assert_string_equal(encode(&x),
		"{\"event\":\"exit\",\"time\":1234567890123456789,\"pid\":11,\"tgid\":10,\"ppid\":9,"
		"\"comm\":\"sixteen_bytes_xx\",\"cpu\":1,\"kind\":\"exit\",\"uid\":0,\"gid\":0,\"cgroup_id\":0,\"nspid\":0,\"nstgid\":0,\"pidns\":0,\"core_dumped\":true,"
		"\"exit_code\":-1,\"group_dead\":false,\"lifetime\":5,\"signal\":9,"
		"\"start_time\":1234567890123456784}");
}

static int two_frames(void *ctx, const struct kt_value *v, const char *frames[KT_STACK_DEPTH])
{
	if (v->i < 0)
		return 0;
	frames[0] = "schedule+0x1";
	frames[1] = "pipe_read+0x2";
	return 2;
}

static void offcpu_kstack_only_with_frames(void **state)
{
	struct kt_switch w;

	header(&w.hdr, KT_OFFCPU, "w");
	w.stack_id = -1;
	w.ustack = KT_USTACK_NOT_ASKED;
	w.state = 1;
	w.runtime = UINT64_MAX;   /* read as Lua reads it: a wrapped integer */
	buf.len = 0;
	assert_int_equal(kt_event_json(&buf, &w, two_frames, NULL), 0);
	assert_int_equal(kt_json_int(&buf, 0), 0);
	buf.data[buf.len - 1] = 0;
	assert_string_equal(buf.data,
		"{\"event\":\"offCPU\",\"time\":1234567890123456789,\"pid\":11,\"tgid\":10,\"ppid\":9,"
		"\"comm\":\"w\",\"cpu\":1,\"kind\":\"offcpu\",\"uid\":0,\"gid\":0,\"cgroup_id\":0,\"nspid\":0,\"nstgid\":0,\"pidns\":0,\"runtime\":-1,\"stack_id\":-1,"
		"\"state\":\"S\",\"state_code\":1,\"state_name\":\"sleeping\"}");
	w.stack_id = 3;
	buf.len = 0;
	assert_int_equal(kt_event_json(&buf, &w, two_frames, NULL), 0);
	assert_int_equal(kt_json_int(&buf, 0), 0);
	buf.data[buf.len - 1] = 0;
	assert_non_null(strstr(buf.data, ",\"kstack\":[\"schedule+0x1\",\"pipe_read+0x2\"],\"runtime\":-1,"));
	/* asked for: a ustack key, last of the kind's sorted fields */
	w.ustack = 5;
	buf.len = 0;
	assert_int_equal(kt_event_json(&buf, &w, two_frames, NULL), 0);
	assert_int_equal(kt_json_int(&buf, 0), 0);
	buf.data[buf.len - 1] = 0;
	assert_non_null(strstr(buf.data, ",\"ustack\":[\"schedule+0x1\",\"pipe_read+0x2\"]}"));
}

static void exec_argv(void **state)
{
	static struct kt_exec x;
	static const char args[] = "/bin/echo\0a \"q\"\0\xff";

	header(&x.hdr, KT_EXEC, "echo");
	x.old_pid = 11;
	x.flags = KT_EXEC_ARGV_TRUNCATED;
	strcpy(x.filename, "/bin/echo");
	memcpy(x.args, args, sizeof(args) - 1);
	x.args_len = sizeof(args) - 1;   /* the last one cut short, no NUL */
	assert_non_null(strstr(encode(&x),
		"\"kind\":\"exec\",\"uid\":0,\"gid\":0,\"cgroup_id\":0,\"nspid\":0,\"nstgid\":0,\"pidns\":0,\"argc\":3,\"argv\":[\"/bin/echo\",\"a \\\"q\\\"\",\"\\ufffd\"],"
		"\"argv_truncated\":true,\"filename\":\"/bin/echo\",\"old_pid\":11}"));
}

static void escapes(void **state)
{
	assert_string_equal(string_of("a\"b\\c/d", 7), "\"a\\\"b\\\\c/d\"");
	assert_string_equal(string_of("\b\f\n\r\t", 5), "\"\\b\\f\\n\\r\\t\"");
	assert_string_equal(string_of("\x01\x1f\x7f", 3), "\"\\u0001\\u001f\\u007f\"");
	assert_string_equal(string_of("a\0b", 3), "\"a\\u0000b\"");
}

static void utf8(void **state)
{
	/* valid: 2, 3 and 4 bytes, copied as they are */
	assert_string_equal(string_of("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9), "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
	/* each byte of an invalid sequence: a lone continuation, a cut sequence,
	 * an overlong form, a surrogate, past U+10FFFF */
	assert_string_equal(string_of("\x80", 1), "\"\\ufffd\"");
	assert_string_equal(string_of("\xe2\x82" "b", 3), "\"\\ufffd\\ufffdb\"");
	assert_string_equal(string_of("\xc0\xaf", 2), "\"\\ufffd\\ufffd\"");
	assert_string_equal(string_of("\xed\xa0\x80", 3), "\"\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(string_of("\xf4\x90\x80\x80", 4), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");
	assert_string_equal(string_of("x\xe2", 2), "\"x\\ufffd\"");
}

static void integers(void **state)
{
	buf.len = 0;
	assert_int_equal(kt_json_int(&buf, INT64_MIN), 0);
	assert_int_equal(kt_json_int(&buf, 0), 0);
	assert_int_equal(kt_json_int(&buf, INT64_MAX), 0);
	assert_int_equal(kt_json_string(&buf, "", 0), 0);
	buf.data[buf.len - 2] = 0;
	assert_string_equal(buf.data, "-922337203685477580809223372036854775807");
}

/* The Lua object and the encoder read one table: every field a kind lists
 * is one the record has. */
static void every_listed_field_has_a_value(void **state)
{
	static union { struct kt_exec x; struct kt_exec_enter xe; struct kt_exit e; } rec;

	for (unsigned k = 1; k < KT_KIND_MAX; k++) {
		memset(&rec, 0, sizeof(rec));
		((struct kt_header *)&rec)->kind = k;
		if (k == KT_OFFCPU)   /* ustack only when asked for (1: its id 0) */
			((struct kt_switch *)&rec)->ustack = 1;
		if (k == KT_WAKEUP)
			((struct kt_wakeup *)&rec)->ustack = 1;
		for (const enum kt_field *f = kt_common_fields; *f; f++)
			if (*f != KT_F_CGROUP && *f != KT_F_CONTAINER_ID)   /* when known (identity) */
				assert_int_not_equal(kt_field_get(&rec, *f).type, KT_V_NONE);
		for (const enum kt_field *f = kt_kind_fields(k); *f; f++) {
			assert_int_not_equal(kt_field_get(&rec, *f).type, KT_V_NONE);
			assert_non_null(kt_field_name(*f));
		}
	}
	assert_int_equal(kt_field_get(&rec, KT_F_CHILD_PID).type, KT_V_NONE);   /* an exec has none */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fork_in_order),
		cmocka_unit_test(identity),
		cmocka_unit_test(exit_integers_and_booleans),
		cmocka_unit_test(offcpu_kstack_only_with_frames),
		cmocka_unit_test(exec_argv),
		cmocka_unit_test(escapes),
		cmocka_unit_test(utf8),
		cmocka_unit_test(integers),
		cmocka_unit_test(every_listed_field_has_a_value),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);

	kt_json_buf_free(&buf);
	return r;
}
