-- SPDX-License-Identifier: GPL-2.0-or-later
-- Checks timeline.lua's output against the Chrome Trace Event format and
-- against what the lifecycle workload did (its manifest).
--   lua5.4 check_timeline.lua TRACE_JSON MANIFEST
-- Prints one line per failure and exits 1 if there is any.
local cjson = require "cjson"
local t = dofile(arg[0]:match("^(.*/)") .. "jsonl.lua")

local trace_path, manifest_path = arg[1], arg[2]
local f = assert(io.open(trace_path))
local text = f:read("a")
f:close()
local ok, doc = pcall(cjson.decode, text)
if not ok then
  io.stderr:write("FAIL ", trace_path, " is not JSON: ", tostring(doc), "\n")
  os.exit(1)
end
local m = t.read_manifest(manifest_path)
local main = m.main_pid

local function is_int(v) return type(v) == "number" and math.tointeger(v) ~= nil end
local function show(ev) return cjson.encode(ev) end

t.expect(type(doc.traceEvents) == "table" and #doc.traceEvents > 0, "traceEvents is a non-empty array")
t.expect(doc.displayTimeUnit == "ns", "displayTimeUnit is \"ns\"", "got " .. tostring(doc.displayTimeUnit))
local events = doc.traceEvents or {}

-- ---- the format: fields by phase ------------------------------------------------

local PHASES = { M = true, X = true, i = true, s = true, f = true }
local bad = 0
local function field(cond, what, ev)
  if cond then return end
  bad = bad + 1
  if bad <= 10 then io.stderr:write("FAIL ", what, ": ", show(ev), "\n") end
end
for _, ev in ipairs(events) do
  field(type(ev.name) == "string" and ev.name ~= "", "name is a non-empty string", ev)
  field(PHASES[ev.ph], "ph is one of M X i s f", ev)
  field(is_int(ev.pid) and ev.pid > 0 and is_int(ev.tid) and ev.tid > 0, "pid and tid are positive integers", ev)
  field(type(ev.ts) == "number" and ev.ts >= 0, "ts is a number >= 0", ev)
  if ev.ph == "X" then field(type(ev.dur) == "number" and ev.dur >= 0, "X has dur >= 0", ev) end
  if ev.ph == "M" then
    field(ev.name == "process_name" or ev.name == "thread_name", "M is process_name or thread_name", ev)
    field(type(ev.args) == "table" and type(ev.args.name) == "string" and ev.args.name ~= "", "M has args.name", ev)
  end
  if ev.ph == "i" then field(ev.s == "t", "i has s = \"t\" (thread scope)", ev) end
  if ev.ph == "s" or ev.ph == "f" then
    field(ev.id ~= nil and type(ev.cat) == "string", "flow event has id and cat", ev)
  end
  if ev.ph == "f" then field(ev.bp == "e", "f has bp = \"e\"", ev) end
end
t.expect(bad == 0, "every event has the fields of its phase", bad .. " events do not")
-- cjson reads every number as a float: make ids integers again, for keys and messages.
for _, ev in ipairs(events) do
  ev.pid = math.tointeger(ev.pid) or ev.pid
  ev.tid = math.tointeger(ev.tid) or ev.tid
end

-- ---- every pid and tid is named ---------------------------------------------------

local process_name, thread_name = {}, {}
for _, ev in ipairs(events) do
  if ev.ph == "M" and ev.args then
    if ev.name == "process_name" then process_name[ev.pid] = ev.args.name end
    if ev.name == "thread_name" then thread_name[ev.pid .. "/" .. ev.tid] = ev.args.name end
  end
end
local unnamed = {}
for _, ev in ipairs(events) do
  if ev.ph ~= "M" then
    if not process_name[ev.pid] then unnamed["process " .. ev.pid] = true end
    if not thread_name[ev.pid .. "/" .. ev.tid] then unnamed["thread " .. ev.pid .. "/" .. ev.tid] = true end
  end
end
local list = {}
for k in pairs(unnamed) do list[#list + 1] = k end
table.sort(list)
t.expect(#list == 0, "every pid and tid used is named by an M event", "unnamed: " .. table.concat(list, ", "))

-- ---- slices of one thread never overlap ---------------------------------------------

local slices = {}   -- "pid/tid" -> X events
for _, ev in ipairs(events) do
  if ev.ph == "X" and type(ev.ts) == "number" and type(ev.dur) == "number" then
    local key = ev.pid .. "/" .. ev.tid
    slices[key] = slices[key] or {}
    table.insert(slices[key], ev)
  end
end
local overlaps = 0
for key, list in pairs(slices) do
  table.sort(list, function(a, b) return a.ts < b.ts end)
  for i = 2, #list do
    -- 1 ns of slack for the decimal microseconds.
    if list[i].ts + 0.001 < list[i - 1].ts + list[i - 1].dur then
      overlaps = overlaps + 1
      if overlaps <= 5 then
        io.stderr:write("FAIL slices overlap on ", key, ": ", show(list[i - 1]), " and ", show(list[i]), "\n")
      end
    end
  end
end
t.expect(overlaps == 0, "slices of one thread never overlap", overlaps .. " overlaps")

-- ---- every flow start has its end -------------------------------------------------------

local starts, finishes = {}, {}
for _, ev in ipairs(events) do
  if ev.ph == "s" then starts[#starts + 1] = ev end
  if ev.ph == "f" then finishes[tostring(ev.cat) .. "#" .. tostring(ev.id)] = ev end
end
local unmatched = 0
for _, s in ipairs(starts) do
  local fin = finishes[tostring(s.cat) .. "#" .. tostring(s.id)]
  if not fin or fin.ts < s.ts then
    unmatched = unmatched + 1
    io.stderr:write("FAIL flow start without a later end: ", show(s), " end: ", fin and show(fin) or "none", "\n")
  end
end
t.expect(unmatched == 0, "every flow start has an f with the same id and cat, not before it")

-- ---- what the workload did --------------------------------------------------------------

local function find(want)
  local found = {}
  for _, ev in ipairs(events) do
    local match = true
    for k, v in pairs(want) do
      if k == "args" then
        for ak, av in pairs(v) do
          if type(ev.args) ~= "table" or ev.args[ak] ~= av then match = false end
        end
      elseif ev[k] ~= v then
        match = false
      end
    end
    if match then found[#found + 1] = ev end
  end
  return found
end

local function expect_one(what, want)
  local found = find(want)
  if t.expect(#found == 1, what, ("expected one %s, found %d"):format(show(want), #found)) then return found[1] end
  local near = find { name = want.name, tid = want.tid }
  for i = 1, math.min(#near, 5) do io.stderr:write("   came: ", show(near[i]), "\n") end
end

-- A flow arrow from the creating thread's start to the child's end.
local function expect_flow(what, parent_tid, child_pid, child_tid)
  local s_list = find { ph = "s", pid = main, tid = parent_tid }
  for _, s in ipairs(s_list) do
    local fin = find { ph = "f", id = s.id, cat = s.cat }
    if fin[1] and fin[1].pid == child_pid and fin[1].tid == child_tid then
      t.expect(true, what)
      return
    end
  end
  t.expect(false, what, ("no s on %d/%d whose f is on %d/%d"):format(main, parent_tid, child_pid, child_tid))
end

expect_one("the workload's exec", { ph = "i", name = "exec", pid = main, tid = main, args = { ret = 0 } })
expect_one("the workload's exit 7", { ph = "i", name = "exit", pid = main, tid = main, args = { exit_code = 7, signal = 0 } })
t.expect(process_name[main] == "lifecycle", "the workload's process is named lifecycle", tostring(process_name[main]))

local children = {
  { key = "fork_child",       how = "fork",  exit_code = 3,  signal = 0 },
  { key = "vfork_child",      how = "vfork", exit_code = 0,  signal = 0 },
  { key = "vexec_child",      how = "vfork", exit_code = 0,  signal = 0, exec = "/bin/true", ret = 0, comm = "true" },
  { key = "vexec_long_child", how = "vfork", exit_code = 0,  signal = 0, exec = "/bin/true", ret = 0, comm = "true" },
  { key = "spawn_child",      how = "vfork", exit_code = 0,  signal = 0, exec = "/bin/echo", ret = 0, comm = "echo" },
  { key = "clone_child",      how = "fork",  exit_code = 5,  signal = 0 },
  { key = "killed_child",     how = "fork",  exit_code = 0,  signal = 9 },
  { key = "missing_child",    how = "vfork", exit_code = 42, signal = 0, exec = "/nonexistent/keytime-missing", ret = -2 },
}
for _, c in ipairs(children) do
  local pid = m[c.key]
  expect_one(c.key .. " created by " .. c.how, { ph = "i", name = c.how, pid = main, tid = main, args = { child_pid = pid } })
  expect_one(c.key .. " exit", { ph = "i", name = "exit", pid = pid, tid = pid,
    args = { exit_code = c.exit_code, signal = c.signal } })
  expect_flow(c.key .. " has an arrow from its parent", main, pid, pid)
  if c.exec then
    local x = expect_one(c.key .. " exec", { ph = "i", name = "exec", pid = pid, tid = pid, args = { filename = c.exec, ret = c.ret } })
    if x and c.key == "vexec_child" then
      t.expect(type(x.args.argv) == "table" and #x.args.argv == 22 and x.args.argv[3] == "beta gamma",
        "vexec_child's argv has 22 words, the third 'beta gamma'", show(x.args.argv))
    end
  end
  if c.comm then t.expect(process_name[pid] == c.comm, c.key .. " is named " .. c.comm, tostring(process_name[pid])) end
end

-- Threads: tracks in the workload's process, each sleeping 20 ms.
for _, key in ipairs { "thread1", "thread2" } do
  local tid = m[key]
  expect_one(key .. " created", { ph = "i", name = "thread", pid = main, tid = main, args = { child_pid = tid } })
  expect_one(key .. " exit", { ph = "i", name = "exit", pid = main, tid = tid, args = { exit_code = 0 } })
  t.expect(thread_name[main .. "/" .. tid] ~= nil, key .. " has a thread_name in the workload's process")
  expect_flow(key .. " has an arrow from the main thread", main, main, tid)
  local naps = 0
  for _, ev in ipairs(find { ph = "X", name = "off-CPU (sleeping)", pid = main, tid = tid }) do
    if ev.dur >= 15000 then naps = naps + 1 end
  end
  t.expect(naps >= 1, key .. " has an off-CPU (sleeping) slice of its 20 ms nap")
end

-- The main thread runs, and sleeps 50 ms at the end.
t.expect(#find { ph = "X", name = "on-CPU", pid = main, tid = main } > 0, "the main thread has on-CPU slices")
local long_sleep = 0
for _, ev in ipairs(find { ph = "X", name = "off-CPU (sleeping)", pid = main, tid = main }) do
  if ev.dur >= 45000 then long_sleep = long_sleep + 1 end
end
t.expect(long_sleep >= 1, "the main thread has an off-CPU (sleeping) slice of its 50 ms sleep")

t.finish("timeline")
