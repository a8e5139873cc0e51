-- SPDX-License-Identifier: GPL-2.0-or-later
-- Checks the kernel's off-CPU pairs (offwake_agree.lua's PAIRS) of
-- tests/workload/wake.c wakers against its manifest:
--   check_offwake.lua PAIRS MANIFEST
-- ping-pong: each process blocked reading its pipe and was woken by the
-- other's write, many times; the mutex: the worker blocked once on it, at
-- least the main thread's 50 ms sleep, and was woken by the main thread's
-- unlock; the sleep: the main thread's 50 ms nanosleep, ended by the timer
-- interrupt (irq).
local t = dofile(arg[0]:match("^(.*)/") .. "/jsonl.lua")
local pairs_, m = t.read_events(arg[1]), t.read_manifest(arg[2])
local SLEEP_NS = 50 * 1000000

-- A frame of the function, or (suffix) one whose name ends so: 6.1's
-- pipe_write is anon_pipe_write on 6.18.
local function has_frame(frames, name, suffix)
  for _, f in ipairs(frames or {}) do
    local fn = f:match("^([^+]+)")
    if fn == name or (suffix and fn:sub(-#name) == name) then return true end
  end
  return false
end

local main, child = m.main_pid, m.child_pid
local pipe_spells = { [main] = { [main] = 0, [child] = 0 }, [child] = { [main] = 0, [child] = 0 } }
local mutex, sleep_ns = {}, 0
for _, p in ipairs(pairs_) do
  local what = ("%s %d (%s) woken by %s %d"):format(p.comm, p.tgid, p.kstack[3] or "?", p.waker_comm, p.waker_tgid)
  -- before its exec, the -c child (comm keytime-run, the workload's pid)
  -- waits on keytime-run's start gate, a pipe keytime-run writes to
  local gate = p.comm ~= "wake" and p.waker_comm == "keytime-run"
  if has_frame(p.waker_kstack, "pipe_write", true) and pipe_spells[p.tgid] and not gate then
    t.expect(has_frame(p.kstack, "pipe_read", true) and not p.irq and pipe_spells[p.tgid][p.waker_tgid],
      "a pipe read ended by a write of the workload's", what)
    local by = pipe_spells[p.tgid]
    by[p.waker_tgid] = (by[p.waker_tgid] or 0) + p.count
  end
  if has_frame(p.waker_kstack, "futex_wake") and not has_frame(p.waker_kstack, "do_exit") and p.tgid == main then
    mutex[#mutex + 1] = p
  end
  if has_frame(p.waker_kstack, "hrtimer_wakeup") and p.tgid == main and has_frame(p.kstack, "do_nanosleep") then
    t.expect(p.irq, "sleep: the waker is the timer interrupt (irq)", what)
    sleep_ns = sleep_ns + p.ns
  end
end
-- ping-pong: each woken by the other; the main thread's only other pipe
-- wait is for the worker's "ready" byte (a read that finds its byte there
-- does not block: most rounds block one side)
local pp = pipe_spells[main][child] + pipe_spells[child][main]
t.expect(pp >= m.rounds / 4, "ping-pong: woken by the other process's pipe writes many times",
  ("parent %d, child %d of %d rounds"):format(pipe_spells[main][child], pipe_spells[child][main], m.rounds))
t.expect(pipe_spells[child][child] == 0 and pipe_spells[main][main] <= 1,
  "ping-pong: never woken by a write of its own process (but the worker's ready byte)",
  ("parent %d, child %d"):format(pipe_spells[main][main], pipe_spells[child][child]))
local function main_pairs()   -- what the main process's threads waited on, when the mutex check fails
  local out = {}
  for _, p in ipairs(pairs_) do
    if p.tgid == main then
      out[#out + 1] = ("[%s %d spells %d ns: %s <- %s by %s]"):format(p.comm, p.count, p.ns,
        table.concat(p.kstack or {}, ","), table.concat(p.waker_kstack or {}, ","), p.waker_comm)
    end
  end
  return table.concat(out, " ")
end
if t.expect(#mutex == 1, "mutex: one pair of a futex wait ended by an unlock", #mutex .. " " .. main_pairs()) then
  local p = mutex[1]
  t.expect(has_frame(p.kstack, "futex_wait") and p.count == 1 and p.waker_tgid == main and not p.irq,
    "mutex: the worker blocked once, woken by the main thread", ("%d spells, waker %d irq %s, stack %s <- %s"):format(
      p.count, p.waker_tgid, p.irq, table.concat(p.kstack or {"none"}, ","), table.concat(p.waker_kstack or {"none"}, ",")))
  -- asleep on the mutex before the main thread's sleep began (wake.c waits for that)
  t.expect(p.ns >= SLEEP_NS and p.ns < SLEEP_NS + 2e9 * t.time_scale, "mutex: the wait lasted the main thread's 50 ms sleep",
    ("%d ns"):format(p.ns))
end
t.expect(sleep_ns >= SLEEP_NS and sleep_ns < SLEEP_NS + 2e9 * t.time_scale,
  "sleep: the main thread slept its 50 ms in nanosleep, woken by the timer", ("%d ns"):format(sleep_ns))
t.finish("offwake pairs")
