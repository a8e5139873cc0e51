/* SPDX-License-Identifier: GPL-2.0-or-later */
/* keytime-run's messages on stderr (warn.c). */
#ifndef KT_WARN_H
#define KT_WARN_H

/* printf-like: one line, "keytime-run: " first, the newline added. */
void kt_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
