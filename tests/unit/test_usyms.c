// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of runtime/usyms.c on this test binary itself: a function of
 * its own named from its build-id and file offset, found by the path it
 * was named by, still named once that file is replaced on disk, or found
 * through a live process's mappings; unknown build-ids and addresses
 * given as such. */
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
#include <cmocka.h>
#include <gelf.h>
#include <elfutils/libdwelf.h>
#include "elf_files.h"
#include "usyms.h"

__attribute__((noinline, noclone, used)) int usyms_target(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 3 + 1;
}

__attribute__((noinline, noclone, used)) int usyms_other(int x)
{
	__asm__ volatile("" ::: "memory");
	return x * 5 + 2;
}

static unsigned char self_id[KT_BUILD_ID_MAX];
static size_t self_id_len;

/* The file offset of an address of this binary, from its mappings. */
static uint64_t offset_of(const void *addr)
{
	char line[4352];
	FILE *f = fopen("/proc/self/maps", "r");
	uint64_t start, end, off, a = (uint64_t)(uintptr_t)addr, found = UINT64_MAX;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %*s %" SCNx64, &start, &end, &off) == 3 &&
		    a >= start && a < end) {
			found = a - start + off;
			break;
		}
	fclose(f);
	assert_true(found != UINT64_MAX);
	return found;
}

static int setup(void **state)
{
	self_id_len = build_id_of("/proc/self/exe", self_id);
	return 0;
}

/* Named by path; then the file replaced: the kept one still names frames. */
static void by_path_then_replaced(void **state)
{
	char dir[] = "/tmp/kt-usyms.XXXXXX", path[64];
	struct kt_usyms *u = kt_usyms_new();
	uint64_t off = offset_of((void *)usyms_target);
	const char *f;
	char want[128];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/prog", dir);
	copy_file("/proc/self/exe", path);
	kt_usyms_add_path(u, path);
	f = kt_usyms_frame(u, self_id, self_id_len, off + 4, false, 0);
	snprintf(want, sizeof(want), "usyms_target+0x4 (prog)");
	assert_string_equal(f, want);
	/* the same frame: the same string */
	assert_ptr_equal(kt_usyms_frame(u, self_id, self_id_len, off + 4, false, 0), f);
	/* replaced on disk by something else altogether */
	unlink(path);
	copy_file("/bin/sh", path);
	f = kt_usyms_frame(u, self_id, self_id_len, offset_of((void *)usyms_other) + 2, false, 0);
	assert_string_equal(f, "usyms_other+0x2 (prog)");
	/* a return address at a function's start is its caller's call */
	f = kt_usyms_frame(u, self_id, self_id_len, offset_of((void *)usyms_other), true, 0);
	assert_null(strstr(f, "usyms_other"));
	unlink(path);
	rmdir(dir);
	kt_usyms_free(u);
}

/* Not named by path: found in a live process's mappings (root reads its
 * map_files); a bare address through them too. */
static void by_process(void **state)
{
	struct kt_usyms *u = kt_usyms_new();
	char want[128], self[4096];
	const char *base;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (geteuid() != 0) {
		kt_usyms_free(u);
		skip();
	}
	assert_true(n > 0);
	self[n] = 0;
	base = strrchr(self, '/') + 1;
	snprintf(want, sizeof(want), "usyms_target+0x1 (%s)", base);
	assert_string_equal(kt_usyms_frame(u, self_id, self_id_len, offset_of((void *)usyms_target) + 1,
					   false, getpid()), want);
	assert_string_equal(kt_usyms_addr(u, getpid(), (uint64_t)(uintptr_t)usyms_target + 1, false), want);
	kt_usyms_free(u);
}

static void unknown(void **state)
{
	struct kt_usyms *u = kt_usyms_new();
	unsigned char id[20];

	for (int i = 0; i < 20; i++)
		id[i] = (unsigned char)(0xa0 + i);
	assert_string_equal(kt_usyms_frame(u, id, sizeof(id), 0x1234, false, 0),
			    "0x1234 (build-id a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3)");
	assert_false(kt_usyms_named(kt_usyms_frame(u, id, sizeof(id), 0x10, false, 0)));
	assert_null(kt_usyms_frame(u, id, 0, 0x10, false, 0));          /* no build-id */
	assert_null(kt_usyms_frame(u, id, 21, 0x10, false, 0));         /* too long */
	/* an address in no process keytime can see */
	assert_string_equal(kt_usyms_addr(u, 0x7ffffff0, 0xdead, false), "0xdead");
	kt_usyms_free(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(by_path_then_replaced),
		cmocka_unit_test(by_process),
		cmocka_unit_test(unknown),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
