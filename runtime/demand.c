// SPDX-License-Identifier: GPL-2.0-or-later
/* The probes a run attaches only when its script wants their events: the
 * execve syscall programs (exec_enter, exec_exit), which slow every syscall
 * on the machine, and the sched_switch program (oncpu, offcpu), which runs
 * at every context switch. A script that handles neither costs the traced
 * system only the creation, exec and exit probes.
 * The switch program follows the script unless someone chose: -k, a script
 * setting kt.filter.cpu, keytime-ctl -k (which acts on the config map), or
 * --record (a recording keeps every event for the scripts that replay it).
 * The wake-up programs (wakeup), which run at every wake-up, only for a
 * script that handles wakeup itself ("*" does not ask for them) or sets
 * kt.filter.runq. */
#include "session.h"
#include "demand.h"
#include "source.h"

static bool switch_follows_script(struct kt_session *s)
{
	return s->probes.skel &&   /* no probes: a replay, or bench/hostpath.c */
	       !s->opts->cpu_given && !s->cpu_chosen && !s->opts->record;
}

int kt_demand_subscribed(struct kt_session *s, int kind)
{
	if ((kind == KT_EXEC_ENTER || kind == KT_EXEC_EXIT) && !s->probes.exec_calls)
		return s->source->set_exec_calls(s, true);
	if (kind == KT_WAKEUP)
		return s->source->set_wake(s, 1, -1);
	if ((kind == KT_DEMAND_ANY || kind == KT_ONCPU || kind == KT_OFFCPU) &&
	    switch_follows_script(s) && !s->probes.switch_link)
		return s->source->set_cpu_events(s, true);
	return 0;
}

int kt_demand_script_loaded(struct kt_session *s)
{
	bool wanted = s->emit || s->nhandlers[KT_DEMAND_ANY] || s->nhandlers[KT_ONCPU] ||
		      s->nhandlers[KT_OFFCPU];

	if (!s->nhandlers[KT_WAKEUP] && s->probes.wake_ctx_links[0]) {   /* on for events only */
		int e = s->source->set_wake(s, 0, -1);
		if (e)
			return e;
	}
	if (switch_follows_script(s) && !wanted && s->probes.switch_link)
		return s->source->set_cpu_events(s, false);
	return 0;
}
