-- SPDX-License-Identifier: GPL-2.0-or-later
-- Checks wake_events.lua's output against tests/workload/wake.c's manifest.
--   check_wake.lua runq EVENTS MANIFEST
--     per contending thread, the sum of onCPU runq_latency up to its reading
--     of schedstat is within 2% of the kernel's own run-queue wait
--   check_wake.lua wakers EVENTS MANIFEST
--     ping-pong: each process's wake-ups came from the other; the mutex:
--     the worker was woken by the main thread; the sleep: by an interrupt
local t = dofile(arg[0]:match("^(.*)/") .. "/jsonl.lua")
local mode, events, m = arg[1], t.read_events(arg[2]), t.read_manifest(arg[3])

-- A frame of the function, or (suffix) one whose name ends so: 6.1's
-- pipe_write is anon_pipe_write on 6.18.
local function has_frame(e, name, suffix)
  for _, f in ipairs(e.kstack or {}) do
    local fn = f:match("^([^+]+)")
    if fn == name or (suffix and fn:sub(-#name) == name) then return true end
  end
  return false
end

if mode == "runq" then
  for _, th in ipairs({ "a", "b" }) do
    local tid, kernel, read_ns = m[th .. "_tid"], m[th .. "_run_delay_ns"], m[th .. "_read_ns"]
    local sum, n, unknown = 0, 0, 0
    for _, e in ipairs(events) do
      if e.kind == "oncpu" and e.pid == tid and e.time <= read_ns then
        if e.runq_latency then sum, n = sum + e.runq_latency, n + 1 else unknown = unknown + 1 end
      end
    end
    local err = kernel > 0 and (sum - kernel) / kernel or 1
    -- (a switch-in with no event seen now and then: its wait is carried to the next one)
    print(("thread %s: runq_latency sum %.3f ms over %d switch-ins (%d unknown), schedstat %.3f ms over %d runs, error %+.3f%%"):format(
      th, sum / 1e6, n, unknown, kernel / 1e6, m[th .. "_runs"], err * 100))
    t.expect(kernel > 100e6, th .. ": the kernel counts a wait of the contending thread", tostring(kernel))
    t.expect(n >= 10, th .. ": many switch-ins with a run-queue wait", tostring(n))
    t.expect(unknown == 0, th .. ": every switch-in's wait known (woken or preempted, both seen)", tostring(unknown))
    t.expect_clocks_agree(math.abs(err) < 0.02, th .. ": sum of runq_latency within 2% of schedstat's run_delay",
      ("%d ns vs %d ns"):format(sum, kernel))
  end
  t.finish("runq latency")
  return
end

-- wakers
local main, child, worker = m.main_pid, m.child_pid, m.worker_tid
local pipe_wakes = { [main] = 0, [child] = 0 }
for _, e in ipairs(events) do
  if e.kind == "wakeup" and pipe_wakes[e.pid] and e.time >= m.pingpong_start_ns and e.time <= m.pingpong_end_ns and
      has_frame(e, "pipe_write", true) then
    local other = e.pid == main and child or main
    pipe_wakes[e.pid] = pipe_wakes[e.pid] + 1
    t.expect(e.waker_pid == other and e.waker_tgid == other and e.waker_irq == false,
      ("ping-pong: %d woken by the other process %d"):format(e.pid, other), ("waker %s irq %s"):format(e.waker_pid, e.waker_irq))
  end
end
-- (a read that finds its byte there already does not block: on a busy
-- machine, or when a write preempts the writer, one side may hardly ever
-- block, but in most rounds one of the two does)
t.expect(pipe_wakes[main] + pipe_wakes[child] >= m.rounds / 4, "ping-pong: woken by pipe writes many times",
  ("parent %d, child %d"):format(pipe_wakes[main], pipe_wakes[child]))

local futex = t.find_all(events, { kind = "wakeup", pid = worker })
local by_unlock = {}
for _, e in ipairs(futex) do
  if has_frame(e, "futex_wake") then by_unlock[#by_unlock + 1] = e end
end
if t.expect(#by_unlock == 1, "mutex: the worker woken once by a futex wake", tostring(#by_unlock)) then
  local e = by_unlock[1]
  t.expect(e.waker_pid == main and e.waker_tgid == main and e.waker_irq == false and e.tgid == main,
    "mutex: the main thread woke the worker", ("waker %s irq %s"):format(e.waker_pid, e.waker_irq))
end

local timer = {}
for _, e in ipairs(t.find_all(events, { kind = "wakeup", pid = main })) do
  if has_frame(e, "hrtimer_wakeup") then timer[#timer + 1] = e end
end
if t.expect(#timer == 1, "sleep: the main thread woken once by its timer", tostring(#timer)) then
  t.expect(timer[1].waker_irq == true, "sleep: the waker is the timer interrupt (waker_irq)",
    ("waker %s (%s) irq %s"):format(timer[1].waker_pid, timer[1].waker_comm, timer[1].waker_irq))
end

-- onCPU names the waker of the spell it ends: the worker's first run after the unlock
local after
for _, e in ipairs(events) do
  if e.kind == "oncpu" and e.pid == worker and by_unlock[1] and e.time >= by_unlock[1].time then after = e break end
end
t.expect(after and after.waker_pid == main and after.runq_latency and after.runq_latency >= 0,
  "mutex: the worker's next onCPU has waker_pid = the main thread and a runq_latency",
  after and ("%s %s"):format(after.waker_pid, after.runq_latency) or "none")
t.finish("wakers")
