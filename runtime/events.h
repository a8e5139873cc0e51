/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Names and small decoders for event records: pure functions, unit-tested. */
#ifndef KT_EVENTS_H
#define KT_EVENTS_H
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "keytime.h"

/* The name scripts subscribe with ("fork") and the original tool's table
 * name ("forkP_enter"). NULL for an unknown kind. */
const char *kt_kind_name(unsigned kind);
const char *kt_kind_table_name(unsigned kind);
/* One line about the kind, for :help. */
const char *kt_kind_help(unsigned kind);
/* Kind from either name; 0 if unknown. */
unsigned kt_kind_from_name(const char *name);
/* Smallest record size valid for a kind; 0 for an unknown kind. */
size_t kt_kind_min_size(unsigned kind);
/* A ring-buffer record the host may decode: a known kind, and at least the
 * size of that kind's struct. */
bool kt_record_valid(const void *rec, size_t size);

/* Why a task was not traced: "filter_full", ...; "?" when unknown. */
const char *kt_untraced_name(unsigned reason);

/* One letter like ps(1) for an offCPU prev_state ("R" = preempted). */
const char *kt_state_letter(unsigned state);
/* "runnable", "sleeping", "uninterruptible", ... */
const char *kt_state_name(unsigned state);

/* "SIGKILL" for 9; NULL when unknown. */
const char *kt_signal_name(int sig);

/* The i-th argument kept in an exec record (i < argc). */
const char *kt_exec_arg(const struct kt_exec_enter *e, unsigned i);

/* The arguments of a KT_EXEC record, packed NUL-separated in args: up to
 * max pointers into it (the last may be cut short, without its NUL, when
 * the area was truncated; kt_exec_arg_len gives each one's length). */
int kt_exec_split_args(const struct kt_exec *e, const char **argv, int max);
size_t kt_exec_arg_len(const struct kt_exec *e, const char *arg);

#endif
