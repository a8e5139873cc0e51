-- SPDX-License-Identifier: GPL-2.0-or-later
-- keytime.lua's table made in Lua by lua/keytime/format.lua, the reference
-- for the rows the host writes in C (kt.emit("table")): run under
-- keytime-run on a replay, with the arguments keytime.lua got; the two
-- outputs must be the same bytes. (-x and --stack as keytime.lua takes them.)
local format = require "keytime.format"
local stack = false
for _, a in ipairs(kt.args) do
  if a == "--stack" then stack = true end
  if a == "-x" then kt.filter.exec_calls = true end
end
if stack then kt.filter.stacks = true end
local single_thread = kt.opts.pid ~= nil
local function clock(t) return (kt.strftime("%H:%M:%S", t)) end
io.stdout:write(format.RULE, "\n", format.heading(single_thread), "\n")
kt.on("*", function(e)
  io.stdout:write(format.row(clock(e.time), e, single_thread, kt.signame), "\n")
  if stack and e.kind == "offcpu" then
    for _, frame in ipairs(e.kstack) do io.stdout:write("        ", frame, "\n") end
  end
end)
