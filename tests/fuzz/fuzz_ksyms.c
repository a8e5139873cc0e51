// SPDX-License-Identifier: GPL-2.0-or-later
/* The kallsyms parser (runtime/ksyms.c kt_ksyms_parse), fed through
 * fmemopen, then symbol lookups at addresses taken from the input. */
#define _GNU_SOURCE
#include <string.h>
#include "fuzz.h"
#include "ksyms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *in = fmemopen((void *)data, size, "r");
	struct kt_ksyms *k;
	uint64_t addrs[4] = { 0, UINT64_MAX, 0xffffffff81000000ULL, 0 };
	char buf[300], tiny[8];

	if (!in)
		return 0;
	k = kt_ksyms_parse(in);
	fclose(in);
	if (!k)
		return 0;
	if (size >= 8)
		memcpy(&addrs[3], data, 8);
	for (int i = 0; i < 4; i++) {
		kt_ksyms_format(k, addrs[i], buf, sizeof(buf));
		FUZZ_CHECK(strlen(buf) < sizeof(buf));
		kt_ksyms_format(k, addrs[i], tiny, sizeof(tiny));
		FUZZ_CHECK(strlen(tiny) < sizeof(tiny));
	}
	FUZZ_CHECK(kt_ksyms_count(k) <= size / 3);   /* a symbol is at least "0tx" */
	kt_ksyms_free(k);
	return 0;
}
