-- SPDX-License-Identifier: GPL-2.0-or-later
-- offwake.lua: where the target's threads blocked and what woke them, the
-- offwaketime idea: off-CPU time summed by (wakee stack, waker stack) pair,
-- over the off-CPU spells a wake-up ended. Printed when the run ends as a
-- readable top list, or with --folded as folded stacks for flamegraph.pl or
-- speedscope (wakee comm; its stack, outermost first; "--"; the waker's
-- stack, innermost first; waker comm; then microseconds). With --ustack,
-- each side's user stack follows its kernel stack.
--   keytime-run scripts/offwake.lua --tgid 3184 --duration 10
--   keytime-run scripts/offwake.lua -c './server' --follow --folded | flamegraph.pl > offwake.svg
-- Live, the kernel sums the pairs (kt.filter.offwake) and no switch or
-- wake-up event comes up; recording or replaying (or with --events), they
-- are summed here from offCPU, wakeup and onCPU events, which the recording
-- keeps. A stack the kernel's stack map could not keep shows as
-- "(stack not kept)", not as no stack.
local cli = require "keytime.cli"
local stack = require "keytime.stack"
local duration = require "keytime.duration"

local parser = cli.parser("offwake.lua",
  "Off-CPU time of the target's threads by where they blocked (their kernel stack) and what woke them " ..
  "(the waker's kernel stack), printed when the run ends.")
parser:flag("--ustack", "Each side's user stack too (frame pointers needed), after its kernel stack.")
parser:flag("--folded", "Folded stacks (for flamegraph.pl, speedscope) instead of the top list.")
parser:option("--top", "Pairs to show in the top list.", "10"):convert(math.tointeger)
parser:option("--depth", "Frames of each stack in the top list (0: all).", "5"):convert(math.tointeger)
parser:flag("--events", "Sum the pairs from offCPU, wakeup and onCPU events here rather than in the kernel.")
local args = parser:parse(kt.args)
if not args.top or args.top < 1 then parser:error("--top needs a whole number >= 1") end
if not args.depth or args.depth < 0 then parser:error("--depth needs a whole number >= 0") end

local in_kernel = not (args.events or kt.replaying or kt.recording)

if args.ustack then kt.filter.ustacks = true end
local frames_of = {}   -- stack id -> frames (innermost first)
local totals = {}      -- pair key -> { ns, count, comm, stack_id, ukey, waker }
-- User stacks (--ustack) come as frames, not ids: keyed by their text.
local ustack_of = { [""] = {} }   -- ukey -> frames (innermost first)
local function ukey_of(frames)
  if not args.ustack then return "" end
  frames = frames or {}
  local key = table.concat(frames, "\1")
  if not ustack_of[key] then ustack_of[key] = frames end
  return key
end
local function ukey(e) return ukey_of(args.ustack and e.ustack) end

-- The kernel's pairs, as the events' would be.
local not_counted = 0
local function take_kernel_totals()
  local got
  got, not_counted = kt.offwake()
  for i, p in ipairs(got) do
    local w = p.waker
    if p.stack_id >= 0 and not frames_of[p.stack_id] then frames_of[p.stack_id] = stack.below_scheduler(p.kstack, 0) end
    if w.stack_id >= 0 and not frames_of[w.stack_id] then frames_of[w.stack_id] = w.kstack end
    totals[i] = { ns = p.ns, count = p.count, comm = p.comm, stack_id = p.stack_id, ukey = ukey_of(p.ustack),
                  waker = { comm = w.irq and (w.comm .. " (irq)") or w.comm, stack_id = w.stack_id,
                            ukey = ukey_of(w.ustack) } }
  end
end

if in_kernel then
  kt.filter.offwake = true
  kt.every(1000, function() kt.offwake("collect") end)   -- frees the pairs of processes gone
else
  kt.filter.stacks = true
  kt.backlog()   -- it prints at the end: a burst may wait rather than be lost
  -- Events carry stack ids; each id's frames are read once (at the end), and
  -- a pair is keyed by ids and comms: little work per event, so a busy target
  -- does not outrun the script.
  local off = {}         -- pid -> { time, comm, stack_id, waker }

  kt.on("offcpu", function(e)
    local state = e.state
    if state == "R" or state == "X" then off[e.pid] = nil return end   -- preempted, or ended: no wake-up
    local id = e.stack_id
    if id >= 0 and not frames_of[id] then frames_of[id] = stack.below_scheduler(e.kstack, 0) end
    off[e.pid] = { time = e.time, comm = e.comm, stack_id = id, ukey = ukey(e) }
  end)

  kt.on("wakeup", function(e)
    local o = off[e.pid]
    if o and not o.waker then
      local id = e.stack_id
      if id >= 0 and not frames_of[id] then frames_of[id] = e.kstack end
      o.waker = { comm = e.waker_irq and (e.waker_comm .. " (irq)") or e.waker_comm, stack_id = id,
                  ukey = ukey(e) }
    end
  end)

  kt.on("oncpu", function(e)
    local pid = e.pid
    local o = off[pid]
    off[pid] = nil
    if not (o and o.waker) then return end
    local w = o.waker
    local key = o.comm .. "\0" .. o.stack_id .. "\0" .. w.stack_id .. "\0" .. w.comm .. "\0" .. o.ukey .. "\0" .. w.ukey
    local t = totals[key]
    if not t then
      t = { ns = 0, count = 0, comm = o.comm, stack_id = o.stack_id, ukey = o.ukey, waker = w }
      totals[key] = t
    end
    t.ns = t.ns + (e.time - o.time)
    t.count = t.count + 1
  end)

  kt.on("exit", function(e) off[e.pid] = nil end)
end

-- A side's frames, innermost first: its kernel stack, then its user stack.
-- A stack id below -1 is the kernel's -errno: it could not keep the stack.
local function side(s)
  local frames = {}
  if s.stack_id < -1 then frames[1] = "(stack not kept)" end
  for _, f in ipairs(frames_of[s.stack_id] or {}) do frames[#frames + 1] = f end
  for _, f in ipairs(ustack_of[s.ukey]) do frames[#frames + 1] = f end
  return frames
end

-- wakee comm; its stack, outermost first; --; the waker's, innermost first; waker comm
local function folded(t)
  local parts = { t.comm }
  local wakee = side(t)
  for i = #wakee, 1, -1 do parts[#parts + 1] = stack.symbol(wakee[i]) end
  parts[#parts + 1] = "--"
  for _, f in ipairs(side(t.waker)) do parts[#parts + 1] = stack.symbol(f) end
  parts[#parts + 1] = t.waker.comm
  return (table.concat(parts, ";"):gsub("%s", "_"))
end

local function frames_text(frames, depth)
  local names = {}
  for i, f in ipairs(frames) do
    if depth > 0 and i > depth then names[#names + 1] = "..." break end
    names[#names + 1] = stack.symbol(f)
  end
  return #names > 0 and table.concat(names, " <- ") or "(no stack)"
end

kt.on("end", function()
  if in_kernel then take_kernel_totals() end
  if not_counted > 0 then
    io.stderr:write(("offwake.lua: %d off-CPU spells not counted: the kernel's map of pairs was full\n"):format(not_counted))
  end
  -- pairs whose stacks read the same (two ids, same frames) are one
  local merged, list = {}, {}
  for _, t in pairs(totals) do
    local key = folded(t)
    local m = merged[key]
    if m then
      m.ns, m.count = m.ns + t.ns, m.count + t.count
    else
      t.key = key
      merged[key] = t
      list[#list + 1] = t
    end
  end
  table.sort(list, function(a, b) return a.ns > b.ns or (a.ns == b.ns and a.key < b.key) end)
  if args.folded then
    for _, t in ipairs(list) do print(("%s %d"):format(t.key, t.ns // 1000)) end
    return
  end
  if #list == 0 then print("no off-CPU spell ended by a wake-up was seen") return end
  for i = 1, math.min(args.top, #list) do
    local t = list[i]
    print(("%s in %d spell%s: %s blocked in  %s"):format(duration.ms(t.ns), t.count, t.count == 1 and "" or "s",
      t.comm, frames_text(side(t), args.depth)))
    print(("    woken by %s from  %s"):format(t.waker.comm, frames_text(side(t.waker), args.depth)))
  end
end)
