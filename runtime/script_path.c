// SPDX-License-Identifier: GPL-2.0-or-later
/* Where keytime-run finds scripts and modules: a script named on the
 * command line is looked up like a command in PATH (KEYTIME_PATH first, then
 * beside the executable, then the install folder), so `keytime-run
 * keytime.lua --tgid 42` works from anywhere once installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/stat.h>
#include "script_path.h"

#ifndef KEYTIME_DATADIR
#define KEYTIME_DATADIR "/usr/local/share/keytime"
#endif

#define LIST_DEPTH 4            /* sub-folders of a script folder listed */

static void add_dir(struct kt_search_path *sp, const char *a, const char *b)
{
	int n;

	if (sp->n == KT_SEARCH_MAX || !a || !*a)
		return;
	n = snprintf(sp->dirs[sp->n], sizeof(sp->dirs[0]), "%s%s", a, b);
	if (n > 0 && (size_t)n < sizeof(sp->dirs[0]))
		sp->n++;
}

/* "/usr/local/bin" -> "/usr/local"; "" for "/bin" or "bin" (no parent worth
 * searching: the built-in install folder covers those). */
static void parent_dir(const char *dir, char *out, size_t len)
{
	size_t n = strlen(dir);

	out[0] = 0;
	while (n > 1 && dir[n - 1] == '/')     /* "/a/b/" -> "/a/b" */
		n--;
	while (n > 0 && dir[n - 1] != '/')     /* -> "/a/" */
		n--;
	while (n > 0 && dir[n - 1] == '/')     /* -> "/a" */
		n--;
	if (n > 0 && n < len) {
		memcpy(out, dir, n);
		out[n] = 0;
	}
}

void kt_search_path_init(struct kt_search_path *sp, const char *keytime_path,
			 const char *exe_dir, const char *datadir)
{
	char parent[4096];

	sp->n = 0;
	for (const char *p = keytime_path; p && *p; ) {
		const char *end = strchr(p, ':');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		char dir[4096];

		if (len > 0 && len < sizeof(dir)) {
			memcpy(dir, p, len);
			dir[len] = 0;
			add_dir(sp, dir, "");
		}
		p = end ? end + 1 : p + len;
	}
	add_dir(sp, exe_dir, "/scripts");
	if (exe_dir) {
		parent_dir(exe_dir, parent, sizeof(parent));
		add_dir(sp, parent, "/share/keytime/scripts");
	}
	add_dir(sp, datadir, "/scripts");
}

static int readable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

static int explicit_path(const char *name)
{
	return name[0] == '/' || !strncmp(name, "./", 2) || !strncmp(name, "../", 3);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && !strcmp(s + n - m, suffix);
}

static int copy_out(char *out, size_t outlen, const char *a, const char *b, const char *c)
{
	int n = snprintf(out, outlen, "%s%s%s", a, b, c);
	return n > 0 && (size_t)n < outlen;
}

int kt_script_find(const struct kt_search_path *sp, const char *name,
		   char *out, size_t outlen, char *err, size_t errlen)
{
	size_t used;

	if (!name || !*name) {
		snprintf(err, errlen, "empty script name");
		return -1;
	}
	if (explicit_path(name) || readable_file(name)) {
		struct stat st;

		if (access(name, R_OK) != 0) {
			snprintf(err, errlen, "cannot read script %s: %s", name, strerror(errno));
			return -1;
		}
		if (stat(name, &st) == 0 && S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "cannot read script %s: it is a folder", name);
			return -1;
		}
		if (!copy_out(out, outlen, name, "", "")) {
			snprintf(err, errlen, "script path too long: %s", name);
			return -1;
		}
		return 0;
	}
	/* NAME, then NAME.lua: `keytime-run forktree` finds forktree.lua */
	for (int i = 0; i < sp->n; i++)
		for (int lua = 0; lua < 2; lua++) {
			if (lua && ends_with(name, ".lua"))
				continue;
			if (copy_out(out, outlen, sp->dirs[i], "/", name) &&
			    (!lua || copy_out(out + strlen(out), outlen - strlen(out), ".lua", "", "")) &&
			    readable_file(out))
				return 0;
		}
	used = (size_t)snprintf(err, errlen, "cannot find script %s (not in the current folder, "
				"nor in the search path:", name);
	for (int i = 0; i < sp->n && used < errlen; i++)
		used += (size_t)snprintf(err + used, errlen - used, " %s", sp->dirs[i]);
	if (used < errlen)
		snprintf(err + used, errlen - used, "; see KEYTIME_PATH)");
	out[0] = 0;
	return -1;
}

/* ---- listing ------------------------------------------------------------ */

struct names {
	char **v;
	int n, cap;
};

static int names_has(const struct names *ns, const char *name)
{
	for (int i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], name))
			return 1;
	return 0;
}

static void names_add(struct names *ns, const char *name)
{
	if (ns->n == ns->cap) {
		int cap = ns->cap ? ns->cap * 2 : 32;
		char **v = realloc(ns->v, cap * sizeof(*v));
		if (!v)
			return;
		ns->v = v, ns->cap = cap;
	}
	if ((ns->v[ns->n] = strdup(name)))
		ns->n++;
}

static void names_free(struct names *ns)
{
	for (int i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	ns->v = NULL, ns->n = ns->cap = 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.lua under root/rel, as names relative to root. */
static void collect(const char *root, const char *rel, int depth, struct names *found)
{
	char path[8192], sub[4096];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s%s%s", root, *rel ? "/" : "", rel);
	if (!(dir = opendir(path)))
		return;
	while ((d = readdir(dir))) {
		struct stat st;
		char full[12288];

		if (d->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s%s%s", rel, *rel ? "/" : "", d->d_name);
		snprintf(full, sizeof(full), "%s/%s", root, sub);
		if (stat(full, &st))
			continue;
		if (S_ISDIR(st.st_mode) && depth < LIST_DEPTH)
			collect(root, sub, depth + 1, found);
		else if (S_ISREG(st.st_mode) && ends_with(d->d_name, ".lua"))
			names_add(found, sub);
	}
	closedir(dir);
}

int kt_script_list(const struct kt_search_path *sp, FILE *out)
{
	struct names shown = {0};
	int count = 0;

	for (int i = 0; i < sp->n; i++) {
		struct names here = {0};

		collect(sp->dirs[i], "", 0, &here);
		if (here.n)   /* v is NULL for an empty folder */
			qsort(here.v, here.n, sizeof(*here.v), by_name);
		for (int j = 0; j < here.n; j++) {
			if (names_has(&shown, here.v[j]))
				continue;      /* hidden by an earlier folder */
			names_add(&shown, here.v[j]);
			fprintf(out, "%s\t%s/%s\n", here.v[j], sp->dirs[i], here.v[j]);
			count++;
		}
		names_free(&here);
	}
	names_free(&shown);
	return count;
}

/* ---- modules -------------------------------------------------------------- */

static int append(char *out, size_t outlen, size_t *used, const char *dir, const char *sub)
{
	int n;

	if (!dir || !*dir)
		return 0;
	n = snprintf(out + *used, outlen - *used, "%s%s/?.lua;%s%s/?/init.lua;", dir, sub, dir, sub);
	if (n < 0 || (size_t)n >= outlen - *used)
		return -1;
	*used += (size_t)n;
	return 0;
}

int kt_module_path(char *out, size_t outlen, const char *exe_dir,
		   const char *datadir, const char *script)
{
	char parent[4096], script_dir[4096];
	const char *slash = script ? strrchr(script, '/') : NULL;
	size_t used = 0;

	if (!outlen)
		return -1;
	out[0] = 0;
	parent[0] = 0;
	if (exe_dir)
		parent_dir(exe_dir, parent, sizeof(parent));
	if (slash && (size_t)(slash - script) < sizeof(script_dir)) {
		memcpy(script_dir, script, slash - script);
		script_dir[slash - script] = 0;
		if (!script_dir[0])
			strcpy(script_dir, "/");
	} else {
		strcpy(script_dir, ".");
	}
	if (append(out, outlen, &used, exe_dir, "/lua") ||
	    append(out, outlen, &used, parent, "/share/keytime/lua") ||
	    append(out, outlen, &used, script_dir, "/lua") ||
	    append(out, outlen, &used, script_dir, "/../lua") ||
	    append(out, outlen, &used, datadir, "/lua"))
		return -1;
	return 0;
}

/* ---- this process ----------------------------------------------------------- */

const char *kt_exe_dir(char *buf, size_t len)
{
	ssize_t n = readlink("/proc/self/exe", buf, len - 1);
	char *slash;

	buf[n > 0 ? n : 0] = 0;
	slash = strrchr(buf, '/');
	if (!slash)
		buf[0] = 0;
	else if (slash == buf)
		buf[1] = 0;
	else
		*slash = 0;
	return buf;
}

const char *kt_datadir(void)
{
	return KEYTIME_DATADIR;
}
