-- SPDX-License-Identifier: GPL-2.0-or-later
-- Run under keytime-run by tests/integration/wakeups.sh: every onCPU event
-- with run-queue latency as a JSON line, and with "wakeups" every wakeup
-- event too, with the waker's kernel stack.
--   keytime-run wake_events.lua [wakeups] -c WORKLOAD
kt.filter.runq = true
kt.on("oncpu", function(e) print(e:json()) end)
if kt.args[1] == "wakeups" then
  kt.filter.stacks = true
  kt.on("wakeup", function(e) print(e:json()) end)
end
