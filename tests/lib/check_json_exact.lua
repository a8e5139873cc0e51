-- SPDX-License-Identifier: GPL-2.0-or-later
-- Checks that keytime's JSON writes every number exactly, on the replays of
-- a recording and of the same recording with its clock moved OFFSET ns later
-- (tests/build/trace_shift):
--   lines    OFFSET BEFORE AFTER         keytime.lua --json (one object a line)
--   doc      OFFSET BEFORE AFTER         forktree.lua --json (one document)
--   timeline BEFORE AFTER EVENTS         timeline.lua -o; EVENTS: keytime.lua --json
--                                        of the same (moved) recording
-- Numbers are read as the digits written, never through a double (cjson's
-- decoder would round them): in AFTER, each time is BEFORE's plus OFFSET,
-- exactly; every other number is the same text; no number has an exponent.
local jsonl = dofile(arg[0]:match("^(.*)/") .. "/jsonl.lua")

local ordered = dofile(arg[0]:match("^(.*)/") .. "/json_ordered.lua")
local parse, NULL = ordered.parse, ordered.NULL

-- ---- checks ----------------------------------------------------------------------

local TIME_KEYS = { time = true, start = true, start_time = true, end_time = true, child_start_time = true }
local reported = 0

local function bad(what, detail)
  jsonl.expect(false, what, detail)
  reported = reported + 1
  if reported == 20 then io.stderr:write("(further failures not shown)\n"); io.stderr = io.open("/dev/null", "w") end
end

-- A number as written must be an integer or a plain decimal: no exponent.
local function plain(num, where)
  jsonl.checks = jsonl.checks + 1
  if num:find("^-?%d+$") or num:find("^-?%d+%.%d+$") then return true end
  bad(where, "number written as " .. num .. " (not an exact integer or decimal)")
  return false
end

local function kind(v)
  if type(v) ~= "table" or v == NULL then return tostring(v) end
  return v.num and "number" or v.arr and "array" or "object"
end

-- AFTER against BEFORE, key by key, in the order written.
local function compare(b, a, offset, path)
  if kind(b) ~= kind(a) then
    return bad(path, ("a %s before the move, a %s after"):format(kind(b), kind(a)))
  end
  if type(b) ~= "table" or b == NULL then
    jsonl.checks = jsonl.checks + 1
    if a ~= b then bad(path, ("%q became %q"):format(tostring(b), tostring(a))) end
    return
  end
  if b.num then
    if not (plain(b.num, path) and plain(a.num, path)) then return end
    local key = path:match("([%w_]+)$")
    if TIME_KEYS[key] and not (key == "start_time" and b.num == "0") then
      local bi, ai = math.tointeger(tonumber(b.num)), math.tointeger(tonumber(a.num))
      jsonl.checks = jsonl.checks + 1
      if not bi or not ai then return bad(path, ("times not integers: %s, %s"):format(b.num, a.num)) end
      local want = ("%d"):format(bi + offset)
      if a.num ~= want then
        bad(path, ("time %s moved by %d should be %s, came %s"):format(b.num, offset, want, a.num))
      end
      if ai < 1 << 53 then bad(path, ("moved time %s is below 2^53: not the range under test"):format(a.num)) end
    else
      jsonl.checks = jsonl.checks + 1
      if a.num ~= b.num then bad(path, ("%s (not a time) became %s"):format(b.num, a.num)) end
    end
    return
  end
  if b.arr then
    jsonl.checks = jsonl.checks + 1
    if #a.arr ~= #b.arr then return bad(path, ("%d items before, %d after"):format(#b.arr, #a.arr)) end
    for i = 1, #b.arr do compare(b.arr[i], a.arr[i], offset, path .. "[" .. i .. "]") end
    return
  end
  jsonl.checks = jsonl.checks + 1
  if table.concat(b.keys, ",") ~= table.concat(a.keys, ",") then
    return bad(path, ("keys {%s} became {%s}"):format(table.concat(b.keys, ","), table.concat(a.keys, ",")))
  end
  for i, k in ipairs(b.keys) do compare(b.vals[i], a.vals[i], offset, path .. "." .. k) end
end

-- Calls fn(path, num) for every number in v.
local function numbers(v, path, fn)
  if type(v) ~= "table" or v == NULL then return end
  if v.num then fn(path, v.num)
  elseif v.arr then for i, x in ipairs(v.arr) do numbers(x, path .. "[" .. i .. "]", fn) end
  else for i, k in ipairs(v.keys) do numbers(v.vals[i], path .. "." .. k, fn) end end
end

local function lines(path)
  local t = {}
  for line in io.lines(path) do
    if line:sub(1, 1) == "{" then t[#t + 1] = line end
  end
  return t
end

local function field(o, key)
  for i, k in ipairs(o.keys) do if k == key then return o.vals[i] end end
end

local mode = arg[1]
if mode == "lines" or mode == "doc" then
  local offset = math.tointeger(tonumber(arg[2]))
  assert(offset and offset >= 1 << 53, "OFFSET: an integer of at least 2^53")
  local before_path, after_path = arg[3], arg[4]
  local b, a
  if mode == "lines" then b, a = lines(before_path), lines(after_path)
  else b, a = { jsonl.read_text(before_path) }, { jsonl.read_text(after_path) } end
  jsonl.expect(#b > 0, "some JSON before the move", before_path .. " is empty")
  jsonl.expect(#a == #b, "as many JSON lines after the move as before", ("%d before, %d after"):format(#b, #a))
  local times = 0
  for i = 1, math.min(#a, #b) do
    local bv, av = parse(b[i], before_path .. ":" .. i), parse(a[i], after_path .. ":" .. i)
    local where = mode == "lines" and ("line " .. i .. " (" .. tostring(field(bv, "event")) .. ")") or "doc"
    compare(bv, av, offset, where)
    numbers(av, where, function(p) if TIME_KEYS[p:match("([%w_]+)$")] then times = times + 1 end end)
  end
  jsonl.expect(times >= #b, "times in every object", ("%d times in %d objects"):format(times, #b))
  jsonl.finish("check_json_exact " .. mode .. " (" .. times .. " times)")
elseif mode == "timeline" then
  local before_path, after_path, events_path = arg[2], arg[3], arg[4]
  local btext, atext = jsonl.read_text(before_path), jsonl.read_text(after_path)
  -- ts is relative to the first event: moving the clock changes nothing.
  jsonl.expect(btext == atext, "timeline: the same bytes after the clock moved")
  local doc = parse(atext, after_path)
  numbers(doc, "timeline", function(p, n) plain(n, p) end)
  -- Each ts and dur, in us with at most 3 decimals: exact ns.
  local function ns_of(num, where)
    local int, frac = num:match("^(%d+)%.?(%d*)$")
    if not int or #frac > 3 then bad(where, "not a whole number of ns in us: " .. num); return nil end
    return math.tointeger(tonumber(int)) * 1000 + (frac == "" and 0 or math.tointeger(tonumber((frac .. "00"):sub(1, 3))))
  end
  -- The events of the moved recording, by "pid/time": each instant marker sits
  -- exactly on one (t0, ts 0, is the first event's time).
  local at, t0 = {}, nil
  for i, line in ipairs(lines(events_path)) do
    local e = parse(line, events_path .. ":" .. i)
    local time = math.tointeger(tonumber(field(e, "time").num))
    t0 = t0 or time
    at[field(e, "pid").num .. "/" .. time] = field(e, "kind")
  end
  jsonl.expect(t0 and t0 >= 1 << 53, "the moved events are past 2^53 ns", tostring(t0))
  local instants, markers = 0, { fork = true, vfork = true, thread = true, exec = true, exit = true }
  local events = field(doc, "traceEvents")
  for i, ev in ipairs(events.arr) do
    local where = ("traceEvents[%d] (%s)"):format(i, tostring(field(ev, "name")))
    local ts, dur = field(ev, "ts"), field(ev, "dur")
    local ts_ns = ts and ns_of(ts.num, where .. ".ts")
    if dur then ns_of(dur.num, where .. ".dur") end
    if ts_ns and field(ev, "ph") == "i" and markers[field(ev, "name")] then
      instants = instants + 1
      local key = field(ev, "tid").num .. "/" .. (t0 + ts_ns)
      local name = field(ev, "name")
      jsonl.expect(at[key] == name or (name == "exec" and at[key] == "exec_enter"), where .. ": on an event's time to the ns",
        ("ts %s: no %s event of tid %s at %d"):format(ts.num, field(ev, "name"), field(ev, "tid").num, t0 + ts_ns))
    end
  end
  jsonl.expect(instants >= 5, "timeline: fork, exec and exit markers", instants .. " markers")
  jsonl.finish("check_json_exact timeline (" .. instants .. " markers)")
else
  io.stderr:write("usage: check_json_exact.lua lines|doc OFFSET BEFORE AFTER | timeline BEFORE AFTER EVENTS\n")
  os.exit(2)
end
