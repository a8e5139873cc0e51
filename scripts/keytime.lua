-- SPDX-License-Identifier: GPL-2.0-or-later
-- keytime.lua: every key moment of the targets' lives, one line each, in the
-- table of the original keytime_image tool (or as JSON lines with --json).
--   keytime-run scripts/keytime.lua --tgid 3184
--   keytime-run scripts/keytime.lua -c './myprog arg1' --json
local cli = require "keytime.cli"
local format = require "keytime.format"

local parser = cli.parser("keytime.lua", "Print each fork, vfork, thread, exec, exit and on/off-CPU switch of the targets.")
parser:flag("--stack", "The kernel stack of each offCPU: under its line, or as kstack in --json.")
parser:flag("--json", "One JSON object per line instead of the table.")
parser:flag("-x --exec-failures", "Also the exec syscalls themselves (exec_enter, exec_exit), failed ones too. "
  .. "Costs every process on the machine a little on every syscall.")
local args = parser:parse(kt.args)

local out = io.stdout
local single_thread = kt.opts.pid ~= nil

-- Stacks only when asked: capturing one costs every switch-out in the kernel.
if args.stack then kt.filter.stacks = true end
if args.exec_failures then kt.filter.exec_calls = true end

-- The host writes each event's line in C (kt.emit): the same bytes as
-- format.row and format.json, which stay the reference (tests compare them).
if args.json then
  kt.emit("json")
else
  out:write(format.RULE, "\n", format.heading(single_thread), "\n")
  kt.emit("table", { single_thread = single_thread, stack = args.stack })
end
