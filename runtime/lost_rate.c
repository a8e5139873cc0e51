// SPDX-License-Identifier: GPL-2.0-or-later
/* Events lost while the run goes on (lost_rate.h). The ring buffer fills
 * when the reader, that is the script's handlers, is slower than the
 * events; the loop notices every 100 ms, and a line a second is enough
 * to say so while it happens (the end of the run gives the totals by kind). */
#include <stdio.h>
#include "lost_rate.h"

#define EVERY_NS 1000000000ULL

static uint64_t pending, next_ns;

void kt_lost_rate_note(uint64_t fresh, uint64_t now_ns)
{
	pending += fresh;
	if (!pending || now_ns < next_ns)
		return;
	fflush(stdout);   /* what the script wrote before, first */
	fprintf(stderr, "keytime-run: %llu events lost in the last second; the script is the bottleneck\n",
		(unsigned long long)pending);
	pending = 0;
	next_ns = now_ns + EVERY_NS;
}
