-- SPDX-License-Identifier: GPL-2.0-or-later
-- Run under keytime-run by tests/integration/offwake_kernel.sh: the
-- kernel's off-CPU totals by (wakee, waker) (kt.filter.offwake) and the
-- same summed here from the offCPU, wakeup and onCPU events of the same
-- run, as offwake.lua's --events does, side by side. The kernel's pairs
-- go to PAIRS as JSON lines (for check_offwake.lua); at the end, one line
-- per pair the two disagree on, then
--   pairs=N spells=N event_spells=N lost=N not_counted=N differ=N raced=N stacks_not_kept=N
-- A wake-up racing its wakee's switch-out on another CPU may be taken by
-- one way and not the other (the records' order in the ring buffer and the
-- probes' order at the thread's entry agree but for a few instructions,
-- which a preempted vCPU stretches; in a ping-pong across two CPUs the
-- answer often comes while the other side is still switching out): such a
-- spell is short, since the wakee runs again soon after. "raced": pairs
-- off by a few such spells (3, or 5% of them; 1 ms each); "differ": pairs
-- off by more.
--   keytime-run offwake_agree.lua PAIRS [ustack] -c WORKLOAD
local json = require "keytime.json"
local pairs_path, ustack = kt.args[1], kt.args[2] == "ustack"
kt.filter.stacks = true
if ustack then kt.filter.ustacks = true end
kt.filter.offwake = true
local off, mine = {}, {}
local RACE_NS = 1000000 * (tonumber(os.getenv("KEYTIME_TIME_SCALE")) or 1)
local function raced(k, m)   -- k, m: { ns, count } or nil
  k, m = k or { ns = 0, count = 0 }, m or { ns = 0, count = 0 }
  local dc = math.abs(k.count - m.count)
  return dc <= math.max(3, math.max(k.count, m.count) // 20) and math.abs(k.ns - m.ns) <= (dc + 1) * RACE_NS
end

-- A pair's key: both sides' process, comm, stack ids and user frames.
local function key(tgid, comm, stack_id, ustack_frames, w)
  return table.concat({ tgid, comm, stack_id, table.concat(ustack_frames or {}, "|"), w.tgid, w.comm,
                        w.stack_id, table.concat(w.ustack or {}, "|"), tostring(w.irq) }, ";")
end

kt.on("offcpu", function(e)
  if e.state == "R" or e.state == "X" then off[e.pid] = nil return end
  off[e.pid] = { time = e.time, tgid = e.tgid, comm = e.comm, stack_id = e.stack_id, ustack = e.ustack }
end)
kt.on("wakeup", function(e)
  local o = off[e.pid]
  if o and not o.waker then
    o.waker = { tgid = e.waker_tgid, comm = e.waker_comm, stack_id = e.stack_id, ustack = e.ustack, irq = e.waker_irq }
  end
end)
kt.on("oncpu", function(e)
  local o = off[e.pid]
  off[e.pid] = nil
  if not (o and o.waker) then return end
  local k = key(o.tgid, o.comm, o.stack_id, o.ustack, o.waker)
  local m = mine[k] or { ns = 0, count = 0 }
  mine[k] = m
  m.ns, m.count = m.ns + (e.time - o.time), m.count + 1
end)
kt.on("exit", function(e) off[e.pid] = nil end)

kt.on("end", function(stats)
  local got, not_counted = kt.offwake()
  local f = assert(io.open(pairs_path, "w"))
  local n, spells, event_spells, differ, close, kern = 0, 0, 0, 0, 0, {}
  for _, p in ipairs(got) do
    local w = p.waker
    f:write(json.encode({ tgid = p.tgid, comm = p.comm, stack_id = p.stack_id, kstack = p.kstack, ns = p.ns,
      count = p.count, waker_tgid = w.tgid, waker_comm = w.comm, waker_stack_id = w.stack_id,
      waker_kstack = w.kstack, irq = w.irq }), "\n")
    -- Two user stack ids can name the same frames (by address, a walk
    -- that ends in different garbage past the last frame it can name):
    -- the kernel keeps them apart, the events' key is their text.
    local k = key(p.tgid, p.comm, p.stack_id, p.ustack, w)
    local t = kern[k] or { ns = 0, count = 0 }
    kern[k] = t
    t.ns, t.count = t.ns + p.ns, t.count + p.count
    n, spells = n + 1, spells + p.count
  end
  f:close()
  for k, t in pairs(kern) do
    local m = mine[k]
    if not m or m.ns ~= t.ns or m.count ~= t.count then
      if raced(t, m) then close = close + 1 else differ = differ + 1 end
      print(("%s: kernel %d spells %d ns; events %s"):format(k, t.count, t.ns,
        m and ("%d spells %d ns"):format(m.count, m.ns) or "none"))
    end
  end
  for k, m in pairs(mine) do
    event_spells = event_spells + m.count
    if not kern[k] then
      if raced(nil, m) then close = close + 1 else differ = differ + 1 end
      print(("%s: kernel none; events %d spells %d ns"):format(k, m.count, m.ns))
    end
  end
  print(("pairs=%d spells=%d event_spells=%d lost=%d not_counted=%d differ=%d raced=%d stacks_not_kept=%d"):format(
    n, spells, event_spells, stats.lost, not_counted, differ, close, kt.stats().stacks_not_kept))
end)
