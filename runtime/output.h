// SPDX-License-Identifier: GPL-2.0-or-later
/* How the script's standard output is written (output.c). */
#ifndef KT_OUTPUT_H
#define KT_OUTPUT_H

/* Before anything is written: stdout in large blocks when it is a file or a
 * pipe, a line at a time on a terminal. Buffered output is written at the
 * end of every drain of the ring buffer and when the process exits. */
void kt_output_setup(void);

#endif
