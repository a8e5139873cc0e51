// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of runtime/umaps.c on a /proc tree of their own: maps lines
 * parsed (files, anonymous and special mappings, deleted files, spaces in
 * names, garbage), an address turned into its file's build-id and offset,
 * a library mapped later found by reading again, a process's mappings kept
 * after it has gone and its binary deleted, a fork's copied, the
 * number of processes kept bounded, the least recently used let go, and
 * the kernel's notes of mappings and execs (kt_umaps_note). The
 * file each mapping's map_files link names is a copy of this test binary,
 * whose build-id is read independently (libelf). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <gelf.h>
#include <elfutils/libdwelf.h>
#include "elf_files.h"
#include "umaps.h"

static unsigned char self_id[KT_BUILD_ID_MAX];
static size_t self_id_len;
static char root[] = "/tmp/kt-umaps.XXXXXX";
static char prog[96];   /* the copy of this binary the mappings name */

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Process tgid of the tree: its maps text, and a map_files link to target
 * for each executable file mapping in it. */
static void fake_process(uint32_t tgid, const char *maps, const char *target)
{
	char dir[160], path[256], line[512];
	const char *p = maps;

	snprintf(dir, sizeof(dir), "%s/%u", root, tgid);
	mkdir(dir, 0755);
	snprintf(path, sizeof(path), "%s/map_files", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/maps", dir);
	write_text(path, maps);
	while (*p) {
		size_t len = strcspn(p, "\n");
		uint64_t start, end;
		char perms[8];

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		p += len + (p[len] == '\n');
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s", &start, &end, perms) == 3 && strchr(perms, 'x')) {
			snprintf(path, sizeof(path), "%s/map_files/%" PRIx64 "-%" PRIx64, dir, start, end);
			unlink(path);
			assert_int_equal(symlink(target, path), 0);
		}
	}
}

static void gone(uint32_t tgid)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s/%u", root, tgid);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	assert_non_null(mkdtemp(root));
	snprintf(prog, sizeof(prog), "%s/prog", root);
	copy_file("/proc/self/exe", prog);
	self_id_len = build_id_of(prog, self_id);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	return system(cmd);
}

static void parse_lines(void **state)
{
	struct kt_umap_line l;
	char a[] = "55d0c8a00000-55d0c8a02000 r-xp 00001000 fe:01 1234567    /usr/bin/true\n";
	char b[] = "7ffd1a2b3000-7ffd1a2b5000 r-xp 00000000 00:00 0                          [vdso]\n";
	char c[] = "7f0000000000-7f0000021000 rw-p 00000000 00:00 0 \n";
	char d[] = "7f1000000000-7f1000004000 r-xp 00002000 08:02 42    /tmp/my prog (deleted)\n";
	char e[] = "not a mapping\n";
	char f[] = "7f2000000000-7f1000000000 r-xp 00000000 08:02 42 /backwards\n";

	assert_true(kt_umaps_parse_line(a, &l));
	assert_true(l.start == 0x55d0c8a00000 && l.end == 0x55d0c8a02000 && l.offset == 0x1000);
	assert_true(l.exec);
	assert_int_equal(l.ino, 1234567);
	assert_string_equal(l.path, "/usr/bin/true");
	assert_true(kt_umaps_parse_line(b, &l));
	assert_string_equal(l.path, "[vdso]");
	assert_int_equal(l.ino, 0);
	assert_true(kt_umaps_parse_line(c, &l));
	assert_false(l.exec);
	assert_string_equal(l.path, "");
	assert_true(kt_umaps_parse_line(d, &l));
	assert_string_equal(l.path, "/tmp/my prog (deleted)");
	assert_true(l.offset == 0x2000);
	assert_false(kt_umaps_parse_line(e, &l));
	assert_false(kt_umaps_parse_line(f, &l));
}

#define MAPS_100 "555500000000-555500001000 r--p 00000000 08:02 77 /x/prog\n" \
		 "555500001000-555500005000 r-xp 00001000 08:02 77 /x/prog\n" \
		 "555500005000-555500006000 rw-p 00005000 08:02 77 /x/prog\n" \
		 "7ff000000000-7ff000010000 rw-p 00000000 00:00 0 \n" \
		 "7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0 [vdso]\n"

/* An address in a file mapping: that file (by build-id) and the offset in
 * it; anywhere else: none. */
static void address_to_offset(void **state)
{
	struct kt_umaps *m = kt_umaps_new(root, 16);
	const struct kt_umap_file *f;
	uint64_t off = 0;

	fake_process(100, MAPS_100, prog);
	assert_int_equal(kt_umaps_read(m, 100), 0);
	assert_true(kt_umaps_known(m, 100));
	assert_int_equal(kt_umaps_mappings(m), 1);   /* the executable file mapping alone */
	f = kt_umaps_resolve(m, 100, 0x555500001234, &off);
	assert_non_null(f);
	assert_true(off == 0x1234);
	assert_string_equal(f->name, "prog");
	assert_int_equal(f->id_len, self_id_len);
	assert_memory_equal(f->id, self_id, self_id_len);
	assert_true(f->fd >= 0);
	assert_non_null(kt_umaps_resolve(m, 100, 0x555500004fff, &off));
	assert_true(off == 0x4fff);
	/* its end, data, the heap, the vdso: no file's code */
	assert_null(kt_umaps_resolve(m, 100, 0x555500005000, &off));
	assert_null(kt_umaps_resolve(m, 100, 0x555500000800, &off));
	assert_null(kt_umaps_resolve(m, 100, 0x7ff000000100, &off));
	assert_null(kt_umaps_resolve(m, 100, 0x7ffd00000100, &off));
	/* a process never read and not there */
	assert_null(kt_umaps_resolve(m, 999, 0x555500001234, &off));
	assert_false(kt_umaps_known(m, 999));
	kt_umaps_free(m);
	gone(100);
}

/* A library mapped after the first read: found by reading again; the
 * process gone and its binary deleted: still resolved from what was kept. */
static void later_library_then_gone(void **state)
{
	struct kt_umaps *m = kt_umaps_new(root, 16);
	char lib[128], maps[1024];
	const struct kt_umap_file *f;
	uint64_t off;

	snprintf(lib, sizeof(lib), "%s/libx.so", root);
	copy_file(prog, lib);
	fake_process(200, MAPS_100, prog);
	assert_int_equal(kt_umaps_read(m, 200), 0);
	snprintf(maps, sizeof(maps), "%s7f5500000000-7f5500003000 r-xp 00002000 08:02 78 %s\n", MAPS_100, lib);
	fake_process(200, maps, lib);
	f = kt_umaps_resolve(m, 200, 0x7f5500000010, &off);
	assert_non_null(f);
	assert_string_equal(f->name, "libx.so");
	assert_true(off == 0x2010);
	/* gone, the library deleted: the mappings and the open file stay */
	gone(200);
	unlink(lib);
	f = kt_umaps_resolve(m, 200, 0x7f5500000020, &off);
	assert_non_null(f);
	assert_true(off == 0x2020 && f->fd >= 0);
	assert_non_null(kt_umaps_resolve(m, 200, 0x555500001000, &off));
	/* an address it never mapped: none, asked as often as one likes */
	for (int i = 0; i < 20; i++)
		assert_null(kt_umaps_resolve(m, 200, 0x1000 + i, &off));
	kt_umaps_free(m);
}

/* A deleted binary's mapping ("(deleted)"): named without the suffix. */
static void deleted_binary(void **state)
{
	struct kt_umaps *m = kt_umaps_new(root, 16);
	const struct kt_umap_file *f;
	uint64_t off;

	fake_process(300, "555500001000-555500005000 r-xp 00001000 08:02 79 /x/gone (deleted)\n", prog);
	assert_int_equal(kt_umaps_read(m, 300), 0);
	f = kt_umaps_resolve(m, 300, 0x555500001010, &off);
	assert_non_null(f);
	assert_string_equal(f->name, "gone");
	assert_memory_equal(f->id, self_id, self_id_len);
	kt_umaps_free(m);
	gone(300);
}

/* A fork's child: its parent's mappings, though it has none of its own to read. */
static void fork_copies(void **state)
{
	struct kt_umaps *m = kt_umaps_new(root, 16);
	uint64_t off;

	fake_process(400, MAPS_100, prog);
	assert_int_equal(kt_umaps_read(m, 400), 0);
	kt_umaps_fork(m, 400, 401);
	assert_true(kt_umaps_known(m, 401));
	assert_non_null(kt_umaps_resolve(m, 401, 0x555500002000, &off));
	assert_true(off == 0x2000);
	/* a fork of a parent not known, the child gone already: nothing */
	kt_umaps_fork(m, 499, 498);
	assert_false(kt_umaps_known(m, 498));
	kt_umaps_free(m);
	gone(400);
}

/* At most max_procs processes kept: the least recently used go first. */
static void bounded(void **state)
{
	struct kt_umaps *m = kt_umaps_new(root, 3);
	uint64_t off;

	for (uint32_t t = 500; t < 505; t++)
		fake_process(t, MAPS_100, prog);
	assert_int_equal(kt_umaps_read(m, 500), 0);
	assert_int_equal(kt_umaps_read(m, 501), 0);
	assert_int_equal(kt_umaps_read(m, 502), 0);
	assert_non_null(kt_umaps_resolve(m, 500, 0x555500002000, &off));   /* 500 used: 501 is the oldest */
	assert_int_equal(kt_umaps_read(m, 503), 0);
	assert_int_equal(kt_umaps_procs(m), 3);
	assert_false(kt_umaps_known(m, 501));
	assert_true(kt_umaps_known(m, 500) && kt_umaps_known(m, 502) && kt_umaps_known(m, 503));
	assert_int_equal(kt_umaps_read(m, 504), 0);
	assert_false(kt_umaps_known(m, 502));
	assert_int_equal(kt_umaps_procs(m), 3);
	assert_int_equal(kt_umaps_mappings(m), 3);
	/* the let-go process, gone meanwhile: none, not a stale answer */
	gone(501);
	assert_null(kt_umaps_resolve(m, 501, 0x555500002000, &off));
	for (uint32_t t = 500; t < 505; t++)
		gone(t);
	kt_umaps_free(m);
}

/* A note of the file at path mapped at [start, end) in tgid, with the
 * file's own device and inode. */
static struct kt_umap_note map_note(uint32_t tgid, uint64_t start, uint64_t end, uint64_t offset, char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (struct kt_umap_note){ tgid, false, start, end, offset, st.st_dev, st.st_ino, strdup(path) };   /* kt_umaps_note takes it */
}

/* The kernel's notes: a library mapped into a known process is found
 * without reading again, by its path once the process has gone (no
 * map_files); a mapping over the middle of another cuts it; a note whose
 * file at the path is another (inode) is not believed; an exec's note
 * drops the old image. */
static void notes_of_known(void **state)
{
	struct kt_umaps *m = kt_umaps_new(root, 16);
	struct kt_umap_note n;
	const struct kt_umap_file *f;
	char lib[128], other[128];
	uint64_t off;

	snprintf(lib, sizeof(lib), "%s/liby.so", root);
	snprintf(other, sizeof(other), "%s/libz.so", root);
	copy_file(prog, lib);
	copy_file(prog, other);
	fake_process(600, MAPS_100, prog);
	assert_int_equal(kt_umaps_read(m, 600), 0);
	gone(600);
	n = map_note(600, 0x7f6600000000, 0x7f6600004000, 0x1000, lib);
	kt_umaps_note(m, &n);
	f = kt_umaps_resolve(m, 600, 0x7f6600000010, &off);
	assert_non_null(f);
	assert_string_equal(f->name, "liby.so");
	assert_true(off == 0x1010);
	assert_memory_equal(f->id, self_id, self_id_len);
	assert_non_null(kt_umaps_resolve(m, 600, 0x555500001000, &off));   /* the image read stays */
	/* another mapping over the middle: both ends of the first stay */
	n = map_note(600, 0x7f6600001000, 0x7f6600002000, 0x9000, other);
	kt_umaps_note(m, &n);
	assert_int_equal(kt_umaps_mappings(m), 4);
	f = kt_umaps_resolve(m, 600, 0x7f6600001010, &off);
	assert_true(f && off == 0x9010 && !strcmp(f->name, "libz.so"));
	f = kt_umaps_resolve(m, 600, 0x7f6600003010, &off);
	assert_true(f && off == 0x4010 && !strcmp(f->name, "liby.so"));
	f = kt_umaps_resolve(m, 600, 0x7f6600000ff0, &off);
	assert_true(f && off == 0x1ff0 && !strcmp(f->name, "liby.so"));
	/* a file not the one mapped (another inode at the path): not used */
	n = map_note(600, 0x7f7700000000, 0x7f7700001000, 0, other);
	n.ino += 1000000;
	kt_umaps_note(m, &n);
	assert_null(kt_umaps_resolve(m, 600, 0x7f7700000010, &off));
	/* an exec: the old image and libraries gone; the new one's notes hold */
	n = (struct kt_umap_note){ .tgid = 600, .exec = true };
	kt_umaps_note(m, &n);
	assert_int_equal(kt_umaps_mappings(m), 0);
	assert_null(kt_umaps_resolve(m, 600, 0x7f6600000010, &off));
	n = map_note(600, 0x555600000000, 0x555600001000, 0, prog);
	kt_umaps_note(m, &n);
	assert_non_null(kt_umaps_resolve(m, 600, 0x555600000010, &off));
	unlink(lib);
	unlink(other);
	kt_umaps_free(m);
}

/* Notes about a process not known yet are kept, in order, until it is:
 * at its first read (an exec's note and then its mappings, over what the
 * read gave), or, if it has gone by then, as all there is of it; the
 * oldest go first beyond 1024. */
static void notes_before_known(void **state)
{
	struct kt_umaps *m = kt_umaps_new(root, 16);
	struct kt_umap_note n;
	char lib[128];
	uint64_t off;

	snprintf(lib, sizeof(lib), "%s/libw.so", root);
	copy_file(prog, lib);
	n = map_note(700, 0x7f7000000000, 0x7f7000001000, 0x3000, lib);
	kt_umaps_note(m, &n);
	assert_false(kt_umaps_known(m, 700));
	assert_int_equal(kt_umaps_pending(m), 1);
	fake_process(700, MAPS_100, prog);
	assert_int_equal(kt_umaps_read(m, 700), 0);
	assert_int_equal(kt_umaps_pending(m), 0);
	assert_int_equal(kt_umaps_mappings(m), 2);
	assert_non_null(kt_umaps_resolve(m, 700, 0x7f7000000010, &off));
	assert_true(off == 0x3010);
	assert_non_null(kt_umaps_resolve(m, 700, 0x555500001000, &off));
	gone(700);
	/* gone before it was ever read: its exec and mappings are all there is */
	n = (struct kt_umap_note){ .tgid = 701, .exec = true };
	kt_umaps_note(m, &n);
	n = map_note(701, 0x7f7100000000, 0x7f7100002000, 0, lib);
	kt_umaps_note(m, &n);
	n = map_note(702, 0x7f7200000000, 0x7f7200002000, 0, lib);   /* another's: stays pending */
	kt_umaps_note(m, &n);
	assert_int_equal(kt_umaps_read(m, 701), -1);
	assert_true(kt_umaps_known(m, 701));
	assert_int_equal(kt_umaps_pending(m), 1);
	assert_non_null(kt_umaps_resolve(m, 701, 0x7f7100001000, &off));
	assert_true(off == 0x1000);
	/* a process gone with no notes: not known, as before */
	assert_int_equal(kt_umaps_read(m, 703), -1);
	assert_false(kt_umaps_known(m, 703));
	/* bounded: the oldest let go */
	for (uint32_t i = 0; i < 1100; i++) {
		n = map_note(800 + i, 0x7f7300000000, 0x7f7300001000, 0, lib);
		kt_umaps_note(m, &n);
	}
	assert_int_equal(kt_umaps_pending(m), 1024);
	assert_int_equal(kt_umaps_read(m, 702), -1);
	assert_false(kt_umaps_known(m, 702));
	assert_int_equal(kt_umaps_read(m, 800 + 1099), -1);
	assert_true(kt_umaps_known(m, 800 + 1099));
	unlink(lib);
	kt_umaps_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_lines),
		cmocka_unit_test(address_to_offset),
		cmocka_unit_test(later_library_then_gone),
		cmocka_unit_test(deleted_binary),
		cmocka_unit_test(fork_copies),
		cmocka_unit_test(bounded),
		cmocka_unit_test(notes_of_known),
		cmocka_unit_test(notes_before_known),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
