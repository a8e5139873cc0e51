// SPDX-License-Identifier: GPL-2.0-or-later
/* Events lost while the run goes on, said at most once a second (lost_rate.c). */
#ifndef KT_LOST_RATE_H
#define KT_LOST_RATE_H
#include <stdint.h>

/* `fresh` more events were lost (the ring buffer was full) as of now (ns):
 * prints "N events lost in the last second; the script is the bottleneck"
 * on stderr, N counting since the last such line, at most once a second. */
void kt_lost_rate_note(uint64_t fresh, uint64_t now_ns);

#endif
