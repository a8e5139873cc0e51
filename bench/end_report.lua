-- SPDX-License-Identifier: GPL-2.0-or-later
-- end_report.lua: what a benchmark run of keytime-run delivered, as one line
-- on stderr when the run ends (stdout may be /dev/null):
--   bench: events=N lost=N lifecycle=N
-- lifecycle: the events that are not onCPU/offCPU, to compare with what the
-- workload did.
kt.on("end", function(stats)
  local lifecycle = 0
  for kind, n in pairs(stats.by_kind) do
    if kind ~= "oncpu" and kind ~= "offcpu" then lifecycle = lifecycle + n end
  end
  io.stderr:write(("bench: events=%d lost=%d lifecycle=%d\n"):format(
    stats.events, stats.lost, lifecycle))
end)
