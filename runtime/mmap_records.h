/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The kernel's own records of executable mappings as they are made and of
 * each exec (perf's PERF_RECORD_MMAP2, and COMM with its exec flag, from a
 * dummy software event on every CPU, system-wide), passed to umaps.c as
 * notes: a process that maps its libraries and ends before the host has
 * read its /proc/PID/maps still has them, for user stacks by address.
 * Read when asked, the CPUs' records merged by time. */
#ifndef KT_MMAP_RECORDS_H
#define KT_MMAP_RECORDS_H
#include <stddef.h>
#include <stdint.h>
#include "umaps.h"

struct kt_mmap_records;

/* NULL with err set when the kernel will not give them (no perf events). */
struct kt_mmap_records *kt_mmap_records_open(char *err, size_t errlen);
void kt_mmap_records_close(struct kt_mmap_records *r);
/* Every record written so far, to m. r may be NULL. */
void kt_mmap_records_drain(struct kt_mmap_records *r, struct kt_umaps *m);
/* Records the kernel dropped for a full ring. */
uint64_t kt_mmap_records_lost(const struct kt_mmap_records *r);

#endif
