/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Changes made from outside by keytime-ctl (control.c). */
#ifndef KT_CONTROL_H
#define KT_CONTROL_H
#include <stdint.h>

struct kt_session;

void kt_control_poll(struct kt_session *s, uint64_t now);

#endif
