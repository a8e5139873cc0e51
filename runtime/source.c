// SPDX-License-Identifier: GPL-2.0-or-later
/* The run's clock and counters, asked of the session's source (source.h). */
#include <string.h>
#include "session.h"
#include "source.h"

uint64_t kt_now_ns(struct kt_session *s)
{
	return s->source->now(s);
}

uint64_t kt_lost_total(struct kt_session *s, uint64_t by_kind[KT_KIND_MAX])
{
	if (by_kind)
		memset(by_kind, 0, KT_KIND_MAX * sizeof(*by_kind));
	return s->source->lost(s, by_kind);
}

uint64_t kt_untraced_total(struct kt_session *s, uint64_t by_reason[KT_UNTRACED_MAX])
{
	if (by_reason)
		memset(by_reason, 0, KT_UNTRACED_MAX * sizeof(*by_reason));
	return s->source->untraced(s, by_reason);
}

uint64_t kt_script_now(struct kt_session *s)
{
	return s->frozen_now ? s->frozen_now : kt_now_ns(s);
}
