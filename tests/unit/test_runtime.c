// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the host's pure C parts: option parsing, event names and
 * decoders, kallsyms parsing and lookup, exit statuses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <cmocka.h>
#include "options.h"
#include "events.h"
#include "ksyms.h"
#include "command.h"

static int parse(struct kt_options *o, char *err, const char *args)
{
	char *copy = strdup(args), *argv[32] = { "keytime-run" };
	int argc = 1;
	for (char *t = strtok(copy, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	/* argv strings live in copy, which the test leaks: options point into it */
	return kt_options_parse(o, argc, argv, err, 256);
}

static void options_after_script(void **state)
{
	struct kt_options o;
	char err[256];

	assert_int_equal(parse(&o, err, "scripts/keytime.lua --tgid 3184 --json -f"), 0);
	assert_string_equal(o.script, "scripts/keytime.lua");
	assert_int_equal(o.tgid, 3184);
	assert_true(o.follow);
	assert_int_equal(o.script_argc, 1);
	assert_string_equal(o.script_argv[0], "--json");
	assert_int_equal(o.cpu, 1);
	kt_options_free(&o);
}

static void options_forms(void **state)
{
	struct kt_options o;
	char err[256];

	assert_int_equal(parse(&o, err, "-k 0 --pid=42 -t 1.5 s.lua -- --pid 7"), 0);
	assert_int_equal(o.cpu, 0);
	assert_int_equal(o.pid, 42);
	assert_true(o.duration > 1.49 && o.duration < 1.51);
	assert_int_equal(o.script_argc, 2);
	assert_string_equal(o.script_argv[1], "7");
	kt_options_free(&o);

	assert_int_equal(parse(&o, err, "s.lua --help"), 0);   /* the script's help */
	assert_false(o.help);
	assert_int_equal(o.script_argc, 1);
	kt_options_free(&o);
	assert_int_equal(parse(&o, err, "--help"), 0);
	assert_true(o.help);
	kt_options_free(&o);
}

static void options_errors(void **state)
{
	struct kt_options o;
	char err[256];

	assert_int_equal(parse(&o, err, "s.lua --pid abc"), -1);
	assert_non_null(strstr(err, "thread id"));
	kt_options_free(&o);
	assert_int_equal(parse(&o, err, "s.lua --pid 0"), -1);
	kt_options_free(&o);
	assert_int_equal(parse(&o, err, "s.lua -k 2"), -1);
	kt_options_free(&o);
	assert_int_equal(parse(&o, err, "s.lua --pid 1 --tgid 2"), -1);
	assert_non_null(strstr(err, "one target"));
	kt_options_free(&o);
	assert_int_equal(parse(&o, err, "--bogus s.lua"), -1);
	assert_non_null(strstr(err, "--bogus"));
	kt_options_free(&o);
	assert_int_equal(parse(&o, err, "--tgid 5"), -1);
	assert_non_null(strstr(err, "no script"));
	kt_options_free(&o);
	assert_int_equal(parse(&o, err, "s.lua -t -3"), -1);
	kt_options_free(&o);
}

/* Short options bundle and take values attached, before and after the
 * script; after it, a bundle with a letter keytime-run lacks, or a long
 * name it does not know exactly, is the script's. */
static void options_bundled(void **state)
{
	struct kt_options o;
	char err[256];

	assert_int_equal(parse(&o, err, "-fmp123 -t5 -qvv s.lua -o out.json"), 0);
	assert_true(o.follow);
	assert_true(o.myproc);
	assert_int_equal(o.pid, 123);
	assert_true(o.duration > 4.99 && o.duration < 5.01);
	assert_true(o.quiet);
	assert_int_equal(o.verbose, 2);
	assert_string_equal(o.output, "out.json");
	assert_int_equal(o.script_argc, 0);
	kt_options_free(&o);

	assert_int_equal(parse(&o, err, "s.lua -fP 42 -xf --json --dur 3 -k0 --output=o -h"), 0);
	assert_true(o.follow);
	assert_int_equal(o.tgid, 42);
	assert_int_equal(o.cpu, 0);
	assert_string_equal(o.output, "o");
	assert_false(o.help);
	assert_int_equal(o.script_argc, 5);
	assert_string_equal(o.script_argv[0], "-xf");
	assert_string_equal(o.script_argv[2], "--dur");   /* no abbreviation after the script */
	assert_string_equal(o.script_argv[4], "-h");
	kt_options_free(&o);

	assert_int_equal(parse(&o, err, "--dur 3 s.lua"), 0);   /* before it, GNU abbreviations */
	assert_true(o.duration > 2.99 && o.duration < 3.01);
	kt_options_free(&o);

	assert_int_equal(parse(&o, err, "-fz s.lua"), -1);
	assert_string_equal(err, "unknown option -z (see --help)");
	kt_options_free(&o);
	assert_int_equal(parse(&o, err, "s.lua -ft"), -1);
	assert_string_equal(err, "-t needs a number of seconds above 0 (at most 1000000000)");
	kt_options_free(&o);
	assert_int_equal(parse(&o, err, "-i -o f"), -1);
	kt_options_free(&o);
}

/* -i: the REPL, with or without a script; without one the script is not
 * required, but a script still gets its own arguments. */
static void options_interactive(void **state)
{
	struct kt_options o;
	char err[256];

	assert_int_equal(parse(&o, err, "-i"), 0);
	assert_true(o.interactive);
	assert_null(o.script);
	kt_options_free(&o);

	assert_int_equal(parse(&o, err, "-i --tgid 3184"), 0);
	assert_true(o.interactive);
	assert_int_equal(o.tgid, 3184);
	assert_null(o.script);
	kt_options_free(&o);

	assert_int_equal(parse(&o, err, "--interactive scripts/forktree.lua --depth 2"), 0);
	assert_true(o.interactive);
	assert_string_equal(o.script, "scripts/forktree.lua");
	assert_int_equal(o.script_argc, 2);
	assert_string_equal(o.script_argv[0], "--depth");
	kt_options_free(&o);

	assert_int_equal(parse(&o, err, "s.lua -i"), 0);   /* host options may follow the script */
	assert_true(o.interactive);
	assert_int_equal(o.script_argc, 0);
	kt_options_free(&o);

	assert_int_equal(parse(&o, err, "s.lua -- -i"), 0);
	assert_false(o.interactive);
	assert_int_equal(o.script_argc, 1);
	kt_options_free(&o);

	assert_int_equal(parse(&o, err, "-i --pid 1 --all"), -1);
	assert_non_null(strstr(err, "one target"));
	kt_options_free(&o);
	assert_int_equal(parse(&o, err, "--pid 7"), -1);   /* a script, or -i */
	assert_non_null(strstr(err, "-i"));
	kt_options_free(&o);
	assert_int_equal(parse(&o, err, "-i --replay run.ktr"), -1);
	assert_non_null(strstr(err, "--replay"));
	kt_options_free(&o);
}

static void kind_names(void **state)
{
	assert_string_equal(kt_kind_name(KT_FORK), "fork");
	assert_string_equal(kt_kind_table_name(KT_FORK), "forkP_enter");
	assert_string_equal(kt_kind_table_name(KT_THREAD_EXIT), "createT_exit");
	assert_int_equal(kt_kind_from_name("vforkP_exit"), KT_VFORK_EXIT);
	assert_int_equal(kt_kind_from_name("offcpu"), KT_OFFCPU);
	assert_int_equal(kt_kind_from_name("nope"), 0);
	assert_null(kt_kind_name(0));
	assert_null(kt_kind_name(KT_KIND_MAX));
	assert_int_equal(kt_kind_min_size(KT_ONCPU), sizeof(struct kt_switch));
	for (unsigned k = 1; k < KT_KIND_MAX; k++)
		assert_int_equal(kt_kind_from_name(kt_kind_name(k)), k);
}

static void states_and_signals(void **state)
{
	assert_string_equal(kt_state_letter(0), "R");
	assert_string_equal(kt_state_name(0), "runnable");
	assert_string_equal(kt_state_letter(1), "S");
	assert_string_equal(kt_state_letter(2), "D");
	assert_string_equal(kt_state_letter(0x2102), "D");   /* uninterruptible | freezable bits */
	assert_string_equal(kt_state_letter(0x402), "I");
	assert_string_equal(kt_state_name(0x402), "idle");
	assert_string_equal(kt_signal_name(9), "SIGKILL");
	assert_string_equal(kt_signal_name(15), "SIGTERM");
	assert_null(kt_signal_name(0));
	assert_null(kt_signal_name(200));
}

static void exec_args(void **state)
{
	struct kt_exec_enter *e = calloc(1, sizeof(*e));
	strcpy(&e->args[0], "/bin/true");
	strcpy(&e->args[KT_ARG_LEN], "x y");
	e->argc = 2;
	assert_string_equal(kt_exec_arg(e, 0), "/bin/true");
	assert_string_equal(kt_exec_arg(e, 1), "x y");
	assert_null(kt_exec_arg(e, 2));
	e->argc = 1000;   /* corrupt: never past the buffer */
	assert_null(kt_exec_arg(e, KT_ARGV_MAX));
	free(e);
}

/* KT_EXEC: the new image's argument area, packed; split without trusting it. */
static void exec_packed_args(void **state)
{
	struct kt_exec *e = calloc(1, sizeof(*e));
	const char *argv[8];
	static const char packed[] = "/bin/echo\0a b\0\0last";

	(void)state;
	memcpy(e->args, packed, sizeof(packed) - 1);
	e->args_len = sizeof(packed) - 1;   /* "last" has no NUL: the area was cut */
	assert_int_equal(kt_exec_split_args(e, argv, 8), 4);
	assert_string_equal(argv[0], "/bin/echo");
	assert_string_equal(argv[1], "a b");
	assert_int_equal(kt_exec_arg_len(e, argv[2]), 0);   /* an empty argument */
	assert_int_equal(kt_exec_arg_len(e, argv[3]), 4);
	assert_memory_equal(argv[3], "last", 4);
	assert_int_equal(kt_exec_split_args(e, argv, 2), 2);   /* at most max */
	e->args_len = 0;
	assert_int_equal(kt_exec_split_args(e, argv, 8), 0);
	/* corrupt: a length past the buffer, no NUL anywhere: one argument, in bounds */
	memset(e->args, 'x', sizeof(e->args));
	e->args_len = 1u << 30;
	assert_int_equal(kt_exec_split_args(e, argv, 8), 1);
	assert_int_equal(kt_exec_arg_len(e, argv[0]), KT_ARGS_BUF);
	assert_string_equal(kt_kind_name(KT_EXEC), "exec");
	assert_int_equal(kt_kind_from_name("exec"), KT_EXEC);
	free(e);
}

static void ksyms_lookup(void **state)
{
	const char text[] =
		"ffffffff81000000 T _stext\n"
		"ffffffff81000100 t do_one\n"
		"garbage line\n"
		"ffffffff81000200 D some_data\n"
		"ffffffff81000300 T schedule\n"
		"0000000000000000 A fixed_percpu_data\n";
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct kt_ksyms *k = kt_ksyms_parse(f);
	char buf[128];

	fclose(f);
	assert_non_null(k);
	assert_int_equal(kt_ksyms_count(k), 3);   /* text symbols only */
	assert_string_equal(kt_ksyms_format(k, 0xffffffff81000105ULL, buf, sizeof(buf)), "do_one+0x5");
	assert_string_equal(kt_ksyms_format(k, 0xffffffff81000300ULL, buf, sizeof(buf)), "schedule+0x0");
	assert_string_equal(kt_ksyms_format(k, 0xffffffff81000250ULL, buf, sizeof(buf)), "do_one+0x150");
	assert_string_equal(kt_ksyms_format(k, 0x1000, buf, sizeof(buf)), "0x1000");
	kt_ksyms_free(k);
	assert_string_equal(kt_ksyms_format(NULL, 0x10, buf, sizeof(buf)), "0x10");
}

static void exit_statuses(void **state)
{
	assert_int_equal(kt_command_exit_status(7 << 8), 7);
	assert_int_equal(kt_command_exit_status(9), 128 + 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(options_after_script),
		cmocka_unit_test(options_forms),
		cmocka_unit_test(options_errors),
		cmocka_unit_test(options_interactive),
		cmocka_unit_test(options_bundled),
		cmocka_unit_test(kind_names),
		cmocka_unit_test(states_and_signals),
		cmocka_unit_test(exec_args),
		cmocka_unit_test(exec_packed_args),
		cmocka_unit_test(ksyms_lookup),
		cmocka_unit_test(exit_statuses),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
