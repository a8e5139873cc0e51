-- SPDX-License-Identifier: GPL-2.0-or-later
-- cgtop.lua: what each cgroup (or container) did, every --interval seconds
-- and for the whole run at the end, the busiest on a CPU first.
--   keytime-run cgtop.lua                          # every process on the host
--   keytime-run cgtop.lua -g system.slice --by container --interval 5
--
-- cgtop 15:36:22, the last 1 s
-- CGROUP                               CPU_MS   STARTED ENDED CRASHED EXECS  OFF-CPU MS BY STATE
-- /system.slice/nginx.service           812.4        12    12       1    12  S:1830.2 D:3.1 R:40.0
--
-- STARTED: processes created in it (fork, vfork); ENDED: processes that
-- ended there; CRASHED: of those, killed by a signal or exiting non-zero;
-- EXECS: successful execs. With --json, one object per cgroup and report:
-- {"report":"interval","time":...,"cgroup":"/...","container_id":...,"cpu_ns":...,
--  "started":...,"ended":...,"crashed":...,"execs":...,"offcpu_ns":{"S":...}}
local cli = require "keytime.cli"

local parser = cli.parser("cgtop.lua", "Per cgroup (or container): processes started, ended and crashed, "
  .. "execs, CPU and off-CPU time, every --interval seconds and at the end.")
parser:option("--interval", "Seconds between reports (0: only the end report).", "1"):convert(tonumber)
parser:option("--by", "Group by cgroup (its path) or container (its id; others by cgroup).", "cgroup")
  :choices({ "cgroup", "container" })
parser:option("--top", "Rows per report, the busiest first (0: all).", "20"):convert(tonumber)
parser:flag("--json", "One JSON object per cgroup and report instead of the table.")
local args = parser:parse(kt.args)
if not args.interval or args.interval < 0 then parser:error("--interval: a number >= 0") end
if not args.top or args.top < 0 then parser:error("--top: a number >= 0") end
local json = args.json and require "keytime.json"

if #kt.filter:list() == 0 then kt.filter.all = true end   -- no targets given: the whole host
kt.filter.cpu = true

-- The group an event counts for, and what it shows of it.
local function group_of(e)
  if args.by == "container" and e.container_id then return "container:" .. e.container_id end
  return e.cgroup or ("#" .. e.cgroup_id)
end

local function new_stats(e)
  return { name = group_of(e), cgroup = e.cgroup, container_id = e.container_id,
           cpu_ns = 0, started = 0, ended = 0, crashed = 0, execs = 0, offcpu_ns = {} }
end
local interval, total = {}, {}

-- Both tables' row for e's group.
local function rows(e)
  local key = group_of(e)
  local a, b = interval[key], total[key]
  if not a then a = new_stats(e); interval[key] = a end
  if not b then b = new_stats(e); total[key] = b end
  return a, b
end

local function add(e, field, n)
  local a, b = rows(e)
  a[field], b[field] = a[field] + n, b[field] + n
end

kt.on("fork", function(e) add(e, "started", 1) end)
kt.on("vfork", function(e) add(e, "started", 1) end)
kt.on("exec", function(e) add(e, "execs", 1) end)

-- Per thread: the kernel's runtime at its last switch, and when and how it
-- last left the CPU.
local runtime, left_at, left_as = {}, {}, {}

kt.on("exit", function(e)
  runtime[e.pid], left_at[e.pid], left_as[e.pid] = nil, nil, nil
  if not e.group_dead then return end   -- a thread; its process goes on
  add(e, "ended", 1)
  if e.signal ~= 0 or e.exit_code ~= 0 then add(e, "crashed", 1) end
end)

local function ran(e)
  local before = runtime[e.pid]
  if before and e.runtime > before then add(e, "cpu_ns", e.runtime - before) end
  runtime[e.pid] = e.runtime
end
kt.on("offcpu", function(e)
  ran(e)
  left_at[e.pid], left_as[e.pid] = e.time, e.state
end)
kt.on("oncpu", function(e)
  local t = left_at[e.pid]
  if t and e.time > t then
    local a, b = rows(e)
    local s = left_as[e.pid]
    a.offcpu_ns[s] = (a.offcpu_ns[s] or 0) + (e.time - t)
    b.offcpu_ns[s] = (b.offcpu_ns[s] or 0) + (e.time - t)
  end
  left_at[e.pid], left_as[e.pid] = nil, nil
  ran(e)
end)

local function sorted(stats)
  local list = {}
  for _, s in pairs(stats) do list[#list + 1] = s end
  table.sort(list, function(x, y)
    if x.cpu_ns ~= y.cpu_ns then return x.cpu_ns > y.cpu_ns end
    return x.name < y.name
  end)
  return list
end

local function offcpu_text(by_state)
  local states = {}
  for s in pairs(by_state) do states[#states + 1] = s end
  table.sort(states)
  for i, s in ipairs(states) do states[i] = ("%s:%.1f"):format(s, by_state[s] / 1e6) end
  return #states > 0 and table.concat(states, " ") or "-"
end

local JSON_KEYS = { "report", "time", "cgroup", "container_id", "cpu_ns", "started", "ended", "crashed",
                    "execs", "offcpu_ns" }

local function report(kind, stats, what)
  local list, now = sorted(stats), kt.now()
  local n = args.top > 0 and math.min(args.top, #list) or #list
  if json then
    for i = 1, n do
      local s = list[i]
      print(json.encode({ report = kind, time = now, cgroup = s.cgroup, container_id = s.container_id,
        cpu_ns = s.cpu_ns, started = s.started, ended = s.ended, crashed = s.crashed, execs = s.execs,
        offcpu_ns = s.offcpu_ns }, JSON_KEYS))
    end
  else
    print(("cgtop %s, %s"):format(kt.strftime("%H:%M:%S", now), what))
    print(("%-36s %9s %9s %5s %7s %5s  %s"):format(args.by == "container" and "CONTAINER/CGROUP" or "CGROUP",
      "CPU_MS", "STARTED", "ENDED", "CRASHED", "EXECS", "OFF-CPU MS BY STATE"))
    for i = 1, n do
      local s = list[i]
      local name = s.name:gsub("^container:(" .. ("%x"):rep(12) .. ")%x*$", "container:%1")
      if #name > 36 then name = "..." .. name:sub(-33) end
      print(("%-36s %9.1f %9d %5d %7d %5d  %s"):format(name, s.cpu_ns / 1e6, s.started, s.ended,
        s.crashed, s.execs, offcpu_text(s.offcpu_ns)))
    end
    if #list > n then print(("(%d more)"):format(#list - n)) end
    print()
  end
  io.stdout:flush()
end

if args.interval > 0 then
  kt.every(args.interval * 1000, function()
    report("interval", interval, ("the last %g s"):format(args.interval))
    interval = {}
  end)
end
kt.on("end", function() report("total", total, "the whole run") end)
