/* SPDX-License-Identifier: GPL-2.0-or-later */
/* --record FILE: the event stream saved as it is delivered (record.c). */
#ifndef KT_RECORD_H
#define KT_RECORD_H
#include <stddef.h>
#include <stdint.h>

struct kt_session;

int kt_record_start(struct kt_session *s, const char *path, const char *targets,
		    char *err, size_t errlen);
void kt_record_event(struct kt_session *s, const void *rec, size_t size);
/* From the loop: what was written reaches the file once a second. */
void kt_record_tick(struct kt_session *s, uint64_t now);
/* Writes the end (lost counts) and closes; 0 also when not recording. */
int kt_record_finish(struct kt_session *s);
/* The name of part N of a rotated recording: "x.kt" -> "x.000001.kt". */
void kt_record_part_path(const char *path, unsigned part, char *out, size_t outlen);

#endif
