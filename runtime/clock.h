/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The machine's clocks. The run's own clock, which a replay drives, is the
 * source's (source.h: kt_now_ns). */
#ifndef KT_CLOCK_H
#define KT_CLOCK_H
#include <stdint.h>

/* CLOCK_MONOTONIC in ns: the clock of the probes' timestamps. */
uint64_t kt_mono_ns(void);
/* What to add to a CLOCK_MONOTONIC time for the wall-clock time. */
int64_t kt_mono_to_real_ns(void);

#endif
