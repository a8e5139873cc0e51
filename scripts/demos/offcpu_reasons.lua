-- SPDX-License-Identifier: GPL-2.0-or-later
-- offcpu_reasons.lua: why a thread leaves the CPU, read from its state and
-- its kernel stack at each switch.
--
-- Run it with its workload (tests/workload/demo_offcpu.c, built by `make tests`):
--   sudo ./keytime-run scripts/demos/offcpu_reasons.lua -c tests/build/demo_offcpu
--
-- The workload has one thread per reason: sleeper (sleeps), reader (reads an
-- empty pipe), locker (waits for a mutex), disk (writes a file and waits
-- for the disk with fsync), spinner1 and spinner2 (both compute on CPU 0).
--
-- What to look for:
--  * A thread leaves the CPU (a context switch, seen as offCPU) either
--    because it has to wait for something, or because the scheduler takes
--    the CPU away from it. The state it leaves in tells which:
--      S  sleeping, interruptible: waiting for an event (a timer, data, a
--         lock); a signal can wake it.
--      D  uninterruptible: waiting for something that must finish first,
--         typically the disk; it cannot be interrupted, and it counts in
--         the load average.
--      R  still runnable: it did not want to stop. It was preempted,
--         because its time slice ended or a more deserving task woke up.
--  * The kernel stack (innermost function first) tells what it waits for:
--    do_nanosleep (it asked to sleep), futex_* (a lock or a condition),
--    pipe_read (data from a pipe), io_schedule (the disk).
--  * The time off the CPU is measured from each offCPU to the thread's next
--    onCPU. Now and then the kernel runs no probe for a switch-in: the next
--    offCPU then comes with none between. The time the thread ran since
--    (its runtime, as the kernel counts it) says when that switch-in was.
local demo = require "keytime.demo"
local args = demo.start("offcpu_reasons.lua", "demo_offcpu",
  "Why a thread leaves the CPU: sleep, I/O, lock, preemption.")
local out = demo.output(args.json)

kt.filter.stacks = true

-- Reasons, first match wins: a state, and a word of a kernel function on
-- the stack (nil: any stack).
local REASONS = {
  { "R", nil,               "preempted: it could run, another task got the CPU" },
  { "D", "io_schedule",     "waiting for the disk (I/O)" },
  { "D", "affine_move_task","moving to another CPU (sched_setaffinity)" },
  { "D", "begin_new_exec",  "exec: waiting for the other threads to end" },
  { "D", "kernel_clone",    "vfork: held until the child execs or exits" },
  { "D", nil,               "uninterruptible wait in the kernel" },
  { "S", "nanosleep",       "sleeping: it asked to (nanosleep)" },
  { "S", "futex",           "waiting for a lock or a condition (futex)" },
  { "S", "pipe_read",       "waiting for data from a pipe" },
  { "S", "pipe_write",      "waiting for room in a pipe" },
  { "S", "do_wait",         "waiting for a child to end (wait)" },
  { "S", "poll",            "waiting for file descriptors (poll, epoll, select)" },
  { "S", nil,               "sleeping in the kernel" },
}

local function reason(state, frames)
  for _, r in ipairs(REASONS) do
    if r[1] == state and (r[2] == nil or demo.has(frames, r[2])) then return r[3] end
  end
  return "state " .. state
end

local threads = {}   -- tid -> { comm=, order=, reasons = { why -> totals } }
local order = 0
local off = {}       -- tid -> the offCPU event that began its time off the CPU

local function thread(e)
  local t = threads[e.pid]
  if not t then
    order = order + 1
    t = { order = order, reasons = {} }
    threads[e.pid] = t
  end
  t.comm = e.comm    -- the latest name: threads are named after they start
  return t
end

-- The time off the CPU that began with o and ended at time `back`.
local function count(t, o, back)
  local ns = back - o.time
  local why = reason(o.state, o.frames)
  local r = t.reasons[why]
  if not r then
    r = { state = o.state, why = why, times = 0, total = 0, longest = 0 }
    t.reasons[why] = r
  end
  r.times, r.total = r.times + 1, r.total + ns
  if ns >= r.longest then r.longest, r.where = ns, demo.path(o.frames, 3) end
end

kt.on("offcpu", function(e)
  local t, o = thread(e), off[e.pid]
  if o and e.runtime and o.runtime and e.runtime >= o.runtime then   -- its switch-in was not seen
    count(t, o, math.max(o.time, e.time - (e.runtime - o.runtime)))
  end
  off[e.pid] = nil
  if e.state == "X" then return end    -- its very last switch: it ended
  off[e.pid] = { time = e.time, state = e.state, frames = e.kstack, runtime = e.runtime }
end)

kt.on("oncpu", function(e)
  local t, o = thread(e), off[e.pid]
  if not o then return end
  off[e.pid] = nil
  count(t, o, e.time)
end)

kt.on("end", function()
  local list = {}
  for tid, t in pairs(threads) do t.tid = tid; list[#list + 1] = t end
  table.sort(list, function(a, b) return a.order < b.order end)
  out.text(("%-12s %-7s %-5s %-50s %5s %10s %10s  %s"):format(
    "THREAD", "TID", "STATE", "WHY IT LEFT THE CPU", "TIMES", "TOTAL", "LONGEST", "WHERE (longest; innermost first)"))
  for _, t in ipairs(list) do
    local rs = {}
    for _, r in pairs(t.reasons) do rs[#rs + 1] = r end
    table.sort(rs, function(a, b) return a.total > b.total end)
    for _, r in ipairs(rs) do
      out.row("reason", { comm = t.comm, tid = t.tid, state = r.state, why = r.why, times = r.times,
        total_ns = r.total, longest_ns = r.longest, where = r.where })
      out.text(("%-12s %-7d %-5s %-50s %5d %10s %10s  %s"):format(t.comm, t.tid, r.state, r.why,
        r.times, demo.ms(r.total), demo.ms(r.longest), r.where))
    end
  end
end)
