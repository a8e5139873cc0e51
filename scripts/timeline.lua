-- SPDX-License-Identifier: GPL-2.0-or-later
-- timeline.lua: the targets' lives as a Chrome Trace Event / Perfetto JSON
-- file, written when the run ends: one track per thread, grouped by process;
-- on-CPU slices and off-CPU gaps labelled with the thread's state; instant
-- markers for fork, vfork, thread, exec and exit; an arrow from each parent
-- to its child. Open it in ui.perfetto.dev or chrome://tracing.
--   keytime-run scripts/timeline.lua -o trace.json -c './myprog'
--   keytime-run scripts/timeline.lua -o trace.json --tgid 3184
-- (-o is keytime-run's own, which sends the script's output to the file.)
-- Descendants are always followed (as with --follow).
local cli = require "keytime.cli"
local json = require "keytime.json"
local proctree = require "keytime.proctree"

local parser = cli.parser("timeline.lua",
  "When the run ends, write the targets' timeline as a Chrome Trace Event JSON file " ..
  "(ui.perfetto.dev, chrome://tracing): a track per thread grouped by process, on-CPU slices, " ..
  "off-CPU gaps labelled with the state, fork/exec/exit markers and parent-to-child arrows.")
parser:option("-o --output", "The JSON file to write (default: standard output; keytime-run's own "
  .. "-o FILE, which takes an -o after the script too, sends that to FILE).") :argname("FILE")
parser:flag("-x --exec-failures", "Mark failed execs too (the exec syscall probes: they cost every "
  .. "process on the machine a little on every syscall).")
local args = parser:parse(kt.args)
if args.exec_failures then kt.filter.exec_calls = true end

-- Open now, so a path that cannot be written fails before the run, not after it.
local out, err = io.stdout, nil
if args.output then out, err = io.open(args.output, "w") end
if not out then
  io.stderr:write("timeline.lua: cannot write ", args.output, ": ", tostring(err), "\n")
  os.exit(1)
end

kt.filter.follow = true
-- Everything is kept until the end: the collector need not walk it again
-- and again; and a burst may wait in keytime-run's memory (kt.backlog)
-- rather than be lost: nothing is written before the end anyway.
collectgarbage("incremental")
kt.backlog()

-- Chrome reads the keys in any order; a fixed one keeps the bytes stable.
local KEY_ORDER = { "traceEvents", "name", "cat", "ph", "ts", "dur", "pid", "tid", "id", "bp", "s", "args" }
local FLOW_CAT = "lifecycle"

-- Trace events in the order made, encoded when the file is written, so the
-- handlers keep up with a context-switch storm: in one flat array, times in
-- ns. The common ones are runs of values (no table each): a slice as five,
-- name, from, to, tgid, pid; the others begin with a tag (below). A rarer
-- one is a table for json.encode.
-- The array is made of chunks (records is the newest, nslots its slots in
-- use; a run never spans two): one array of millions of slots, doubled as
-- it grows, stalled the handlers for the copy and its page faults.
local CHUNK = 1 << 16
local records, nslots, nrecords = {}, 0, 0
local chunks = { records }   -- every chunk, the newest last
local chunk_slots = {}       -- slots in use of each full chunk

local function next_chunk()
  chunk_slots[#chunks] = nslots
  records, nslots = {}, 0
  chunks[#chunks + 1] = records
end
local t0               -- time (ns) of the first event: ts 0
local last_time        -- time (ns) of the latest event
local threads = {}     -- pid -> { tgid, pid, comm, exec }
local process_comm = {}  -- tgid -> comm of its main thread (or of the first thread seen)
local named = {}       -- "tgid/pid" -> thread, for the thread_name records
local flows = {}       -- child pid -> { id, ts } of the arrow waiting for the child's first event
local next_flow = 0
-- The on/off-CPU intervals are proctree's (its totals are the sum of them).
-- It reads no /proc: the events say all the timeline shows.
local tree = proctree.new { proc = false }
local last_end = {}    -- node -> end of its latest slice
local finishing        -- at the end: the slices still open, drawn in pid order

-- Times in us as exact decimals of the ns (ts 1234567890123.456, dur 0.5):
-- a JSON number, with no double's rounding at any clock value.
local function us(ns) return json.decimal(ns - t0, 3) end
local decimal_text = json.decimal_text

local CREATED, EXITED, FLOW_START, FLOW_END = 1, 2, 3, 4
-- CREATED kind time tgid pid child_pid child_tgid; EXITED time tgid pid
-- exit_code signal; FLOW_START and FLOW_END kind time tgid pid id.
local function put(a, b, c, d, e, f, g)
  if nslots > CHUNK - 7 then next_chunk() end
  local n = nslots
  records[n + 1], records[n + 2], records[n + 3], records[n + 4], records[n + 5], records[n + 6] = a, b, c, d, e, f
  if g ~= nil then records[n + 7], nslots = g, n + 7 else nslots = n + 6 end
  nrecords = nrecords + 1
end

local function emit(ev)
  if nslots >= CHUNK then next_chunk() end
  nslots, nrecords = nslots + 1, nrecords + 1
  records[nslots] = ev
end

-- Kinds after which a thread's name is read again: it is set at creation
-- and by exec, and an exit has the last one (a rename by prctl shows there).
-- Not on every event: a string made per event is a cost a storm notices.
local RENAMING = { exec = true, exit = true }

-- th: the thread known by this pid, if any (the caller's fast path has
-- already kept it when it is the same thread and the kind renames nothing).
local function thread_of(e, th, pid, tgid)
  if not th or th.tgid ~= tgid then
    th = { tgid = tgid, pid = pid }
    threads[pid] = th
    named[tgid .. "/" .. pid] = th
  end
  local comm = e.comm
  th.comm = comm
  if pid == tgid or not process_comm[tgid] then process_comm[tgid] = comm end
  return th
end

-- A complete slice [from, to] on a node's track. Slices of one thread never
-- overlap: one starting before the previous one's end is cut to start there.
local function slice(node, name, from, to)
  local last = last_end[node]
  if last and from < last then from = last end
  if to < from then to = from end
  if nslots > CHUNK - 5 then next_chunk() end
  local n = nslots
  records[n + 1], records[n + 2], records[n + 3], records[n + 4], records[n + 5] = name, from, to, node.tgid, node.pid
  nslots, nrecords = n + 5, nrecords + 1
  last_end[node] = to
end

local off_names = setmetatable({}, { __index = function(t, state)
  local name = "off-CPU (" .. state .. ")"
  t[state] = name
  return name
end })

-- On-CPU slices, and off-CPU gaps that began with a switch-out (state known).
tree:on("interval", function(node, kind, from, to, state, state_name)
  if finishing then
    finishing[#finishing + 1] = { node = node, kind = kind, from = from, to = to, state_name = state_name }
  elseif kind == "on" then
    slice(node, "on-CPU", from, to)
  elseif state_name then
    slice(node, off_names[state_name], from, to)
  end
end)

local function instant(th, name, time, fields)
  emit { name = name, ph = "i", s = "t", ts = time, pid = th.tgid, tid = th.pid, args = fields }
end

-- ---- handlers ----------------------------------------------------------------

local function created(e, th, time)
  local kind, child_pid, child_tgid = e.kind, e.child_pid, e.child_tgid
  put(CREATED, kind, time, th.tgid, th.pid, child_pid, child_tgid)
  next_flow = next_flow + 1
  put(FLOW_START, kind, time, th.tgid, th.pid, next_flow)
  flows[child_pid] = { id = next_flow, kind = kind, time = time, child_tgid = child_tgid, comm = e.comm }
  threads[child_pid] = nil   -- a reused pid is a new thread
end

local on_kind = {
  fork = created, vfork = created, thread = created,
  exec = function(e)
    local th = threads[e.pid]
    instant(th, "exec", e.time, { filename = e.filename, argv = e.argv, ret = 0 })
  end,
  -- Only with --exec-failures: the failed attempts (a success is the exec event's).
  exec_enter = function(e)
    local th = threads[e.pid]
    th.exec = { time = e.time, filename = e.filename, argv = e.argv }
  end,
  exec_exit = function(e)
    local th = threads[e.pid]
    local x = th.exec
    th.exec = nil
    if x and e.ret ~= 0 then instant(th, "exec", x.time, { filename = x.filename, argv = x.argv, ret = e.ret }) end
  end,
  exit = function(e, th, time)
    local code, signal = e.exit_code, e.signal
    if code and signal then put(EXITED, time, th.tgid, th.pid, code, signal)
    else instant(th, "exit", time, { exit_code = code, signal = signal }) end
  end,
}

kt.on("*", function(e)
  local time, pid, tgid, kind = e.time, e.pid, e.tgid, e.kind
  if not t0 then t0, last_time = time, time
  elseif time > last_time then last_time = time end
  local th = threads[pid]
  if not th or th.tgid ~= tgid or RENAMING[kind] then th = thread_of(e, th, pid, tgid) end
  -- The first event of a new child ends the arrow from its parent.
  local flow = flows[pid]
  if flow then
    flows[pid] = nil
    put(FLOW_END, flow.kind, math.max(time, flow.time), th.tgid, th.pid, flow.id)
  end
  local handle = on_kind[kind]
  if handle then handle(e, th, time) end
  tree:feed(e, kind, time, pid)
end)

-- ---- the end: close what is open, name the tracks, write the file -------------

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    if type(a) == type(b) then return a < b end
    return type(a) == "number"
  end)
  return keys
end

kt.on("end", function(stats)
  if t0 then
    -- What is still open (a thread whose last switch-out was not seen ran
    -- until its exit at least), each thread's with its exec still in flight.
    finishing = {}
    tree:finish(last_time)
    local open, pids = {}, {}
    for pid in pairs(threads) do pids[pid] = true end
    for _, s in ipairs(finishing) do
      local pid = s.node.pid
      pids[pid], open[pid] = true, open[pid] or {}
      table.insert(open[pid], s)
    end
    for _, pid in ipairs(sorted_keys(pids)) do
      for _, s in ipairs(open[pid] or {}) do
        if s.kind == "on" then slice(s.node, "on-CPU", s.from, s.to)
        elseif s.state_name then slice(s.node, off_names[s.state_name], s.from, s.to) end
      end
      local th = threads[pid]
      if th and th.exec then instant(th, "exec", th.exec.time, { filename = th.exec.filename, argv = th.exec.argv }) end
    end
    -- A child seen created but never seen running (an event lost): its arrow
    -- ends on its own track, named after its parent, where it began.
    for _, pid in ipairs(sorted_keys(flows)) do
      local flow = flows[pid]
      put(FLOW_END, flow.kind, flow.time, flow.child_tgid, pid, flow.id)
      named[flow.child_tgid .. "/" .. pid] = { tgid = flow.child_tgid, pid = pid, comm = flow.comm }
      process_comm[flow.child_tgid] = process_comm[flow.child_tgid] or flow.comm
    end
  end
  local meta = {}
  for _, tgid in ipairs(sorted_keys(process_comm)) do
    meta[#meta + 1] = json.encode({ name = "process_name", ph = "M", ts = 0, pid = tgid, tid = tgid,
      args = { name = process_comm[tgid] } }, KEY_ORDER)
  end
  local tracks = {}
  for _, th in pairs(named) do tracks[#tracks + 1] = th end
  table.sort(tracks, function(a, b)
    if a.tgid ~= b.tgid then return a.tgid < b.tgid end
    return a.pid < b.pid
  end)
  for _, th in ipairs(tracks) do
    meta[#meta + 1] = json.encode({ name = "thread_name", ph = "M", ts = 0, pid = th.tgid, tid = th.pid,
      args = { name = th.comm } }, KEY_ORDER)
  end
  -- A slice's text as json.encode(ev, KEY_ORDER) writes it, each name encoded once.
  local name_text = setmetatable({}, { __index = function(t, name)
    local text = json.encode(name)
    t[name] = text
    return text
  end })
  -- The tagged runs as json.encode would write them as tables with KEY_ORDER.
  local function tagged_text(i)
    local tag, a, b, c, d, e, f = table.unpack(records, i, i + 6)
    if tag == CREATED then
      return ('{"name":%s,"ph":"i","ts":%s,"pid":%d,"tid":%d,"s":"t","args":{"child_pid":%d,"child_tgid":%d}}'):format(
        name_text[a], decimal_text(b - t0, 3), c, d, e, f), i + 7
    elseif tag == EXITED then
      return ('{"name":"exit","ph":"i","ts":%s,"pid":%d,"tid":%d,"s":"t","args":{"exit_code":%d,"signal":%d}}'):format(
        decimal_text(a - t0, 3), b, c, d, e), i + 6
    end
    return ('{"name":%s,"cat":"%s","ph":"%s","ts":%s,"pid":%d,"tid":%d,"id":%d%s}'):format(
      name_text[a], FLOW_CAT, tag == FLOW_START and "s" or "f", decimal_text(b - t0, 3), c, d, e,
      tag == FLOW_END and ',"bp":"e"' or ""), i + 6
  end
  local function slice_text(name, from, to, tgid, pid)
    return ('{"name":%s,"ph":"X","ts":%s,"dur":%s,"pid":%d,"tid":%d}'):format(name_text[name],
      decimal_text(from - t0, 3), decimal_text(to - from, 3), tgid, pid)
  end
  out:write('{"traceEvents":[\n')
  local first = true
  for _, rec in ipairs(meta) do
    if not first then out:write(",\n") end
    out:write(rec)
    first = false
  end
  chunk_slots[#chunks] = nslots
  for c, chunk in ipairs(chunks) do
    records = chunk   -- tagged_text's
    local i, last = 1, chunk_slots[c]
    while i <= last do
      if not first then out:write(",\n") end
      local rec = chunk[i]
      local kind = type(rec)
      if kind == "table" then
        rec.ts = us(rec.ts)
        out:write(json.encode(rec, KEY_ORDER))
        i = i + 1
      elseif kind == "number" then
        local text
        text, i = tagged_text(i)
        out:write(text)
      else
        out:write(slice_text(rec, chunk[i + 1], chunk[i + 2], chunk[i + 3], chunk[i + 4]))
        i = i + 5
      end
      first = false
    end
  end
  out:write('\n],\n"displayTimeUnit":"ns"}\n')
  local ok, werr
  if args.output then ok, werr = out:close() else ok, werr = out:flush() end
  if not ok then
    io.stderr:write("timeline.lua: writing ", args.output or kt.opts.output or "standard output", ": ", tostring(werr), "\n")
    kt.stop(1)
    return
  end
  local nprocs = #sorted_keys(process_comm)
  io.stderr:write(("timeline.lua: %d trace events (%d processes, %d threads) from %d events written to %s%s\n"):format(
    nrecords + #meta, nprocs, #meta - nprocs, stats.events, args.output or kt.opts.output or "standard output",
    stats.lost > 0 and (", " .. stats.lost .. " events lost") or ""))
end)
