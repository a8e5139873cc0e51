// SPDX-License-Identifier: GPL-2.0-or-later
/* keytime-run's messages on stderr. */
#include <stdarg.h>
#include <stdio.h>
#include "warn.h"

void kt_warn(const char *fmt, ...)
{
	char msg[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "keytime-run: %s\n", msg);   /* one write: lines stay whole */
}
