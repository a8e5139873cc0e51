/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Where keytime-run finds a script named on its command line, the stock
 * scripts it can list, and the Lua modules scripts `require`. */
#ifndef KT_SCRIPT_PATH_H
#define KT_SCRIPT_PATH_H
#include <stddef.h>
#include <stdio.h>

#define KT_SEARCH_MAX 32

/* The folders searched for a script name, in order. */
struct kt_search_path {
	int n;
	char dirs[KT_SEARCH_MAX][4096];
};

/* Fills sp with: each folder of keytime_path (colon-separated like
 * LUA_PATH; empty parts skipped; NULL for none), then exe_dir/scripts (the
 * build tree), exe_dir/../share/keytime/scripts (an install, wherever it
 * was moved), then datadir/scripts (the install folder built in). */
void kt_search_path_init(struct kt_search_path *sp, const char *keytime_path,
			 const char *exe_dir, const char *datadir);

/* Resolves a script name into out. A name starting with '/', './' or '../',
 * or a file readable from the current folder, is used as is; otherwise the
 * first folder of sp holding NAME or NAME.lua wins. Returns 0, or -1 with a
 * one-line message in err. */
int kt_script_find(const struct kt_search_path *sp, const char *name,
		   char *out, size_t outlen, char *err, size_t errlen);

/* Writes "NAME<TAB>PATH" for every *.lua under the folders of sp (sub-folders
 * too, NAME relative to its folder), the first of each NAME only, sorted by
 * folder order then name. Returns how many were written. */
int kt_script_list(const struct kt_search_path *sp, FILE *out);

/* package.path entries, in order: exe_dir/lua, exe_dir/../share/keytime/lua,
 * the script's folder's lua/ and ../lua/, then datadir/lua; each as
 * DIR/?.lua;DIR/?/init.lua, ending with ';'. Returns 0, -1 if it did not fit. */
int kt_module_path(char *out, size_t outlen, const char *exe_dir,
		   const char *datadir, const char *script);

/* The folder of the running executable ("" if unknown), and the install
 * folder built in (-DKEYTIME_DATADIR, from the Makefile's PREFIX). */
const char *kt_exe_dir(char *buf, size_t len);
const char *kt_datadir(void);

#endif
