/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Whether keytime-run, running as root, may run a script or load a module:
 * the idea of OpenSSH's StrictModes. The file and every folder above it up
 * to / must be owned by root or by the invoking user, and no other user may
 * be able to write any of them:
 *  - not writable by everyone (a folder that is, with the sticky bit, like
 *    /tmp, is accepted: others cannot rename or remove what is in it; the
 *    file itself never is);
 *  - writable by its group only when that group is its owner's private
 *    group: the owner's primary group, with nobody else in it (neither
 *    listed as a member nor having it as their own primary group) -- what a
 *    clone made with umask 002 has on Ubuntu or Fedora;
 *  - no access ACL beside a group-write bit (the bit is then the ACL's mask,
 *    and named users may write). */
#ifndef KT_TRUST_H
#define KT_TRUST_H
#include <stddef.h>
#include <sys/types.h>
#include <sys/stat.h>

#define KT_TRUST_NAME 64
#define KT_TRUST_MEMBERS 16

struct kt_trust_user {
	gid_t gid;                      /* primary group */
	char name[KT_TRUST_NAME];
};

struct kt_trust_group {
	char name[KT_TRUST_NAME];
	int n;                          /* every member, though at most KT_TRUST_MEMBERS named */
	char members[KT_TRUST_MEMBERS][KT_TRUST_NAME];
};

/* What the check asks the system; tests give their own. Each returns 0, or
 * -1 (stat: with errno; user and group: no such entry). */
struct kt_trust_lookup {
	int (*stat)(const char *path, struct stat *st);
	int (*user)(uid_t uid, struct kt_trust_user *u);
	/* members: those listed for the group, and the users whose primary
	 * group it is, each once */
	int (*group)(gid_t gid, struct kt_trust_group *g);
	/* 1 if path has an access ACL beyond its mode bits (NULL: never) */
	int (*has_acl)(const char *path);
};

/* The real thing: stat(2), the passwd and group databases, xattrs. */
extern const struct kt_trust_lookup kt_trust_system;

/* The user keytime-run acts for: SUDO_UID when root runs it under sudo
 * (a number, else ignored), otherwise the real uid. */
uid_t kt_trust_invoker(void);

/* Checks path (absolute, symlinks already resolved) and each folder above
 * it, the file first and then upwards. Returns 0, or -1 with the first
 * failure in why as one line naming the path that fails, e.g.
 * "/x is writable by group staff (members: alice, bob)". */
int kt_trust_check(const char *path, uid_t invoker, const struct kt_trust_lookup *lk,
		   char *why, size_t whylen);

/* kt_trust_check on the real path of file (which may be relative or go
 * through symlinks), with kt_trust_system. Returns 0, or -1 with why set. */
int kt_trust_file(const char *file, uid_t invoker, char *why, size_t whylen);

/* Puts a searcher in front of Lua's own in package.searchers: a module
 * found in keytime's module folders (script_path.c's kt_module_path for
 * script) is loaded only if kt_trust_file accepts it, else require fails
 * with "refusing to load FILE: WHY". (trust_require.c) */
struct lua_State;
void kt_trust_guard_require(struct lua_State *L, const char *script, uid_t invoker);

#endif
