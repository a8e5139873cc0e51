// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of runtime/script_path.c: the search path for scripts
 * (KEYTIME_PATH, beside the executable, the install folder), finding a
 * script by name, listing stock scripts, and the Lua module path. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "script_path.h"

static char top[256];           /* a fresh temporary folder per test */

static void put(const char *rel)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	for (char *p = path + strlen(top) + 1; (p = strchr(p, '/')); p++) {
		*p = 0;
		mkdir(path, 0755);
		*p = '/';
	}
	assert_non_null(f = fopen(path, "w"));
	fputs("-- test\n", f);
	fclose(f);
}

static const char *at(const char *rel)
{
	static char path[4][512];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, sizeof(path[0]), "%s/%s", top, rel);
	return p;
}

static int setup(void **state)
{
	snprintf(top, sizeof(top), "/tmp/kt-unit-script-path.XXXXXX");
	return mkdtemp(top) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	return system(cmd);
}

static void search_path_order(void **state)
{
	struct kt_search_path sp;

	/* Empty parts of KEYTIME_PATH are skipped, as PATH users expect. */
	kt_search_path_init(&sp, "/a::/b/c:", "/opt/kt/bin", "/usr/share/keytime");
	assert_int_equal(sp.n, 5);
	assert_string_equal(sp.dirs[0], "/a");
	assert_string_equal(sp.dirs[1], "/b/c");
	assert_string_equal(sp.dirs[2], "/opt/kt/bin/scripts");
	assert_string_equal(sp.dirs[3], "/opt/kt/share/keytime/scripts");
	assert_string_equal(sp.dirs[4], "/usr/share/keytime/scripts");

	kt_search_path_init(&sp, NULL, "/opt/kt/bin/", "/d");
	assert_int_equal(sp.n, 3);
	assert_string_equal(sp.dirs[1], "/opt/kt/share/keytime/scripts");

	/* /bin has no parent worth searching; an unknown executable folder adds nothing. */
	kt_search_path_init(&sp, "", "/bin", "/d");
	assert_int_equal(sp.n, 2);
	assert_string_equal(sp.dirs[0], "/bin/scripts");
	assert_string_equal(sp.dirs[1], "/d/scripts");
	kt_search_path_init(&sp, NULL, "", "/d");
	assert_int_equal(sp.n, 1);
}

static void find_by_name(void **state)
{
	struct kt_search_path sp;
	char env[600], out[512], err[2048];

	put("first/x.lua");
	put("second/x.lua");
	put("second/y.lua");
	put("second/alerts/z.lua");
	mkdir(at("second/folder.lua"), 0755);
	snprintf(env, sizeof(env), "%s:%s", at("first"), at("second"));
	kt_search_path_init(&sp, env, NULL, "/nonexistent");

	assert_int_equal(kt_script_find(&sp, "x.lua", out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, at("first/x.lua"));            /* the first folder wins */
	assert_int_equal(kt_script_find(&sp, "y", out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, at("second/y.lua"));           /* .lua may be left out */
	assert_int_equal(kt_script_find(&sp, "alerts/z.lua", out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, at("second/alerts/z.lua"));    /* sub-folders by relative name */

	/* Not found: one line naming the folders searched. */
	assert_int_equal(kt_script_find(&sp, "nope.lua", out, sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot find script nope.lua"));
	assert_non_null(strstr(err, at("second")));
	assert_null(strchr(err, '\n'));
	/* A folder is not a script. */
	assert_int_equal(kt_script_find(&sp, "folder.lua", out, sizeof(out), err, sizeof(err)), -1);
	assert_int_equal(kt_script_find(&sp, "", out, sizeof(out), err, sizeof(err)), -1);
}

static void explicit_and_local_paths(void **state)
{
	struct kt_search_path sp;
	char cwd[512], out[512], err[2048];

	put("lib/x.lua");
	put("here/x.lua");
	put("here/sub/w.lua");
	kt_search_path_init(&sp, at("lib"), NULL, "/nonexistent");
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(at("here")), 0);

	/* A file in the current folder is used as is, before the search path. */
	assert_int_equal(kt_script_find(&sp, "x.lua", out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "x.lua");
	assert_int_equal(kt_script_find(&sp, "sub/w.lua", out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "sub/w.lua");
	/* ./, ../ and / paths are never searched for. */
	assert_int_equal(kt_script_find(&sp, "./missing.lua", out, sizeof(out), err, sizeof(err)), -1);
	assert_string_equal(err, "cannot read script ./missing.lua: No such file or directory");
	assert_int_equal(kt_script_find(&sp, "../lib/x.lua", out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "../lib/x.lua");
	assert_int_equal(kt_script_find(&sp, "./sub", out, sizeof(out), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "it is a folder"));
	assert_int_equal(chdir(cwd), 0);
}

static void list_scripts(void **state)
{
	struct kt_search_path sp;
	char env[600], *text = NULL, expect[4096];
	size_t len = 0;
	FILE *f;

	put("first/b.lua");
	put("second/b.lua");          /* hidden by first/b.lua */
	put("second/a.lua");
	put("second/alerts/c.lua");
	put("second/notes.txt");
	put("second/.hidden.lua");
	snprintf(env, sizeof(env), "%s:%s:%s", at("first"), at("second"), at("missing"));
	kt_search_path_init(&sp, env, NULL, "/nonexistent");

	assert_non_null(f = open_memstream(&text, &len));
	assert_int_equal(kt_script_list(&sp, f), 3);
	fclose(f);
	snprintf(expect, sizeof(expect), "b.lua\t%s\na.lua\t%s\nalerts/c.lua\t%s\n",
		 at("first/b.lua"), at("second/a.lua"), at("second/alerts/c.lua"));
	assert_string_equal(text, expect);
	free(text);
}

static void module_path(void **state)
{
	char out[2048];

	assert_int_equal(kt_module_path(out, sizeof(out), "/opt/kt/bin", "/usr/share/keytime",
					"/home/u/s/foo.lua"), 0);
	assert_string_equal(out,
		"/opt/kt/bin/lua/?.lua;/opt/kt/bin/lua/?/init.lua;"
		"/opt/kt/share/keytime/lua/?.lua;/opt/kt/share/keytime/lua/?/init.lua;"
		"/home/u/s/lua/?.lua;/home/u/s/lua/?/init.lua;"
		"/home/u/s/../lua/?.lua;/home/u/s/../lua/?/init.lua;"
		"/usr/share/keytime/lua/?.lua;/usr/share/keytime/lua/?/init.lua;");

	/* A script in the current folder; no executable folder known. */
	assert_int_equal(kt_module_path(out, sizeof(out), "", "/d", "foo.lua"), 0);
	assert_string_equal(out, "./lua/?.lua;./lua/?/init.lua;./../lua/?.lua;./../lua/?/init.lua;"
			    "/d/lua/?.lua;/d/lua/?/init.lua;");
	/* Too long for the buffer: refused, not cut. */
	assert_int_equal(kt_module_path(out, 40, "/opt/kt/bin", "/d", "/s/foo.lua"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(search_path_order),
		cmocka_unit_test_setup_teardown(find_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(explicit_and_local_paths, setup, teardown),
		cmocka_unit_test_setup_teardown(list_scripts, setup, teardown),
		cmocka_unit_test(module_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
