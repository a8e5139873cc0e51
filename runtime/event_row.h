/* SPDX-License-Identifier: GPL-2.0-or-later */
/* An event record as one row of keytime.lua's table, the original
 * keytime_image tool's TIME [TGID] PID EVENT ARGS/RET/OTHERS, written in C
 * straight from the record (kt.emit("table")): the same bytes as
 * lua/keytime/format.lua's row(), which stays the reference for scripts. */
#ifndef KT_EVENT_ROW_H
#define KT_EVENT_ROW_H
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include "event_json.h"

/* HH:MM:SS of the last wall-clock second a row was made in: local time is
 * looked up once per second. Zeroed: none yet. */
struct kt_row_clock {
	bool valid;
	time_t second;
	char text[16];
};

/* Appends the record's row, without a newline; single_thread: no TGID
 * column (one thread traced, -p). -1 when out of memory. */
int kt_event_row(struct kt_json_buf *b, const void *rec, bool single_thread,
		 int64_t mono_to_real_ns, struct kt_row_clock *clock);

#endif
