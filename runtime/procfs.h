/* Parsers of the /proc files keytime reads. They take a stream, so the unit
 * tests and the fuzzers (tests/fuzz/) can feed them any text. */
#ifndef KT_PROCFS_H
#define KT_PROCFS_H
#include <stdio.h>
#include <stddef.h>

/* The effective capability mask of a /proc/PID/status stream: the "CapEff:"
 * line, 1 to 16 hex digits. 0 when the line is missing or malformed, so a
 * status file we cannot read grants nothing. */
unsigned long long kt_procfs_capeff(FILE *status);

/* The command name of a /proc/PID/comm stream, its first line without the
 * newline, into buf (always terminated); "" when the stream is empty. */
const char *kt_procfs_comm(FILE *comm, char *buf, size_t len);

#endif
