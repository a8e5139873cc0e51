/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Files for the user-stack unit tests (test_usyms.c, test_umaps.c): a
 * binary's build-id read the way the kernel would give it, and a copy of a
 * binary under another name. They fail the test (cmocka) on any error. */
#ifndef KT_TEST_ELF_FILES_H
#define KT_TEST_ELF_FILES_H
#include <stddef.h>
#include "usyms.h"   /* KT_BUILD_ID_MAX */

size_t build_id_of(const char *path, unsigned char id[KT_BUILD_ID_MAX]);
void copy_file(const char *from, const char *to);

#endif
