-- SPDX-License-Identifier: GPL-2.0-or-later
-- offwake.lua: where the target's threads blocked and what woke them, the
-- offwaketime idea: off-CPU time summed by (wakee stack, waker stack) pair,
-- over the off-CPU spells a wake-up ended. Printed when the run ends as a
-- readable top list, or with --folded as folded stacks for flamegraph.pl or
-- speedscope (wakee comm; its stack, outermost first; "--"; the waker's
-- stack, innermost first; waker comm; then microseconds).
--   keytime-run scripts/offwake.lua --tgid 3184 --duration 10
--   keytime-run scripts/offwake.lua -c './server' --follow --folded | flamegraph.pl > offwake.svg
local cli = require "keytime.cli"
local stack = require "keytime.stack"
local duration = require "keytime.duration"

local parser = cli.parser("offwake.lua",
  "Off-CPU time of the target's threads by where they blocked (their kernel stack) and what woke them " ..
  "(the waker's kernel stack), printed when the run ends.")
parser:flag("--folded", "Folded stacks (for flamegraph.pl, speedscope) instead of the top list.")
parser:option("--top", "Pairs to show in the top list.", "10"):convert(math.tointeger)
parser:option("--depth", "Frames of each stack in the top list (0: all).", "5"):convert(math.tointeger)
local args = parser:parse(kt.args)
if not args.top or args.top < 1 then parser:error("--top needs a whole number >= 1") end
if not args.depth or args.depth < 0 then parser:error("--depth needs a whole number >= 0") end

kt.filter.stacks = true
local off = {}      -- pid -> { time, comm, stack, waker = { comm, stack } }
local totals = {}   -- folded key -> { us, count, wakee, waker }

kt.on("offcpu", function(e)
  if e.state == "R" or e.state == "X" then off[e.pid] = nil return end   -- preempted, or ended: no wake-up
  off[e.pid] = { time = e.time, comm = e.comm, stack = stack.below_scheduler(e.kstack, 0) }
end)

kt.on("wakeup", function(e)
  local o = off[e.pid]
  if o and not o.waker then
    o.waker = { comm = e.waker_irq and (e.waker_comm .. " (irq)") or e.waker_comm, stack = e.kstack }
  end
end)

local function folded(o)
  local parts = { o.comm }
  for i = #o.stack, 1, -1 do parts[#parts + 1] = stack.symbol(o.stack[i]) end
  parts[#parts + 1] = "--"
  for _, f in ipairs(o.waker.stack) do parts[#parts + 1] = stack.symbol(f) end
  parts[#parts + 1] = o.waker.comm
  return (table.concat(parts, ";"):gsub("%s", "_"))
end

kt.on("oncpu", function(e)
  local o = off[e.pid]
  off[e.pid] = nil
  if not (o and o.waker) then return end
  local key = folded(o)
  local t = totals[key]
  if not t then
    t = { ns = 0, count = 0, wakee = o, waker = o.waker }
    totals[key] = t
  end
  t.ns = t.ns + (e.time - o.time)
  t.count = t.count + 1
end)

kt.on("exit", function(e) off[e.pid] = nil end)

local function frames_text(frames, depth)
  local names = {}
  for i, f in ipairs(frames) do
    if depth > 0 and i > depth then names[#names + 1] = "..." break end
    names[#names + 1] = stack.symbol(f)
  end
  return #names > 0 and table.concat(names, " <- ") or "(no stack)"
end

kt.on("end", function()
  local list = {}
  for key, t in pairs(totals) do t.key = key; list[#list + 1] = t end
  table.sort(list, function(a, b) return a.ns > b.ns or (a.ns == b.ns and a.key < b.key) end)
  if args.folded then
    for _, t in ipairs(list) do print(("%s %d"):format(t.key, t.ns // 1000)) end
    return
  end
  if #list == 0 then print("no off-CPU spell ended by a wake-up was seen") return end
  for i = 1, math.min(args.top, #list) do
    local t = list[i]
    print(("%s in %d spell%s: %s blocked in  %s"):format(duration.ms(t.ns), t.count, t.count == 1 and "" or "s",
      t.wakee.comm, frames_text(t.wakee.stack, args.depth)))
    print(("    woken by %s from  %s"):format(t.waker.comm, frames_text(t.waker.stack, args.depth)))
  end
end)
