-- SPDX-License-Identifier: GPL-2.0-or-later
-- Checks the on-CPU time the process-tree model gave each busy thread (from
-- forktree.lua --json) against the kernel's own count the thread read from
-- /proc/self/task/TID/schedstat just before it ended: within 2%.
-- (The kernel also charges a woken thread the few microseconds between its
-- wake-up and its switch-in, which no switch interval holds: the thread that
-- naps often reads a little under the kernel's count: 0.7-0.9% for its
-- 300 naps on this 2-CPU VM.)
-- Usage: lua5.4 check_oncpu.lua TREE_JSON MANIFEST
local t = dofile(arg[0]:match("^(.*)/") .. "/jsonl.lua")
local cjson = require "cjson"
local f = assert(io.open(arg[1]))
local doc = cjson.decode(f:read("a"))
f:close()
local m = t.read_manifest(arg[2])

local function find(nodes, pid)
  for _, n in ipairs(nodes or {}) do
    if n.pid == pid then return n end
    local found = find(n.threads, pid) or find(n.children, pid)
    if found then return found end
  end
end

t.expect(doc.lost == 0, "no event lost", tostring(doc.lost))
for _, name in ipairs({ "steady", "switchy" }) do
  local tid, kernel = m[name .. "_tid"], m[name .. "_schedstat_ns"]
  local n = find(doc.roots, tid)
  if t.expect(n ~= nil and kernel and kernel > 0, name .. " thread in the tree, with its schedstat", tostring(tid)) then
    local err = (n.oncpu - kernel) / kernel
    print(("%s: model %.3f ms, schedstat %.3f ms, error %+.3f%%, %d switches (%d preempted, %d switch-ins not seen)"):format(
      name, n.oncpu / 1e6, kernel / 1e6, err * 100, n.switches, n.preempted, n.missed))
    -- Above, the run's interrupt and stolen time too (stolen_ms in
    -- common.sh): a switch interval holds it, the kernel's count does not.
    local stolen = (tonumber(os.getenv("KEYTIME_TEST_STOLEN_MS")) or 0) * 1e6
    t.expect_clocks_agree(err > -0.02 and n.oncpu - kernel < 0.02 * kernel + stolen,
      name .. ": on-CPU within 2% of the kernel's count (above it, by the stolen time too)",
      ("model %d ns, schedstat %d ns, interrupt and stolen time %d ns"):format(n.oncpu, kernel, stolen))
  end
end
local switchy = find(doc.roots, m.switchy_tid)
-- (the workload's loop runs 8 times slower under emulation: fewer switches)
t.expect(switchy and switchy.switches >= 200 / t.time_scale, "switchy switched out hundreds of times",
  switchy and tostring(switchy.switches))
t.finish("oncpu accuracy")
