/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Run-queue latency histograms kept in the kernel (kt_config.runq_hist):
 * the layout of kt_runq_hist's values and the bucket of a latency, shared
 * by the probes and the host (runtime/runq_hist.c). The buckets are
 * lua/keytime/hist.lua's log2 ones over whole microseconds: 0 for 0, 1 for
 * 1, k for [2^(k-1), 2^k). */
#ifndef KT_RUNQ_HIST_MAP_H
#define KT_RUNQ_HIST_MAP_H

#define KT_RUNQ_HIST_TGID 1   /* kt_config.runq_hist: one histogram per process */
#define KT_RUNQ_HIST_PID  2   /* ... per thread */
#define KT_RUNQ_HIST_CGROUP 3 /* ... per cgroup v2 (the id of the one the
                               * thread is in when the wait ends) */

/* A latency in ns is under 2^64 / 1000 < 2^54 us: bucket 54 at most (a
 * power of two, so the probes bound an index with a mask). */
#define KT_RUNQ_HIST_SLOTS 64

/* Per key (a __u64: tgid, pid or cgroup id). Only ever added to,
 * atomically: the host reads the totals and keeps the previous ones, so
 * nothing added while it reads is lost. The number of latencies is the sum
 * of the slots. */
struct kt_runq_hist {
	char comm[KT_COMM_LEN];   /* the last thread counted */
	__u64 sum_ns;
	__u64 slots[KT_RUNQ_HIST_SLOTS];
};

/* The bucket of a latency of ns nanoseconds: the bit length of its whole
 * microseconds. */
static inline __u32 kt_runq_hist_slot(__u64 ns)
{
	__u64 us = ns / 1000;
	__u32 bits = 0;

	if (us >> 32) { us >>= 32; bits += 32; }
	if (us >> 16) { us >>= 16; bits += 16; }
	if (us >> 8)  { us >>= 8;  bits += 8; }
	if (us >> 4)  { us >>= 4;  bits += 4; }
	if (us >> 2)  { us >>= 2;  bits += 2; }
	if (us >> 1)  { us >>= 1;  bits += 1; }
	return bits + (__u32)us;
}

#endif
