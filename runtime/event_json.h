// SPDX-License-Identifier: GPL-2.0-or-later
/* An event record as one JSON object, written in C straight from the record
 * (e:json(), keytime.lua --json): the keys of event_fields.h, in a fixed
 * order per kind, integers with all their digits, strings as valid UTF-8. */
#ifndef KT_EVENT_JSON_H
#define KT_EVENT_JSON_H
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "keytime.h"

/* A growing text buffer, reused from one event to the next. */
struct kt_json_buf {
	char *data;
	size_t len, cap;
};
void kt_json_buf_free(struct kt_json_buf *b);

/* Appends; -1 when out of memory (the buffer keeps what it had). */
int kt_json_string(struct kt_json_buf *b, const char *s, size_t len);
int kt_json_int(struct kt_json_buf *b, int64_t v);
/* Appends bytes as they are (for text other than JSON: event_row.c). */
int kt_json_raw(struct kt_json_buf *b, const char *s, size_t len);

/* A stack's frames (v: a KT_V_KSTACK or KT_V_USTACK value), as stacks.c
 * and ustacks.c give them (NULL: no kstack or ustack key). */
struct kt_value;
typedef int (*kt_json_frames_fn)(void *ctx, const struct kt_value *v, const char *frames[KT_STACK_DEPTH]);

/* Appends the record's object, without a newline:
 *   {"event":NAME,"time":..,"pid":..,"tgid":..,"ppid":..,"comm":..,"cpu":..,
 *    "kind":.., then the kind's own fields sorted by name}
 * kstack and ustack only when they have frames. The record must be valid (kt_record_valid). */
int kt_event_json(struct kt_json_buf *b, const void *rec, kt_json_frames_fn frames, void *ctx);

#endif
