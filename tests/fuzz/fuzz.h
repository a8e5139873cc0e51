/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared by the fuzz targets: each tests/fuzz/fuzz_NAME.c defines
 * LLVMFuzzerTestOneInput, run by libFuzzer (`make fuzz`) or by replay.c over
 * tests/fuzz/corpus/NAME/ (the test suite's unit_fuzz_NAME). */
#ifndef KT_FUZZ_H
#define KT_FUZZ_H
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property of the code under test that must hold for every input: a
 * failure is a finding, like a crash. */
#define FUZZ_CHECK(cond)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			fprintf(stderr, "%s:%d: property failed: %s\n",       \
				__FILE__, __LINE__, #cond);                   \
			abort();                                              \
		}                                                             \
	} while (0)

#endif
