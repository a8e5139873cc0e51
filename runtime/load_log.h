/* SPDX-License-Identifier: GPL-2.0-or-later */
/* What libbpf said while the probes were loading: kept so that a rejected
 * program is named with the verifier's reason in one line. */
#ifndef KT_LOAD_LOG_H
#define KT_LOAD_LOG_H
#include <stddef.h>

/* The first program libbpf reported as failing in log (its name into prog),
 * and the reason: the verifier's last words, or libbpf's own message.
 * 0, or -1 when the log names no program. */
int kt_load_log_failure(const char *log, char *prog, size_t proglen,
			char *reason, size_t reasonlen);

#endif
