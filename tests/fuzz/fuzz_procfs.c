// SPDX-License-Identifier: GPL-2.0-or-later
/* The /proc parsers (runtime/procfs.c): CapEff of /proc/self/status, used
 * by the privilege check, and /proc/PID/comm, used to tell live tracers. */
#define _GNU_SOURCE
#include <string.h>
#include "fuzz.h"
#include "procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t sizes[] = { 1, 2, 16, 32 };
	unsigned long long caps;
	FILE *in;

	if ((in = fmemopen((void *)data, size, "r"))) {
		caps = kt_procfs_capeff(in);
		fclose(in);
		/* Capabilities come only from a CapEff line. */
		FUZZ_CHECK(caps == 0 || memmem(data, size, "CapEff:", 7));
	}
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char *comm = malloc(sizes[i]);
		if (comm && (in = fmemopen((void *)data, size, "r"))) {
			kt_procfs_comm(in, comm, sizes[i]);
			fclose(in);
			FUZZ_CHECK(strnlen(comm, sizes[i]) < sizes[i]);
			FUZZ_CHECK(!strchr(comm, '\n'));
		}
		free(comm);
	}
	return 0;
}
