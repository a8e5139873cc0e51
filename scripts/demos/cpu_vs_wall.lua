-- SPDX-License-Identifier: GPL-2.0-or-later
-- cpu_vs_wall.lua: CPU time is not wall-clock time. Where a thread's
-- lifetime goes: running, waiting, or ready to run but without a CPU.
--
-- Run it with its workload (tests/workload/demo_cpu_wall.c, built by `make tests`):
--   sudo ./keytime-run scripts/demos/cpu_vs_wall.lua -c tests/build/demo_cpu_wall
--
-- The workload runs four threads for about 300 ms each: spin and spin2
-- compute all the time, half computes 5 ms and sleeps 5 ms in turn, nap
-- sleeps. Each prints the CPU time the kernel counted for it, to compare.
--
-- What to look for:
--  * Wall time is what a clock on the wall shows between a thread's start
--    and its end. CPU time is only the part it spent running on a CPU: the
--    sum of its intervals from onCPU to the next offCPU.
--  * The rest of the wall time is off the CPU, for one of two reasons:
--      WAITING  it could not go on (sleep, I/O, a lock): states S and D;
--      READY    it could, but every CPU was busy: it was preempted (state R)
--               and queued for a CPU. On an idle machine with enough CPUs,
--               spin is never READY; on a busy one it is, and its CPU time
--               falls below its wall time although it never waits.
--  * A process's CPU time is the sum of its threads': with threads running
--    at the same time on several CPUs, it can exceed its wall time.
local demo = require "keytime.demo"
local args = demo.start("cpu_vs_wall.lua", "demo_cpu_wall",
  "CPU time vs wall time, per thread and per process.")
local out = demo.output(args.json)

-- Per thread: when it went on or off the CPU, and the three sums.
local threads = {}   -- tid -> { comm=, tgid=, cpu=, waiting=, ready=, wall=, on=, off=, off_state= }
local order = {}

local function thread(e)
  local t = threads[e.pid]
  if not t then
    t = { tgid = e.tgid, cpu = 0, waiting = 0, ready = 0 }
    threads[e.pid] = t
    order[#order + 1] = e.pid
  end
  t.comm = e.comm
  return t
end

-- Ends the current interval of a thread at `time`, adding it to its sum.
local function close_interval(t, time)
  if t.on then
    t.cpu = t.cpu + (time - t.on)
    t.on = nil
  elseif t.off then
    local ns = time - t.off
    if t.off_state == "R" then t.ready = t.ready + ns else t.waiting = t.waiting + ns end
    t.last_off_ns, t.off = ns, nil
  end
end

-- A switch onto a CPU the kernel did not report (it happens on this kind of
-- VM; bpftrace misses the same ones): the interval just closed as "off" held
-- a run. Every switch record carries the kernel's own count of the thread's
-- CPU time (e.runtime), so the run's length is known: move it to CPU time.
local function mend_unseen_run(t, runtime)
  if not (t.rt_off and runtime and t.last_off_ns) then return end
  local ran = runtime - t.rt_off
  if ran <= 0 then return end
  ran = math.min(ran, t.last_off_ns)
  if t.off_state == "R" then t.ready = t.ready - ran else t.waiting = t.waiting - ran end
  t.cpu = t.cpu + ran
  t.missed = (t.missed or 0) + 1
end

kt.on("oncpu", function(e)
  local t = thread(e)
  close_interval(t, e.time)
  t.on = e.time
end)

kt.on("offcpu", function(e)
  local t = thread(e)
  if t.wall then                     -- the last switch of a thread that ended
    if t.off_at_exit then mend_unseen_run(t, e.runtime) end
    t.off_at_exit = nil
    return
  end
  -- Off twice in a row: its switch back onto a CPU was not seen.
  local unseen = t.off ~= nil
  close_interval(t, e.time)
  if unseen then mend_unseen_run(t, e.runtime) end
  t.off, t.off_state, t.rt_off = e.time, e.state, e.runtime
end)

-- The end of a thread: its wall time, start to exit, from the kernel. A
-- thread "off" the CPU when it exits ran unseen; its last switch tells how long.
kt.on("exit", function(e)
  local t = thread(e)
  t.off_at_exit = t.off ~= nil
  close_interval(t, e.time)
  t.wall = e.lifetime
end)

kt.on("end", function()
  local function row(name, tid, wall, cpu, waiting, ready)
    out.row("thread", { comm = name, tid = tid, wall_ns = wall, cpu_ns = cpu, waiting_ns = waiting, ready_ns = ready })
    out.text(("%-16s %-7s %10s %10s %6s %10s %10s"):format(name, tid, demo.ms(wall), demo.ms(cpu),
      ("%d%%"):format(math.floor(100 * cpu / wall + 0.5)), demo.ms(waiting), demo.ms(ready)))
  end
  out.text(("%-16s %-7s %10s %10s %6s %10s %10s"):format("THREAD", "TID", "WALL", "CPU", "CPU%", "WAITING", "READY"))
  local procs = {}
  for _, tid in ipairs(order) do
    local t = threads[tid]
    if t.wall and t.wall > 0 then
      row(t.comm, tid, t.wall, t.cpu, t.waiting, t.ready)
      local p = procs[t.tgid] or { cpu = 0 }
      procs[t.tgid] = p
      p.cpu = p.cpu + t.cpu
      if tid == t.tgid then p.wall, p.comm = t.wall, t.comm end
    end
  end
  for _, tid in ipairs(order) do
    local t = threads[tid]
    if t.missed then
      out.row("unseen_switches", { comm = t.comm, tid = tid, count = t.missed })
      out.text(("note: %d switch(es) of %s (%d) onto a CPU were not seen: their runs are counted from the kernel's own CPU time")
        :format(t.missed, t.comm, tid))
    end
  end
  for tgid, p in pairs(procs) do
    if p.wall then
      out.row("process", { comm = p.comm, tgid = tgid, wall_ns = p.wall, cpu_ns = p.cpu })
      out.text()
      out.text(("process %d (%s): %s of CPU time in %s of wall time (%d%%)"):format(tgid, p.comm,
        demo.ms(p.cpu), demo.ms(p.wall), math.floor(100 * p.cpu / p.wall + 0.5)))
      if p.cpu > p.wall then
        out.text("  more CPU than wall time: its threads ran at the same time on several CPUs")
      end
    end
  end
end)
