-- SPDX-License-Identifier: GPL-2.0-or-later
-- Run under keytime-run by tests/integration/runq_hist.sh: the kernel's
-- run-queue histograms (kt.filter.runq_hist) and the same made here from
-- the onCPU events of the same run, side by side. At the end, one line per
-- key the two disagree on, then
--   keys=N waits=N lost=N differ=N
--   keytime-run runq_hist_agree.lua process|thread|cgroup -c WORKLOAD
local hist = require "keytime.hist"
local by = kt.args[1]
local per_thread, per_cgroup = by == "thread", by == "cgroup"
kt.filter.runq = true
kt.filter.runq_hist = by
local mine = {}   -- by key: { count, sum_ns, slots = { [bucket] = n } }

kt.on("oncpu", function(e)
  local ns = e.runq_latency
  if not ns then return end
  local key = per_cgroup and (e.cgroup or "id " .. e.cgroup_id) or per_thread and e.pid or e.tgid
  local m = mine[key] or { count = 0, sum_ns = 0, slots = {}, comm = e.comm }
  mine[key] = m
  local h = hist.log2()   -- the bucket hist.lua puts it in
  h:add(ns // 1000)
  local bucket = next(h.counts)
  m.count, m.sum_ns, m.slots[bucket] = m.count + 1, m.sum_ns + ns, (m.slots[bucket] or 0) + 1
  m.comm = e.comm
end)

kt.on("end", function(stats)
  local kernel, not_counted = kt.runq_hist()
  local keys, waits, differ = 0, 0, 0
  local seen = {}
  local function same(a, b)
    if not a or not b or a.count ~= b.count or a.sum_ns ~= b.sum_ns then return false end
    -- (by cgroup, threads on two CPUs may write its comm in either order)
    if not per_cgroup and a.comm ~= b.comm then return false end
    for k, n in pairs(a.slots) do if b.slots[k] ~= n then return false end end
    for k, n in pairs(b.slots) do if a.slots[k] ~= n then return false end end
    return true
  end
  local function show(h)
    if not h then return "none" end
    local s = {}
    for k, n in pairs(h.slots) do s[#s + 1] = k .. ":" .. n end
    table.sort(s)
    return ("%s count=%d sum_ns=%d slots=%s"):format(h.comm, h.count, h.sum_ns, table.concat(s, ","))
  end
  for key, k in pairs(kernel) do
    if per_cgroup then key = k.cgroup or "id " .. key end
    seen[key] = true
    keys, waits = keys + 1, waits + k.count
    if not same(k, mine[key]) then
      differ = differ + 1
      print(("%s: kernel %s; events %s"):format(key, show(k), show(mine[key])))
    end
  end
  for key, m in pairs(mine) do
    if not seen[key] then
      differ = differ + 1
      print(("%s: kernel none; events %s"):format(key, show(m)))
    end
  end
  print(("keys=%d waits=%d lost=%d not_counted=%d differ=%d"):format(keys, waits, stats.lost, not_counted, differ))
end)
