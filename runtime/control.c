// SPDX-License-Identifier: GPL-2.0-or-later
/* Changes made from outside by keytime-ctl, through the pinned config map:
 * noticed on the loop's periodic check by a bumped generation number. */
#include <stdio.h>
#include <string.h>
#include "session.h"
#include "control.h"
#include "handlers.h"
#include "warn.h"

void kt_control_poll(struct kt_session *s, uint64_t now)
{
	struct kt_config c;
	int e;

	if (kt_config_get(&s->probes, &c) || c.generation == s->control_generation)
		return;
	s->control_generation = c.generation;
	if (c.finish) {
		s->stop = 1;
		return;
	}
	if (c.time_limit_s) {
		s->deadline_ns = c.time_limit_s == KT_NO_TIME_LIMIT ? 0 :
			now + (uint64_t)c.time_limit_s * 1000000000ULL;
		c.time_limit_s = 0;   /* applied once, not again at the next change */
		kt_config_set(&s->probes, &c);
	}
	/* -k: the switch program is attached only while it is wanted. */
	if ((c.cpu_events || c.runq_hist || c.offwake) != (s->probes.switch_link != NULL) &&
	    (e = kt_probes_set_cpu_events(&s->probes, c.cpu_events)))
		kt_warn("cannot switch onCPU/offCPU events: %s", strerror(-e));
	kt_lua_call_targets(s);
}
