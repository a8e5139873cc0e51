/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keytime's trace file (--record / --replay), version 4:
 *
 *   "KTTRACE\0"                8 bytes
 *   u32 version                KT_TRACE_VERSION
 *   u32 info_len               then info_len bytes of "key=value\n" lines:
 *                              keytime (its version), host, kernel,
 *                              mono_to_real_ns, start_ns, script_start_ns,
 *                              targets; in a rotated recording, part
 *   u32 compression            KT_COMPRESS_NONE, or KT_COMPRESS_ZSTD: all
 *                              that follows is one zstd stream (flushed
 *                              every second or so while recording)
 *   chunks, each: u32 type, u32 len, len bytes of payload
 *     KT_CHUNK_EVENT  a ring-buffer record as the probes wrote it (bpf/keytime.h),
 *                     exec records trimmed to the bytes they use (trace_compact.c)
 *     KT_CHUNK_STACK  s32 stack_id, then the symbolized frames, each NUL-terminated,
 *                     written before the first event that uses the stack; a
 *                     user stack's id is KT_TRACE_USTACK | the record's ustack
 *                     (readers from before user stacks pass over those ids)
 *     KT_CHUNK_END    u64 end_ns, u64 lost[KT_KIND_MAX]: the last chunk
 *     KT_CHUNK_CGROUP u64 cgroup id, then its path below the cgroup2 mount,
 *                     NUL-terminated, before the first event in that cgroup
 *                     (version 4 on: events carry uid, cgroup_id, nspid...)
 *
 * Version 1 (still read) has no compression field and every event record
 * whole. Versions 1 and 2 (still read) are from before wakeup events: their
 * onCPU/offCPU records end before runq_latency, their end chunk counts fewer
 * kinds. Versions 1 to 3 (still read) are from before events said who the
 * thread is: their record headers end at comm; read, the identity fields
 * are added as unknown (uid and gid -1, no cgroup, nspid the pid). Integers
 * are little-endian (the host's order: x86_64). */
#ifndef KT_TRACE_FORMAT_H
#define KT_TRACE_FORMAT_H
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <linux/types.h>
#include "keytime.h"

#define KT_TRACE_MAGIC     "KTTRACE"     /* with its NUL: 8 bytes */
#define KT_TRACE_VERSION   4u
#define KT_TRACE_MAX_CHUNK (1u << 20)
#define KT_TRACE_MAX_INFO  (64u << 10)

#define KT_TRACE_USTACK    0x40000000   /* a stack chunk's id: a user stack */

enum kt_chunk_type { KT_CHUNK_EVENT = 1, KT_CHUNK_STACK = 2, KT_CHUNK_END = 3, KT_CHUNK_CGROUP = 4 };
enum kt_trace_compression { KT_COMPRESS_NONE = 0, KT_COMPRESS_ZSTD = 1 };

struct kt_trace_end {
	uint64_t end_ns;
	uint64_t lost[KT_KIND_MAX];
};

/* What the reader hands over, in file order. Each returns 0 to go on
 * (info's answer is not asked: the header is read whole). */
struct kt_trace_callbacks {
	int (*info)(void *arg, const char *key, const char *value);
	int (*event)(void *arg, const void *rec, size_t size);
	int (*stack)(void *arg, int32_t id, const char *const *frames, int n);
	int (*end)(void *arg, const struct kt_trace_end *end);
	void *arg;
	int (*cgroup)(void *arg, uint64_t id, const char *path);   /* may be NULL */
};

/* The streaming reader (trace_reader.c): memory stays the same whatever
 * the file's length. kt_trace_open reads the header from f (which it then
 * owns), handing its info lines to cb->info; NULL with a message in err.
 * kt_trace_read hands over the parts that follow: 0 at the end of the
 * file (which must have come after the end chunk), 1 if a callback stopped it (a later call goes on from there), or
 * -1 with a message naming the byte offset in err (counted in the
 * uncompressed data); every complete part before a bad one comes first. */
struct kt_trace_reader;
struct kt_trace_reader *kt_trace_open(FILE *f, const struct kt_trace_callbacks *cb,
				      char *err, size_t errlen);
int kt_trace_read(struct kt_trace_reader *r, const struct kt_trace_callbacks *cb,
		  char *err, size_t errlen);
unsigned kt_trace_version(const struct kt_trace_reader *r);
enum kt_trace_compression kt_trace_compression(const struct kt_trace_reader *r);
void kt_trace_close(struct kt_trace_reader *r);

/* A whole trace in memory, through the same reader: 0, 1 if a callback
 * stopped it, or -1 with a message in err. */
int kt_trace_parse(const uint8_t *buf, size_t len, const struct kt_trace_callbacks *cb,
		   char *err, size_t errlen);

/* Exec records without their unused bytes (trace_compact.c). kt_trace_trim
 * writes rec's encoding to out (room for size bytes) and returns its
 * length; kt_trace_untrim rebuilds the record into out (cap bytes, at
 * least the largest record), the unused bytes zero, and returns its size,
 * or 0 for an encoding no record gives. Other kinds are copied as they are. */
size_t kt_trace_trim(const void *rec, size_t size, void *out);
size_t kt_trace_untrim(const void *in, size_t len, void *out, size_t cap);

/* The writer (trace_writer.c). zstd_level 0: uncompressed. */
struct kt_trace_writer;
struct kt_trace_writer *kt_trace_create(const char *path, const char *info, int zstd_level,
					char *err, size_t errlen);
int kt_trace_write_event(struct kt_trace_writer *w, const void *rec, size_t size);
int kt_trace_write_stack(struct kt_trace_writer *w, int32_t id, const char *const *frames, int n);
/* Everything written so far to the file (a killed run keeps it); 0 or -1. */
int kt_trace_flush(struct kt_trace_writer *w);
/* Bytes in the file so far (compressed ones not yet flushed are not). */
uint64_t kt_trace_size(const struct kt_trace_writer *w);
/* Writes the end chunk and closes; 0 or -1 (errno). */
int kt_trace_finish(struct kt_trace_writer *w, const struct kt_trace_end *end);
/* Has stack id been written already? Marks it written. */
int kt_trace_stack_seen(struct kt_trace_writer *w, int32_t id);
/* The same for a cgroup's path. */
int kt_trace_cgroup_seen(struct kt_trace_writer *w, uint64_t id);
int kt_trace_write_cgroup(struct kt_trace_writer *w, uint64_t id, const char *path);

#endif
