/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What keytime reads of other processes: whether one exists, and parsers
 * of the /proc files, which take a stream, so the unit tests and the
 * fuzzers (tests/fuzz/) can feed them any text. */
#ifndef KT_PROCFS_H
#define KT_PROCFS_H
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>

/* The effective capability mask of a /proc/PID/status stream: the "CapEff:"
 * line, 1 to 16 hex digits. 0 when the line is missing or malformed, so a
 * status file we cannot read grants nothing. */
unsigned long long kt_procfs_capeff(FILE *status);

/* The command name of a /proc/PID/comm stream, its first line without the
 * newline, into buf (always terminated); "" when the stream is empty. */
const char *kt_procfs_comm(FILE *comm, char *buf, size_t len);

/* A process (or thread) with this id exists, ours to signal or not. */
bool kt_process_exists(long long id);

#endif
