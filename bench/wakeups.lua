-- SPDX-License-Identifier: GPL-2.0-or-later
-- wakeups.lua: wakeup events on (the wake-up probes attached), each counted
-- by bench/end_report.lua, nothing else done with them.
kt.on("wakeup", function() end)
