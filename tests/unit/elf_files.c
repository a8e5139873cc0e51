// SPDX-License-Identifier: GPL-2.0-or-later
/* Files for the user-stack unit tests (elf_files.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <gelf.h>
#include <elfutils/libdwelf.h>
#include "elf_files.h"

size_t build_id_of(const char *path, unsigned char id[KT_BUILD_ID_MAX])
{
	int fd = open(path, O_RDONLY);
	Elf *elf;
	const void *p;
	ssize_t n;

	assert_true(fd >= 0);
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	assert_non_null(elf);
	n = dwelf_elf_gnu_build_id(elf, &p);
	assert_true(n > 0 && n <= KT_BUILD_ID_MAX);
	memcpy(id, p, n);
	elf_end(elf);
	close(fd);
	return (size_t)n;
}

void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	ssize_t n;

	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, n), n);
	close(in);
	close(out);
}
