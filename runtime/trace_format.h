/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keytime's trace file (--record / --replay), version 2:
 *
 *   "KTTRACE\0"                8 bytes
 *   u32 version                KT_TRACE_VERSION
 *   u32 info_len               then info_len bytes of "key=value\n" lines:
 *                              keytime (its version), host, kernel,
 *                              mono_to_real_ns, start_ns, targets
 *   chunks, each: u32 type, u32 len, len bytes of payload
 *     KT_CHUNK_EVENT  a ring-buffer record as the probes wrote it (bpf/keytime.h)
 *     KT_CHUNK_STACK  s32 stack_id, then the symbolized frames, each NUL-terminated,
 *                     written before the first event that uses the stack
 *     KT_CHUNK_END    u64 end_ns, u64 lost[KT_KIND_MAX]: the last chunk
 *     KT_CHUNK_CGROUP u64 cgroup id, then its path below the cgroup2 mount,
 *                     NUL-terminated, before the first event in that cgroup
 *                     (version 2 on: events carry uid, cgroup_id, nspid...)
 *
 * Integers are little-endian (the host's order: x86_64). */
#ifndef KT_TRACE_FORMAT_H
#define KT_TRACE_FORMAT_H
#include <stdint.h>
#include <stddef.h>
#include <linux/types.h>
#include "keytime.h"

#define KT_TRACE_MAGIC     "KTTRACE"     /* with its NUL: 8 bytes */
#define KT_TRACE_VERSION   2u
#define KT_TRACE_MAX_CHUNK (1u << 20)
#define KT_TRACE_MAX_INFO  (64u << 10)

enum kt_chunk_type { KT_CHUNK_EVENT = 1, KT_CHUNK_STACK = 2, KT_CHUNK_END = 3, KT_CHUNK_CGROUP = 4 };

struct kt_trace_end {
	uint64_t end_ns;
	uint64_t lost[KT_KIND_MAX];
};

/* What the reader hands over, in file order. Each returns 0 to go on. */
struct kt_trace_callbacks {
	int (*info)(void *arg, const char *key, const char *value);
	int (*event)(void *arg, const void *rec, size_t size);
	int (*stack)(void *arg, int32_t id, const char *const *frames, int n);
	int (*end)(void *arg, const struct kt_trace_end *end);
	void *arg;
	int (*cgroup)(void *arg, uint64_t id, const char *path);   /* may be NULL */
};

/* Parses a whole trace in memory, calling back for each part. Returns 0,
 * 1 if a callback stopped it, or -1 with a message naming the byte offset
 * in err; every complete part before a bad one is delivered first. */
int kt_trace_parse(const uint8_t *buf, size_t len, const struct kt_trace_callbacks *cb,
		   char *err, size_t errlen);

/* The writer (trace_writer.c). */
struct kt_trace_writer;
struct kt_trace_writer *kt_trace_create(const char *path, const char *info, char *err, size_t errlen);
int kt_trace_write_event(struct kt_trace_writer *w, const void *rec, size_t size);
int kt_trace_write_stack(struct kt_trace_writer *w, int32_t id, const char *const *frames, int n);
/* Writes the end chunk and closes; 0 or -1 (errno). */
int kt_trace_finish(struct kt_trace_writer *w, const struct kt_trace_end *end);
/* Has stack id been written already? Marks it written. */
int kt_trace_stack_seen(struct kt_trace_writer *w, int32_t id);
/* The same for a cgroup's path. */
int kt_trace_cgroup_seen(struct kt_trace_writer *w, uint64_t id);
int kt_trace_write_cgroup(struct kt_trace_writer *w, uint64_t id, const char *path);

#endif
