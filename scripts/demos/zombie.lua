-- SPDX-License-Identifier: GPL-2.0-or-later
-- zombie.lua: the life of a zombie, from the child's exit to the parent's
-- waitpid.
--
-- Run it with its workload (tests/workload/demo_zombie.c, built by `make tests`):
--   sudo ./keytime-run scripts/demos/zombie.lua -c tests/build/demo_zombie
--
-- The workload forks a child that works 50 ms and exits with code 7; the
-- parent sleeps 500 ms before it calls waitpid().
--
-- What to look for:
--  * A process that exits does not vanish. The kernel frees its memory and
--    it never runs again, but it keeps its entry in the process table, with
--    its exit status, until the parent collects the status with wait():
--    meanwhile it is a zombie, state Z in /proc/PID/stat and in ps.
--  * The exit is an event (the probe sees the child end); the reap is not a
--    probe event here, so this script watches /proc: the entry stays while
--    the parent sleeps, and goes right after the parent wakes up and calls
--    waitpid.
--  * A zombie costs no CPU and no memory, only a pid; a parent that never
--    waits leaks pids (when it exits, init adopts and reaps its zombies).
local demo = require "keytime.demo"
local args = demo.start("zombie.lua", "demo_zombie",
  "The life of a zombie: child exit, then parent reap.")
local out = demo.output(args.json)

kt.filter.stacks = true

local say = out.step

local procfs = require "keytime.procfs"

-- The state letter of a process in /proc/PID/stat, or nil if it is gone.
local function proc_state(pid)
  local stat = procfs.stat(pid)
  return stat and stat.state
end

local children = {}   -- child pid -> { parent=, born=, exited=, reaped= }
local parents = {}    -- parent pid -> { asleep_at= }, while it sleeps after a fork

kt.on("fork", function(e)
  children[e.child_pid] = { parent = e.pid, born = e.time }
  parents[e.pid] = {}
  say(e.time, "parent %d forked child %d", e.pid, e.child_pid)
end)

-- What the parent does meanwhile: it goes to sleep, and not in wait4.
kt.on("offcpu", function(e)
  local p = parents[e.pid]
  if not p or p.asleep_at or e.state == "R" then return end
  p.asleep_at = e.time
  say(e.time, "parent %d goes to sleep in %s (state %s): it is not waiting for its child",
      e.pid, demo.syscall(e.kstack) or demo.where(e.kstack), e.state)
end)

kt.on("oncpu", function(e)
  local p = parents[e.pid]
  if not (p and p.asleep_at) then return end
  parents[e.pid] = nil
  say(e.time, "parent %d wakes up after %s; now it calls waitpid", e.pid, demo.ms(e.time - p.asleep_at))
end)

-- Watch a zombie in /proc until its parent reaps it.
local function watch(pid, c)
  local timer
  timer = kt.every(2, function()
    if proc_state(pid) == "Z" then return end
    timer:cancel()
    c.reaped = kt.now()
    say(c.reaped, "child %d is gone from /proc: its parent reaped it; it was a zombie for about %s",
        pid, demo.ms(c.reaped - c.exited))
  end)
end

-- What /proc says of the child. Its end is reported on its way out, a
-- moment before the kernel makes it a zombie: while it still runs its
-- exit (R), look again in 2 ms, for at most a second.
local function look(pid, c, tries)
  local state = proc_state(pid)
  if state and state ~= "Z" and tries < 500 then
    kt.after(2, function() look(pid, c, tries + 1) end)
    return
  end
  say(kt.now(), "/proc/%d/stat says state %s%s", pid, state or "(gone)",
      state == "Z" and ": a zombie, kept only for its exit status" or "")
  if state == "Z" then watch(pid, c) end
end

-- The parent is told when its child ends (no need to trace the child).
kt.on("fork_exit", function(e)
  local c = children[e.child_pid]
  if not c then return end
  c.exited, c.code = e.time, e.exit_code
  say(e.time, "child %d exited with code %d after %s: it will never run again",
      e.child_pid, e.exit_code, demo.ms(e.lifetime))
  look(e.child_pid, c, 0)
end)

kt.on("end", function()
  out.text()
  for pid, c in pairs(children) do
    if c.exited and c.reaped then
      out.row("zombie", { pid = pid, parent = c.parent, exit_code = c.code, ran_ns = c.exited - c.born,
        zombie_ns = c.reaped - c.exited })
      out.text(("child %d: ran %s, then was a zombie for %s until its parent %d reaped it"):format(
        pid, demo.ms(c.exited - c.born), demo.ms(c.reaped - c.exited), c.parent))
    end
  end
end)
