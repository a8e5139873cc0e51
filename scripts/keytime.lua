-- SPDX-License-Identifier: GPL-2.0-or-later
-- keytime.lua: every key moment of the targets' lives, one line each, in the
-- table of the original keytime_image tool (or as JSON lines with --json).
--   keytime-run scripts/keytime.lua --tgid 3184
--   keytime-run scripts/keytime.lua -c './myprog arg1' --json
local cli = require "keytime.cli"
local format = require "keytime.format"

local parser = cli.parser("keytime.lua", "Print each fork, vfork, thread, exec, exit and on/off-CPU switch of the targets.")
parser:flag("--stack", "The kernel stack of each offCPU: under its line, or as kstack in --json.")
parser:flag("--ustack", "The user stack of each offCPU (frame pointers needed): under its line, "
  .. "or as ustack in --json.")
parser:flag("--json", "One JSON object per line instead of the table (it has every field, cgroup and container_id too).")
-- Not --cgroup: keytime-run's own --cgroup PATH takes that name after the script too.
parser:flag("--show-cgroup", "A CGROUP column: the task's cgroup v2 path.")
parser:flag("--show-container", "A CONTAINER column: the container's id (12 digits), or - outside one.")
parser:flag("-x --exec-failures", "Also the exec syscalls themselves (exec_enter, exec_exit), failed ones too. "
  .. "Costs every process on the machine a little on every syscall.")
local args = parser:parse(kt.args)

local out = io.stdout
local single_thread = kt.opts.pid ~= nil

-- Stacks only when asked: capturing one costs every switch-out in the kernel.
if args.stack then kt.filter.stacks = true end
if args.ustack then kt.filter.ustacks = true end
if args.exec_failures then kt.filter.exec_calls = true end

-- The host writes each event's line in C (kt.emit): the same bytes as
-- format.row and format.json, which stay the reference (tests compare them).
if args.json then
  kt.emit("json")
else
  local cols = {}
  if args.show_cgroup then cols[#cols + 1] = "cgroup" end
  if args.show_container then cols[#cols + 1] = "container" end
  if #cols == 0 then
    out:write(format.RULE, "\n", format.heading(single_thread), "\n")
    kt.emit("table", { single_thread = single_thread, stack = args.stack, ustack = args.ustack })
  else
    -- Identity columns: written here, in Lua (kt.emit's table has none).
    -- HH:MM:SS, made once per second of the clock: the microseconds (%f) say
    -- where in its second a time falls, to within 999 ns on the safe side.
    local clock_from, clock_to, clock_text = 0, -1, nil
    local function clock(t)
      if t >= clock_from and t < clock_to then return clock_text end
      local text, us = kt.strftime("%H:%M:%S %f", t):match("^(.*) (%d+)$")
      local into = tonumber(us) * 1000
      clock_from, clock_to, clock_text = t - into, t - into - 999 + 1000000000, text
      return text
    end
    local extra = format.identity_heading(cols)
    out:write(format.RULE, "\n", format.heading(single_thread, extra), "\n")
    kt.on("*", function(e)
      out:write(format.row(clock(e.time), e, single_thread, kt.signame,
        format.identity_cells(e, cols)), "\n")
      if args.stack and e.kind == "offcpu" then
        for _, frame in ipairs(e.kstack) do out:write("        ", frame, "\n") end
      end
      if args.ustack and e.kind == "offcpu" then
        for _, frame in ipairs(e.ustack or {}) do out:write("        ", frame, "\n") end
      end
    end)
  end
end
