// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of runtime/trust.c: who may own and write a script root runs
 * and the folders above it, on a made-up file system and user database;
 * then the real lookups on a temporary folder of the user running them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include "trust.h"

/* ---- a made-up system ----------------------------------------------------- */

struct fake_file { const char *path; uid_t uid; gid_t gid; mode_t mode; int acl; };
struct fake_user { uid_t uid; gid_t gid; const char *name; };
struct fake_group { gid_t gid; const char *name; const char *members[4]; };

static const struct fake_user users[] = {
	{ 0, 0, "root" }, { 1000, 1000, "alice" }, { 1001, 1001, "bob" },
	{ 1002, 100, "carol" }, { 1003, 100, "dave" },
};
/* members as the system lookup gives them: listed, then by primary group */
static const struct fake_group groups[] = {
	{ 0, "root", { "root" } }, { 1000, "alice", { "alice" } }, { 1001, "bob", { "bob" } },
	{ 50, "staff", { "alice", "bob" } }, { 60, "empty", { NULL } },
	{ 100, "users", { "carol", "dave" } },
};
static struct fake_file files[16];
static int nfiles;

static void file(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	files[nfiles++] = (struct fake_file){ path, uid, gid, mode, 0 };
}

static struct fake_file *find(const char *path)
{
	for (int i = 0; i < nfiles; i++)
		if (!strcmp(files[i].path, path))
			return &files[i];
	return NULL;
}

static int fake_stat(const char *path, struct stat *st)
{
	struct fake_file *f = find(path);

	if (!f) {
		errno = ENOENT;
		return -1;
	}
	memset(st, 0, sizeof(*st));
	st->st_uid = f->uid;
	st->st_gid = f->gid;
	st->st_mode = f->mode;
	return 0;
}

static int fake_user(uid_t uid, struct kt_trust_user *u)
{
	for (size_t i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		if (users[i].uid == uid) {
			u->gid = users[i].gid;
			snprintf(u->name, sizeof(u->name), "%s", users[i].name);
			return 0;
		}
	return -1;
}

static int fake_group(gid_t gid, struct kt_trust_group *g)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].gid == gid) {
			snprintf(g->name, sizeof(g->name), "%s", groups[i].name);
			for (g->n = 0; groups[i].members[g->n]; g->n++)
				snprintf(g->members[g->n], sizeof(g->members[0]), "%s", groups[i].members[g->n]);
			return 0;
		}
	return -1;
}

static int fake_acl(const char *path)
{
	struct fake_file *f = find(path);
	return f && f->acl;
}

static const struct kt_trust_lookup fake = {
	.stat = fake_stat, .user = fake_user, .group = fake_group, .has_acl = fake_acl,
};

#define DIR_ S_IFDIR
#define REG_ S_IFREG

/* /, /home, /home/alice (alice's), and a clone made with umask 002 in it. */
static int setup(void **state)
{
	nfiles = 0;
	file("/", 0, 0, DIR_ | 0755);
	file("/home", 0, 0, DIR_ | 0755);
	file("/home/alice", 1000, 1000, DIR_ | 0750);
	file("/home/alice/keytime", 1000, 1000, DIR_ | 0775);
	file("/home/alice/keytime/scripts", 1000, 1000, DIR_ | 0775);
	file("/home/alice/keytime/scripts/keytime.lua", 1000, 1000, REG_ | 0664);
	file("/tmp", 0, 0, DIR_ | 01777);
	file("/tmp/s.lua", 1000, 1000, REG_ | 0644);
	return 0;
}

static char why[1024];

static int check(const char *path, uid_t invoker)
{
	why[0] = 0;
	return kt_trust_check(path, invoker, &fake, why, sizeof(why));
}

#define CLONE "/home/alice/keytime/scripts/keytime.lua"

/* ---- the rules -------------------------------------------------------------- */

static void umask_002_clone_of_the_invoking_user(void **state)
{
	assert_int_equal(check(CLONE, 1000), 0);
	assert_string_equal(why, "");
}

static void umask_022_tree_of_root(void **state)
{
	nfiles = 0;
	file("/", 0, 0, DIR_ | 0755);
	file("/opt", 0, 0, DIR_ | 0755);
	file("/opt/s.lua", 0, 0, REG_ | 0644);
	assert_int_equal(check("/opt/s.lua", 0), 0);
	assert_int_equal(check("/opt/s.lua", 1000), 0);   /* root's files: anyone's sudo */
}

static void umask_002_tree_of_root(void **state)
{
	nfiles = 0;
	file("/", 0, 0, DIR_ | 0755);
	file("/opt", 0, 0, DIR_ | 0775);
	file("/opt/s.lua", 0, 0, REG_ | 0664);
	assert_int_equal(check("/opt/s.lua", 0), 0);
}

static void owned_by_someone_else(void **state)
{
	/* alice's clone, but root runs it without sudo: alice is not invoking */
	assert_int_equal(check(CLONE, 0), -1);
	assert_string_equal(why, CLONE " is owned by uid 1000 (alice), not root or the invoking user");
	/* bob runs it */
	assert_int_equal(check(CLONE, 1001), -1);
	/* a uid with no user */
	find("/home/alice/keytime/scripts")->uid = 4321;
	assert_int_equal(check(CLONE, 1000), -1);
	assert_string_equal(why, "/home/alice/keytime/scripts is owned by uid 4321, not root or the invoking user");
}

static void group_with_other_members(void **state)
{
	find(CLONE)->gid = 50;
	assert_int_equal(check(CLONE, 1000), -1);
	assert_string_equal(why, CLONE " is writable by group staff (members: alice, bob)");
	find(CLONE)->mode = REG_ | 0644;     /* not group-writable: the group does not matter */
	assert_int_equal(check(CLONE, 1000), 0);
}

static void folder_writable_by_a_shared_group(void **state)
{
	find("/home/alice/keytime")->gid = 50;
	assert_int_equal(check(CLONE, 1000), -1);
	assert_string_equal(why, "/home/alice/keytime is writable by group staff (members: alice, bob)");
}

static void group_others_have_as_primary(void **state)
{
	/* carol's primary group is users, and dave's too: not private */
	nfiles = 0;
	file("/", 0, 0, DIR_ | 0755);
	file("/home", 0, 0, DIR_ | 0755);
	file("/home/c.lua", 1002, 100, REG_ | 0664);
	assert_int_equal(check("/home/c.lua", 1002), -1);
	assert_string_equal(why, "/home/c.lua is writable by group users (members: carol, dave)");
}

static void group_not_the_owners_own(void **state)
{
	find(CLONE)->gid = 60;          /* nobody in it, yet not alice's group */
	assert_int_equal(check(CLONE, 1000), -1);
	assert_string_equal(why, CLONE " is writable by group empty, which is not the private group of its owner alice");
	find(CLONE)->gid = 1001;        /* bob's private group */
	assert_int_equal(check(CLONE, 1000), -1);
	assert_string_equal(why, CLONE " is writable by group bob (members: bob)");
	find(CLONE)->gid = 777;         /* no such group */
	assert_int_equal(check(CLONE, 1000), -1);
	assert_string_equal(why, CLONE " is writable by group 777, which has no entry in the group database");
}

static void owner_with_no_user_entry(void **state)
{
	find(CLONE)->uid = 4444;
	assert_int_equal(check(CLONE, 4444), -1);
	assert_string_equal(why, CLONE " is writable by group alice, and its owner uid 4444 has no entry in the user database");
	find(CLONE)->mode = REG_ | 0644;   /* the file passes, alice's folders do not */
	assert_int_equal(check(CLONE, 4444), -1);
	assert_string_equal(why, "/home/alice/keytime/scripts is owned by uid 1000 (alice), not root or the invoking user");
}

static void world_writable(void **state)
{
	find(CLONE)->mode = REG_ | 0666;
	assert_int_equal(check(CLONE, 1000), -1);
	assert_string_equal(why, CLONE " is writable by everyone");
	find(CLONE)->mode = REG_ | 01666;   /* the sticky bit means nothing on a file */
	assert_int_equal(check(CLONE, 1000), -1);
	find(CLONE)->mode = REG_ | 0644;
	find("/home/alice/keytime")->mode = DIR_ | 0777;
	assert_int_equal(check(CLONE, 1000), -1);
	assert_string_equal(why, "/home/alice/keytime is a folder writable by everyone, without the sticky bit");
	find("/home/alice/keytime")->mode = DIR_ | 01777;   /* like /tmp */
	assert_int_equal(check(CLONE, 1000), 0);
}

static void sticky_tmp(void **state)
{
	assert_int_equal(check("/tmp/s.lua", 1000), 0);
	find("/tmp/s.lua")->mode = REG_ | 0646;
	assert_int_equal(check("/tmp/s.lua", 1000), -1);
	assert_string_equal(why, "/tmp/s.lua is writable by everyone");
}

static void the_file_is_reported_first(void **state)
{
	find(CLONE)->mode = REG_ | 0666;
	find("/home")->mode = DIR_ | 0777;
	assert_int_equal(check(CLONE, 1000), -1);
	assert_string_equal(why, CLONE " is writable by everyone");
	find(CLONE)->mode = REG_ | 0644;
	assert_int_equal(check(CLONE, 1000), -1);
	assert_string_equal(why, "/home is a folder writable by everyone, without the sticky bit");
	find("/home")->mode = DIR_ | 0755;
	find("/")->uid = 1001;          /* up to / itself */
	assert_int_equal(check(CLONE, 1000), -1);
	assert_string_equal(why, "/ is owned by uid 1001 (bob), not root or the invoking user");
}

static void acl_beside_group_write(void **state)
{
	find(CLONE)->acl = 1;
	assert_int_equal(check(CLONE, 1000), -1);
	assert_string_equal(why, CLONE " has an access ACL that may let other users write it");
	find(CLONE)->mode = REG_ | 0644;   /* the mask allows no writing */
	assert_int_equal(check(CLONE, 1000), 0);
}

static void paths(void **state)
{
	assert_int_equal(check("/home/alice/nothere.lua", 1000), -1);
	assert_string_equal(why, "cannot check /home/alice/nothere.lua: No such file or directory");
	assert_int_equal(check("scripts/keytime.lua", 1000), -1);
	assert_string_equal(why, "cannot check scripts/keytime.lua: not an absolute path");
	file("/home/alice/keytime/scripts/x/", 1000, 1000, DIR_ | 0755);   /* trailing slashes */
	assert_int_equal(check("/home/alice/keytime/scripts/x/", 1000), 0);
	nfiles = 0;
	file("/", 0, 0, DIR_ | 0755);
	file("/s.lua", 0, 0, REG_ | 0644);
	assert_int_equal(check("/s.lua", 0), 0);
}

/* ---- the real system ---------------------------------------------------------- */

static void real_files(void **state)
{
	char top[] = "/tmp/kt-unit-trust.XXXXXX", path[256], link[256], cmd[300];
	FILE *f;

	assert_non_null(mkdtemp(top));
	assert_int_equal(chmod(top, 0700), 0);
	snprintf(path, sizeof(path), "%s/s.lua", top);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(kt_trust_file(path, getuid(), why, sizeof(why)), 0);
	/* through a symlink: the real path is checked */
	snprintf(link, sizeof(link), "%s/link.lua", top);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(kt_trust_file(link, getuid(), why, sizeof(why)), 0);
	assert_int_equal(chmod(path, 0666), 0);
	assert_int_equal(kt_trust_file(link, getuid(), why, sizeof(why)), -1);
	snprintf(cmd, sizeof(cmd), "%s is writable by everyone", path);
	assert_string_equal(why, cmd);
	assert_int_equal(chmod(path, 0644), 0);
	/* someone else's: neither root nor the invoking user */
	if (getuid() != 0) {
		assert_int_equal(kt_trust_file(path, getuid() + 1, why, sizeof(why)), -1);
		assert_non_null(strstr(why, "not root or the invoking user"));
	}
	snprintf(link, sizeof(link), "%s/none.lua", top);
	assert_int_equal(kt_trust_file(link, getuid(), why, sizeof(why)), -1);
	snprintf(cmd, sizeof(cmd), "cannot check %s: No such file or directory", link);
	assert_string_equal(why, cmd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	assert_int_equal(system(cmd), 0);
}

static void invoker(void **state)
{
	unsetenv("SUDO_UID");
	assert_int_equal(kt_trust_invoker(), getuid());
	setenv("SUDO_UID", "1234", 1);
	assert_int_equal(kt_trust_invoker(), getuid() == 0 ? 1234 : getuid());
	setenv("SUDO_UID", "12x", 1);   /* not a number: ignored */
	assert_int_equal(kt_trust_invoker(), getuid());
	setenv("SUDO_UID", "-5", 1);
	assert_int_equal(kt_trust_invoker(), getuid());
	setenv("SUDO_UID", "", 1);
	assert_int_equal(kt_trust_invoker(), getuid());
	unsetenv("SUDO_UID");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(umask_002_clone_of_the_invoking_user, setup),
		cmocka_unit_test_setup(umask_022_tree_of_root, setup),
		cmocka_unit_test_setup(umask_002_tree_of_root, setup),
		cmocka_unit_test_setup(owned_by_someone_else, setup),
		cmocka_unit_test_setup(group_with_other_members, setup),
		cmocka_unit_test_setup(folder_writable_by_a_shared_group, setup),
		cmocka_unit_test_setup(group_others_have_as_primary, setup),
		cmocka_unit_test_setup(group_not_the_owners_own, setup),
		cmocka_unit_test_setup(owner_with_no_user_entry, setup),
		cmocka_unit_test_setup(world_writable, setup),
		cmocka_unit_test_setup(sticky_tmp, setup),
		cmocka_unit_test_setup(the_file_is_reported_first, setup),
		cmocka_unit_test_setup(acl_beside_group_write, setup),
		cmocka_unit_test_setup(paths, setup),
		cmocka_unit_test(real_files),
		cmocka_unit_test(invoker),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
