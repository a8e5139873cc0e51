-- SPDX-License-Identifier: GPL-2.0-or-later
-- forkrate.lua: alert when the target tree creates more than N tasks
-- (processes and threads) in one second, a fork bomb or a runaway loop, with
-- the processes that created the most. Descendants are followed (--follow).
--   keytime-run scripts/alerts/forkrate.lua -c 'make -j2' --max-per-sec 200
--   keytime-run scripts/alerts/forkrate.lua --all --max-per-sec 1000 --top 5
--
-- 18:02:11.123456 FORKRATE 452 tasks in 1s (max 100) top: 3184 sh (300, /bin/sh ./bomb.sh), 3190 ...
-- With --json, one object per line instead:
-- {"event":"forkrate","time":...,"tasks":452,"max_per_sec":100,"top":[{"tgid":3184,"comm":"sh","tasks":300,...}]}
local cli = require "keytime.cli"
local alerts = require "keytime.alerts"

local parser = cli.parser("forkrate.lua", "Alert when the target tree creates more than N tasks per second.")
parser:option("--max-per-sec", "Tasks created per second above which to alert.", "100"):convert(math.tointeger)
parser:option("--top", "Parents to name in each alert.", "3"):convert(math.tointeger)
parser:flag("--json", "One JSON object per line instead of text.")
local args = parser:parse(kt.args)
if not args.max_per_sec or args.max_per_sec < 1 then parser:error("--max-per-sec needs a whole number >= 1") end
if not args.top or args.top < 1 then parser:error("--top needs a whole number >= 1") end

alerts.follow_descendants("forkrate.lua")
kt.filter.cpu = false             -- creations only: no on/off-CPU events
local commands = alerts.commands()
local SECOND = 1000000000
local REPORT_MS = 200
-- A report is made at the first creation REPORT_MS after the crossing, in the
-- events' own time, so a replay prints what the live run printed; if none
-- comes, by a timer SLACK_MS later, when every earlier event has arrived.
local SLACK_MS = 1000

-- The creations of the last second, oldest first (a sliding window): when
-- each happened and which process made it; and how many each parent made.
local times, parents, first, last = {}, {}, 1, 0
local by_parent, comm_of, cmd_of = {}, {}, {}
local quiet_until = 0             -- at most one alert per second
local report_due, report_at, crossings = false, nil, 0
local peak, peak_time, alerts_made = 0, nil, 0

-- The parents that made the most, at most --top of them.
local function top_parents()
  local list = {}
  for tgid, n in pairs(by_parent) do list[#list + 1] = { tgid = tgid, comm = comm_of[tgid], tasks = n, cmd = cmd_of[tgid] } end
  table.sort(list, function(a, b) return a.tasks > b.tasks or (a.tasks == b.tasks and a.tgid < b.tgid) end)
  for i = #list, args.top + 1, -1 do list[i] = nil end
  return list
end

local function top_text(list)
  local parts = {}
  for i, p in ipairs(list) do parts[i] = ("%d %s (%d, %s)"):format(p.tgid, p.comm, p.tasks, p.cmd) end
  return table.concat(parts, ", ")
end

local JSON_KEYS = { "event", "time", "tgid", "comm", "tasks", "max_per_sec", "top", "cmd" }

-- Runs REPORT_MS after the threshold was crossed, so that the line counts
-- the rest of the burst and names the parents of all of it (the creations
-- before that moment).
local function report()
  report_due = false
  alerts_made = alerts_made + 1
  if args.json then
    print(require("keytime.json").encode({ event = "forkrate", time = times[first], tasks = last - first + 1,
      max_per_sec = args.max_per_sec, top = top_parents() }, JSON_KEYS))
    return
  end
  print(("%s FORKRATE %d tasks in 1s (max %d) top: %s"):format(
    alerts.clock(times[first]), last - first + 1, args.max_per_sec, top_text(top_parents())))
end

local function created(e)
  if report_due and e.time >= report_at then report() end
  last = last + 1
  times[last], parents[last] = e.time, e.tgid
  by_parent[e.tgid] = (by_parent[e.tgid] or 0) + 1
  comm_of[e.tgid] = e.comm
  -- Kept here: a parent may be gone by the time of the report.
  cmd_of[e.tgid] = cmd_of[e.tgid] or commands:of(e.tgid, e.comm)
  while times[first] <= e.time - SECOND do   -- forget what is older than 1 s
    local p = parents[first]
    by_parent[p] = by_parent[p] - 1
    if by_parent[p] == 0 then by_parent[p], comm_of[p], cmd_of[p] = nil, nil, nil end
    times[first], parents[first] = nil, nil
    first = first + 1
  end
  local count = last - first + 1
  if count > peak then peak, peak_time = count, e.time end
  if count > args.max_per_sec and e.time >= quiet_until and not report_due then
    quiet_until = e.time + SECOND
    report_due, report_at, crossings = true, e.time + REPORT_MS * 1000000, crossings + 1
    local this = crossings
    kt.after(REPORT_MS + SLACK_MS, function() if report_due and crossings == this then report() end end)
  end
end
kt.on("fork", created)
kt.on("vfork", created)
kt.on("thread", created)

kt.on("end", function()
  if report_due then report() end
  io.stderr:write(("forkrate.lua: peak %d tasks in 1s%s, %d alert(s)\n"):format(
    peak, peak_time and (" at " .. alerts.clock(peak_time)) or "", alerts_made))
end)
