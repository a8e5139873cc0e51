// SPDX-License-Identifier: GPL-2.0-or-later
/* The script's standard output (output.h). A stream of JSON lines to a pipe
 * is written 64 KiB at a time, not 4 KiB (stdio's default for a pipe); a
 * terminal still sees each line as it is written. */
#include <stdio.h>
#include <unistd.h>
#include "output.h"

#define OUTPUT_BLOCK (64 * 1024)

void kt_output_setup(void)
{
	static char block[OUTPUT_BLOCK];

	if (isatty(fileno(stdout)))
		setvbuf(stdout, NULL, _IOLBF, 0);
	else
		setvbuf(stdout, block, _IOFBF, sizeof(block));
}
