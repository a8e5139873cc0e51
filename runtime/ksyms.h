/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Kernel symbols from /proc/kallsyms, for symbolizing kernel stacks. */
#ifndef KT_KSYMS_H
#define KT_KSYMS_H
#include <stdio.h>
#include <stdint.h>
#include <stddef.h>

struct kt_ksyms;

/* Parse a kallsyms-format stream; NULL on allocation failure. Lines that do
 * not parse are skipped. */
struct kt_ksyms *kt_ksyms_parse(FILE *in);
struct kt_ksyms *kt_ksyms_load(void);       /* /proc/kallsyms */
void kt_ksyms_free(struct kt_ksyms *k);
size_t kt_ksyms_count(const struct kt_ksyms *k);

/* Writes "name+0xoff" (or "0xaddr" when unknown) into buf. */
const char *kt_ksyms_format(const struct kt_ksyms *k, uint64_t addr, char *buf, size_t len);

#endif
