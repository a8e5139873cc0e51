-- SPDX-License-Identifier: GPL-2.0-or-later
-- runqlat.lua: run-queue latency, how long the target's threads waited for
-- a CPU once runnable (woken, or preempted), as log2 histograms in
-- microseconds per process (or per thread, or per cgroup), when the run
-- ends or every --interval seconds.
--   keytime-run scripts/runqlat.lua --tgid 3184 --interval 1
--   keytime-run scripts/runqlat.lua -c './server' --follow --threads
--   keytime-run scripts/runqlat.lua --cgroup system.slice --cgroups --interval 5
--
-- @usecs[server 3184]:
-- [0]                     3 |@@                                                  |
-- [1]                    12 |@@@@@@@@@                                           |
-- [2, 4)                 70 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|
-- With --json, one object per process (or thread) and interval:
-- {"time":...,"tgid":3184,"comm":"server","count":85,"sum_ns":...,"buckets":[{"low":0,"high":1,"count":3},...]}
-- With --cgroups, @usecs[/system.slice/nginx.service]: and
-- {"time":...,"cgroup":"/system.slice/nginx.service","count":...}: a wait
-- counts in the cgroup the thread is in when it ends.
-- Live, the kernel keeps the histograms (kt.filter.runq_hist) and no onCPU
-- event comes up; recording or replaying (or with --events), they are made
-- here from onCPU's runq_latency, which the recording keeps.
local cli = require "keytime.cli"
local hist = require "keytime.hist"

local parser = cli.parser("runqlat.lua",
  "Run-queue latency of the target's threads (from runnable to running), as histograms in microseconds " ..
  "per process, printed when the run ends or every --interval seconds.")
parser:mutex(
  parser:flag("--threads", "One histogram per thread instead of per process."),
  parser:flag("--cgroups", "One histogram per cgroup (v2) instead of per process: the cgroup a thread "
    .. "is in when its wait ends."))
parser:option("--interval", "Print (and start again) every this many seconds."):convert(tonumber)
parser:flag("--json", "One JSON object per histogram instead of text.")
parser:flag("--events", "Make the histograms from onCPU events here rather than in the kernel.")
local args = parser:parse(kt.args)
if args.interval and args.interval <= 0 then parser:error("--interval needs a number of seconds > 0") end
local json = args.json and require "keytime.json"

local in_kernel = not (args.events or kt.replaying or kt.recording)
local hists, names = {}, {}   -- by tgid (or pid, or cgroup path)
local by = args.threads and "thread" or args.cgroups and "cgroup" or "process"

-- A cgroup's path, or its id where the path is not known.
local function cgroup_name(path, id)
  return path or ("cgroup id " .. tostring(id))
end

if in_kernel then
  kt.filter.runq_hist = by
else
  kt.filter.runq = true
  kt.on("oncpu", function(e)
    local ns = e.runq_latency
    if not ns then return end   -- not seen becoming runnable
    local key
    if by == "cgroup" then key = cgroup_name(e.cgroup, e.cgroup_id)
    else key = args.threads and e.pid or e.tgid end
    local h = hists[key]
    if not h then
      h = hist.log2()
      hists[key] = h
    end
    names[key] = e.comm
    h:add(ns // 1000)
    h.sum_ns = (h.sum_ns or 0) + ns
  end)
end

-- The kernel's histograms since the last report, as the ones made here.
local not_counted = 0
local function take_kernel_hists()
  local got
  got, not_counted = kt.runq_hist("reset")
  for key, k in pairs(got) do
    if by == "cgroup" then key = cgroup_name(k.cgroup, key) end
    -- (two ids of one path, a cgroup made again, add up)
    local h = hists[key] or hist.log2()
    for bucket, n in pairs(k.slots) do h:add(bucket == 0 and 0 or 1 << (bucket - 1), n) end
    h.sum_ns = (h.sum_ns or 0) + k.sum_ns
    hists[key], names[key] = h, k.comm
  end
end

local function report()
  if in_kernel then take_kernel_hists() end
  local keys = {}
  for k, h in pairs(hists) do if h.count > 0 then keys[#keys + 1] = k end end
  table.sort(keys)
  for _, k in ipairs(keys) do
    local h = hists[k]
    if json then
      local id = by == "cgroup" and "cgroup" or args.threads and "pid" or "tgid"
      print(json.encode({ time = kt.now(), [id] = k, comm = by ~= "cgroup" and names[k] or nil,
        count = h.count, sum_ns = h.sum_ns, buckets = h:buckets() },
        { "time", "tgid", "pid", "cgroup", "comm", "count", "sum_ns", "buckets" }))
    elseif by == "cgroup" then
      print(("@usecs[%s]:"):format(k))
      h:print()
      print()
    else
      print(("@usecs[%s %d]:"):format(names[k], k))
      h:print()
      print()
    end
  end
  hists = {}
  io.stdout:flush()
end

if args.interval then
  kt.every(args.interval * 1000, report)
elseif in_kernel then
  kt.every(1000, function() kt.runq_hist("collect") end)   -- frees the entries of tasks gone
end
kt.on("end", function()
  report()
  if not_counted > 0 then
    io.stderr:write(("runqlat.lua: %d run-queue waits not counted: the kernel's histogram map was full\n"):format(not_counted))
  end
end)
