-- SPDX-License-Identifier: GPL-2.0-or-later
-- count_stacks.lua, on a recording: how many offCPU events it holds and how
-- many of them carry a kernel stack (stack_id >= 0: kt.filter.stacks was on).
local off, stacked = 0, 0
kt.on("offcpu", function(e)
  off = off + 1
  if e.stack_id >= 0 then stacked = stacked + 1 end
end)
kt.on("end", function() print(("offcpu=%d stacked=%d"):format(off, stacked)) end)
