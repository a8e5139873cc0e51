-- SPDX-License-Identifier: GPL-2.0-or-later
-- offcpu.lua: a line whenever a target thread stays off-CPU longer than a
-- threshold: when it left the CPU, who, for how long, in which state, who
-- woke it (the waker's pid and comm; waker_irq=true: an interrupt, a timer
-- say, woke it), and the kernel stack that put it there.
--   keytime-run scripts/alerts/offcpu.lua --tgid 3184 --threshold-ms 50
--   keytime-run scripts/alerts/offcpu.lua -c './server' --follow --threshold-ms 10 --depth 0
--
-- 18:02:11.123456 OFFCPU pid=3190 tgid=3184 comm=worker off=212.3ms state=S(sleeping)
--     waker=3184 waker_comm=server waker_irq=false stack=futex_wait_queue+0x61 <- __futex_wait+0x8a <- ...
-- With --json, one object per line instead:
-- {"event":"offcpu","time":...,"pid":3190,"tgid":3184,"comm":"worker","off_ns":212300000,"state":"S",...,"stack":[...]}
local cli = require "keytime.cli"
local alerts = require "keytime.alerts"

local parser = cli.parser("offcpu.lua", "Alert when a target thread stays off-CPU longer than a threshold.")
parser:option("--threshold-ms", "Report off-CPU intervals longer than this.", "100"):convert(tonumber)
parser:option("--depth", "Kernel stack frames to show (0: all).", "6"):convert(math.tointeger)
parser:flag("--json", "One JSON object per line instead of text.")
local args = parser:parse(kt.args)
local json = args.json and require "keytime.json"
local JSON_KEYS = { "event", "time", "pid", "tgid", "comm", "off_ns", "state", "state_name",
                    "waker_pid", "waker_comm", "waker_irq", "stack" }
if not args.threshold_ms or args.threshold_ms < 0 then parser:error("--threshold-ms needs a number >= 0") end
if not args.depth or args.depth < 0 then parser:error("--depth needs a whole number >= 0") end

local threshold_ns = args.threshold_ms * 1e6
kt.filter.stacks = true
local stack_of = alerts.stacks()

-- pid -> the offCPU event that started its current off-CPU interval.
local off = {}

kt.on("offcpu", function(e)
  if e.state == "X" then off[e.pid] = nil return end   -- its last switch: it ended
  off[e.pid] = { time = e.time, tgid = e.tgid, comm = e.comm, state = e.state,
                 state_name = e.state_name, stack = stack_of(e) }
end)

-- The wake-up that ends the interval (the first one after it began).
kt.on("wakeup", function(e)
  local o = off[e.pid]
  if o and not o.waker then o.waker = { pid = e.waker_pid, comm = e.waker_comm, irq = e.waker_irq } end
end)

kt.on("oncpu", function(e)
  local o = off[e.pid]
  if not o then return end   -- its first run since tracing began
  off[e.pid] = nil
  local ns = e.time - o.time
  if ns <= threshold_ns then return end
  local w = o.waker or {}   -- none: preempted, or the wake-up not seen
  if json then
    print(json.encode({ event = "offcpu", time = o.time, pid = e.pid, tgid = o.tgid, comm = o.comm, off_ns = ns,
      state = o.state, state_name = o.state_name, waker_pid = w.pid, waker_comm = w.comm, waker_irq = w.irq,
      stack = alerts.stack_frames(o.stack, args.depth) }, JSON_KEYS))
    return
  end
  local waker = w.pid and (" waker=%d waker_comm=%s waker_irq=%s"):format(w.pid, w.comm, w.irq) or ""
  print(("%s OFFCPU pid=%d tgid=%d comm=%s off=%s state=%s(%s)%s stack=%s"):format(
    alerts.clock(o.time), e.pid, o.tgid, o.comm, alerts.duration(ns),
    o.state, o.state_name, waker, alerts.stack_text(o.stack, args.depth)))
end)

-- A thread that ended never comes back on CPU.
kt.on("exit", function(e) off[e.pid] = nil end)
