-- SPDX-License-Identifier: GPL-2.0-or-later
-- Test helpers: read keytime's JSON lines and a workload's manifest, and
-- assert with messages that say what was expected and what came.
local cjson = require "cjson"
local M = { failures = 0, checks = 0 }

-- How much slower than real hardware this machine runs the workloads:
-- KEYTIME_TIME_SCALE=8 under software emulation (make vmtest sets it). Only
-- checks of absolute timing that emulation alone breaks widen by it; on
-- real machines it is 1 and they hold as written.
M.time_scale = tonumber(os.getenv("KEYTIME_TIME_SCALE")) or 1

-- A check that keytime's CPU times (intervals of bpf_ktime_get_ns) agree
-- with the kernel's own count (sum_exec_runtime, on the scheduler's clock).
-- Under software emulation those two clocks of the guest kernel disagree
-- by up to tens of percent (the TSC that sched_clock reads is emulated): there
-- such a check is printed as not checked, with its figures; elsewhere it
-- is a check like any other.
function M.expect_clocks_agree(cond, what, detail)
  if M.time_scale > 1 then
    io.stderr:write("NOT CHECKED under emulation (", what, ")", detail and (": " .. detail) or "", "\n")
    return true
  end
  return M.expect(cond, what, detail)
end

function M.read_events(path)
  local events = {}
  for line in io.lines(path) do
    if line:sub(1, 1) == "{" then
      local ok, e = pcall(cjson.decode, line)
      if not ok then error(("%s: bad JSON line: %s"):format(path, line)) end
      e.index = #events + 1
      events[#events + 1] = e
    end
  end
  return events
end

-- A whole file as a string.
function M.read_text(path)
  local f = assert(io.open(path))
  local s = f:read("a")
  f:close()
  return s
end

function M.read_manifest(path)
  local m = {}
  for line in io.lines(path) do
    local k, v = line:match("^([%w_]+)=(.*)$")
    if k then m[k] = tonumber(v) or v end
  end
  return m
end

local function describe(e)
  if not e then return "nothing" end
  local keys = {}
  for k in pairs(e) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for _, k in ipairs(keys) do
    local v = e[k]
    if type(v) == "table" then v = "[" .. table.concat(v, ",") .. "]" end
    if math.type(v) == "float" and math.tointeger(v) then v = math.tointeger(v) end
    if k ~= "kstack" then parts[#parts + 1] = k .. "=" .. tostring(v) end
  end
  return "{" .. table.concat(parts, " ") .. "}"
end
M.describe = describe

local function matches(e, want)
  for k, v in pairs(want) do
    if type(v) == "table" then
      if type(e[k]) ~= "table" or #e[k] ~= #v then return false end
      for i = 1, #v do if e[k][i] ~= v[i] then return false end end
    elseif e[k] ~= v then
      return false
    end
  end
  return true
end

function M.find_all(events, want)
  local found = {}
  for _, e in ipairs(events) do if matches(e, want) then found[#found + 1] = e end end
  return found
end

-- The one event matching `want`; reports a failure (with near misses) if not exactly one.
function M.expect_one(events, what, want)
  M.checks = M.checks + 1
  local found = M.find_all(events, want)
  if #found == 1 then return found[1] end
  M.failures = M.failures + 1
  io.stderr:write(("FAIL %s: expected one event %s, found %d\n"):format(what, describe(want), #found))
  local near = M.find_all(events, { event = want.event })
  for i = 1, math.min(#near, 8) do io.stderr:write("   came: ", describe(near[i]), "\n") end
  return found[1]
end

function M.expect_none(events, what, want)
  M.checks = M.checks + 1
  local found = M.find_all(events, want)
  if #found == 0 then return end
  M.failures = M.failures + 1
  io.stderr:write(("FAIL %s: expected no event %s, found %d, first: %s\n"):format(what, describe(want), #found, describe(found[1])))
end

function M.expect(cond, what, detail)
  M.checks = M.checks + 1
  if cond then return true end
  M.failures = M.failures + 1
  io.stderr:write("FAIL ", what, detail and (": " .. detail) or "", "\n")
  return false
end

function M.expect_before(a, b, what)
  return M.expect(a and b and a.index < b.index, what,
    ("expected %s before %s"):format(describe(a), describe(b)))
end

function M.finish(name)
  print(("%s: %d checks, %d failed"):format(name, M.checks, M.failures))
  os.exit(M.failures == 0 and 0 or 1)
end

return M
