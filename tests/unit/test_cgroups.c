// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of runtime/cgroups.c: container ids in cgroup paths, and a
 * systemd unit's cgroup and a path's id found in a made-up cgroup tree
 * (KEYTIME_CGROUP_ROOT: systemd does not run on the test machines). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "cgroups.h"
#include "container_id.h"

#define HEX "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX2 "0123ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"

static void container_ids(void **state)
{
	char id[65];

	assert_string_equal(kt_container_id("/system.slice/docker-" HEX ".scope", id), HEX);
	assert_string_equal(kt_container_id("/libpod_parent/libpod-" HEX, id), HEX);
	assert_string_equal(kt_container_id("/machine.slice/libpod-" HEX ".scope/container", id), HEX);
	assert_string_equal(kt_container_id("/kubepods.slice/kubepods-pod1.slice/crio-" HEX ".scope", id), HEX);
	assert_string_equal(kt_container_id("/kubepods/besteffort/pod1/cri-containerd-" HEX ".scope", id), HEX);
	assert_string_equal(kt_container_id("/docker/" HEX, id), HEX);
	/* not 64 hex digits, upper case, one too many: no container */
	assert_null(kt_container_id("/system.slice/docker-0123.scope", id));
	assert_null(kt_container_id("/docker-0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", id));
	assert_null(kt_container_id("/docker-" HEX "0", id));
	assert_null(kt_container_id("/user.slice/user-1000.slice/session-2.scope", id));
	assert_null(kt_container_id("/", id));
	assert_null(kt_container_id(NULL, id));
}

static char root[PATH_MAX];

static void mk(const char *rel)
{
	char p[PATH_MAX * 2];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

static int tree_up(void **state)
{
	snprintf(root, sizeof(root), "/tmp/kt-unit-cgroups.XXXXXX");
	assert_non_null(mkdtemp(root));
	mk("system.slice");
	mk("system.slice/nginx.service");
	mk("system.slice/cron.service");
	mk("user.slice");
	mk("user.slice/user-1000.slice");
	mk("user.slice/user-1000.slice/app.scope");
	mk("libpod_parent");
	mk("libpod_parent/libpod-" HEX);
	mk("libpod_parent/libpod-" HEX "/container");
	mk("system.slice/docker-" HEX2 ".scope");
	setenv("KEYTIME_CGROUP_ROOT", root, 1);
	return 0;
}

static int tree_down(void **state)
{
	char cmd[PATH_MAX + 16];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	unsetenv("KEYTIME_CGROUP_ROOT");
	return system(cmd);
}

static void units(void **state)
{
	char rel[PATH_MAX], err[256];

	assert_int_equal(kt_unit_cgroup("nginx", rel, sizeof(rel), err, sizeof(err)), 0);
	assert_string_equal(rel, "/system.slice/nginx.service");
	assert_int_equal(kt_unit_cgroup("cron.service", rel, sizeof(rel), err, sizeof(err)), 0);
	assert_string_equal(rel, "/system.slice/cron.service");
	assert_int_equal(kt_unit_cgroup("app.scope", rel, sizeof(rel), err, sizeof(err)), 0);
	assert_string_equal(rel, "/user.slice/user-1000.slice/app.scope");
	assert_int_equal(kt_unit_cgroup("sshd", rel, sizeof(rel), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no cgroup for unit sshd.service"));
	assert_int_equal(kt_unit_cgroup("../etc", rel, sizeof(rel), err, sizeof(err)), -1);
}

static void containers(void **state)
{
	char rel[PATH_MAX], err[256];

	/* a unique prefix: the container's shallowest cgroup */
	assert_int_equal(kt_container_cgroup("01234", rel, sizeof(rel), err, sizeof(err)), 0);
	assert_string_equal(rel, "/libpod_parent/libpod-" HEX);
	assert_int_equal(kt_container_cgroup(HEX, rel, sizeof(rel), err, sizeof(err)), 0);
	assert_string_equal(rel, "/libpod_parent/libpod-" HEX);
	assert_int_equal(kt_container_cgroup("0123f", rel, sizeof(rel), err, sizeof(err)), 0);
	assert_string_equal(rel, "/system.slice/docker-" HEX2 ".scope");
	/* several, none, not hex */
	assert_int_equal(kt_container_cgroup("0123", rel, sizeof(rel), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "0123 matches several containers"));
	assert_int_equal(kt_container_cgroup("abc", rel, sizeof(rel), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no container's cgroup matches abc"));
	assert_int_equal(kt_container_cgroup("xyz", rel, sizeof(rel), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a container id"));
	assert_int_equal(kt_container_cgroup("", rel, sizeof(rel), err, sizeof(err)), -1);
}

static void paths(void **state)
{
	char rel[PATH_MAX], err[256], abs[PATH_MAX * 2];
	uint64_t id;
	struct stat st;

	snprintf(abs, sizeof(abs), "%s/system.slice/nginx.service", root);
	assert_int_equal(stat(abs, &st), 0);
	/* relative, as /proc/PID/cgroup writes it, and absolute */
	assert_int_equal(kt_cgroup_resolve("system.slice/nginx.service", &id, rel, sizeof(rel), err, sizeof(err)), 0);
	assert_int_equal(id, st.st_ino);
	assert_string_equal(rel, "/system.slice/nginx.service");
	assert_int_equal(kt_cgroup_resolve("/system.slice/nginx.service", &id, rel, sizeof(rel), err, sizeof(err)), 0);
	assert_string_equal(rel, "/system.slice/nginx.service");
	assert_int_equal(kt_cgroup_resolve(abs, &id, rel, sizeof(rel), err, sizeof(err)), 0);
	assert_string_equal(rel, "/system.slice/nginx.service");
	/* the id's path is remembered */
	assert_string_equal(kt_cgroup_path(st.st_ino), "/system.slice/nginx.service");
	assert_int_equal(kt_cgroup_resolve("system.slice/none", &id, rel, sizeof(rel), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no such cgroup: system.slice/none"));
	/* out of the tree */
	assert_int_equal(kt_cgroup_resolve("../..", &id, rel, sizeof(rel), err, sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(container_ids),
		cmocka_unit_test_setup_teardown(units, tree_up, tree_down),
		cmocka_unit_test_setup_teardown(paths, tree_up, tree_down),
		cmocka_unit_test_setup_teardown(containers, tree_up, tree_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
