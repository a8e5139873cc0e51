-- SPDX-License-Identifier: GPL-2.0-or-later
-- exec_image.lua: exec replaces the program a process runs, and nothing else
-- about who it is.
--
-- Run it with its workload (tests/workload/demo_exec.c, built by `make tests`):
--   sudo ./keytime-run scripts/demos/exec_image.lua -c tests/build/demo_exec
--
-- The workload starts a helper thread, tries to exec a program that does
-- not exist, then execs /bin/sh -c 'exec /bin/sleep 0.05'; sh in turn execs
-- sleep. (Before all that, keytime-run itself made the process, with fork,
-- and exec turned that copy of keytime-run into demo_exec.)
--
-- What to look for:
--  * The pid never changes: same process, same parent, new program. The
--    command name (comm) and the arguments (argv) are the new program's.
--  * A successful execve never returns to the old program: its code is gone.
--    The "return" the probe sees (exec_exit, ret 0) is already in the new one.
--  * A failed execve (here ENOENT) returns an error and changes nothing: the
--    old program simply goes on.
--  * Threads do not survive exec: the kernel ends every other thread of the
--    process, and the exec'ing thread waits for them (state D, in
--    begin_new_exec) before the new program starts.
local demo = require "keytime.demo"
local args = demo.start("exec_image.lua", "demo_exec",
  "exec replaces the program; the pid stays.")
local out = demo.output(args.json)

kt.filter.stacks = true

local ERRNO = { [2] = "ENOENT", [7] = "E2BIG", [8] = "ENOEXEC", [12] = "ENOMEM",
                [13] = "EACCES", [14] = "EFAULT", [20] = "ENOTDIR", [26] = "ETXTBSY" }

local say = out.step

local images = {}    -- tgid -> the command names it ran, in order
local failed = {}    -- tgid -> how many execs failed
local execing = {}   -- tgid -> the thread inside execve, between exec_enter and exec_exit

local function remember(tgid, comm)
  images[tgid] = images[tgid] or {}
  local list = images[tgid]
  if list[#list] ~= comm then list[#list + 1] = comm end
end

kt.on("exec_enter", function(e)
  remember(e.tgid, e.comm)
  execing[e.tgid] = e.pid
  local argv = #e.argv > 0 and table.concat(e.argv, " ") or "(not readable)"
  say(e.time, "pid %d (comm %s) calls execve %s, argv: %s", e.pid, e.comm, e.filename, argv)
end)

kt.on("exec_exit", function(e)
  execing[e.tgid] = nil
  if e.ret == 0 then
    -- This event already belongs to the new program: its comm is the new one.
    remember(e.tgid, e.comm)
    say(e.time, "exec succeeded: still pid %d, parent %d, now comm %s; the old program is gone",
        e.pid, e.ppid, e.comm)
  else
    failed[e.tgid] = (failed[e.tgid] or 0) + 1
    say(e.time, "exec failed: ret %d (%s); still comm %s, the old program goes on",
        e.ret, ERRNO[-e.ret] or "?", e.comm)
  end
end)

-- The exec'ing thread waiting for the others to go.
kt.on("offcpu", function(e)
  if execing[e.tgid] == e.pid and e.state ~= "R" and demo.has(e.kstack, "begin_new_exec") then
    say(e.time, "pid %d waits in begin_new_exec (state %s): the other threads must end first",
        e.pid, e.state)
  end
end)

kt.on("exit", function(e)
  if e.pid ~= e.tgid then
    say(e.time, "thread %d of process %d ended%s", e.pid, e.tgid,
        execing[e.tgid] and ": exec keeps only the thread that called it" or "")
  elseif e.group_dead then
    say(e.time, "process %d (%s) exited with code %d", e.pid, e.comm, e.exit_code)
  end
end)

kt.on("end", function()
  out.text()
  for tgid, list in pairs(images) do
    out.row("process", { pid = tgid, programs = list, failed_execs = failed[tgid] or 0 })
    out.text(("pid %d ran %d programs, one after the other: %s (and %d failed exec)"):format(
      tgid, #list, table.concat(list, " -> "), failed[tgid] or 0))
  end
end)
