-- SPDX-License-Identifier: GPL-2.0-or-later
-- exporter.lua: a Prometheus exporter of the host's process lifecycle.
-- Serves /metrics on --listen (default 127.0.0.1:9464) for as long as it runs.
--   keytime-run exporter.lua                      # every process on the host
--   keytime-run exporter.lua --listen 0.0.0.0:9464 --top 50
--   keytime-run exporter.lua --tgid 3184 --follow # one service and its children
--
-- keytime_process_starts_total{comm,kind}    processes and threads created (kind: fork, vfork, thread)
-- keytime_process_exits_total{comm,code}     processes that exited with a code
-- keytime_process_signaled_total{comm,signal} processes killed by a signal (crashes: SIGSEGV, ...)
-- keytime_execs_total{comm}                  successful execs, by the new command name
-- keytime_cpu_seconds_total{comm}            time on a CPU (the kernel's own count)
-- keytime_offcpu_seconds_total{comm,state}   time off a CPU, by why (sleeping, runnable, ...)
-- and keytime's own health: events and lost events by kind, handler errors, ...
--
-- Command names are label values: the first --top of them get their own
-- series, the rest are counted as comm="other", so a fork storm of new
-- names cannot grow the series without bound. Counters only ever go up.
local argparse = require "argparse"

local parser = argparse("exporter.lua", "Export the process lifecycle of the host (or of the targets) to Prometheus.")
parser:option("--listen", "Address to serve /metrics on (ADDR:PORT, or PORT for loopback).", "127.0.0.1:9464")
parser:option("--top", "Command names with series of their own; the rest are 'other'.", "100")
  :convert(tonumber)
parser:option("--interval", "Seconds between refreshes of what a scrape sees.", "1")
  :convert(tonumber)
parser:flag("--no-cpu", "No on/off-CPU seconds (no switch events: cheapest).")
local args = parser:parse(kt.args)
if not args.top or args.top < 0 then parser:error("--top: a number >= 0") end
if not args.interval or args.interval <= 0 then parser:error("--interval: a number > 0") end

kt.metrics.listen(args.listen, args.interval)
if #kt.filter:list() == 0 then kt.filter.all = true end   -- no targets given: the whole host
kt.filter.cpu = not args.no_cpu

local m = kt.metrics
local starts = m.counter("keytime_process_starts_total", "Processes and threads created, by the creator's command name.", {"comm", "kind"})
local exits = m.counter("keytime_process_exits_total", "Processes that ended by exiting, by exit code.", {"comm", "code"})
local signaled = m.counter("keytime_process_signaled_total", "Processes killed by a signal.", {"comm", "signal"})
local execs = m.counter("keytime_execs_total", "Successful execs, by the new command name.", {"comm"})
local cpu = not args.no_cpu and m.counter("keytime_cpu_seconds_total", "Time on a CPU, as the kernel counts it.", {"comm"})
local offcpu = not args.no_cpu and m.counter("keytime_offcpu_seconds_total", "Time off a CPU, by the task state it left in.", {"comm", "state"})

-- Bounded label values: the first --top names, then "other".
local names, nnames = {}, 0
local function label(comm)
  local known = names[comm]
  if known then return known end
  if nnames < args.top then
    nnames = nnames + 1
    names[comm] = comm
    return comm
  end
  return "other"
end

local function started(kind)
  return function(e) starts:inc({comm = label(e.comm), kind = kind}) end
end
kt.on("fork", started("fork"))
kt.on("vfork", started("vfork"))
kt.on("thread", started("thread"))
kt.on("exec", function(e) execs:inc({comm = label(e.comm)}) end)

-- Per thread: the kernel's runtime at its last event, and when and how it
-- last left the CPU.
local runtime, left_at, left_as = {}, {}, {}

kt.on("exit", function(e)
  runtime[e.pid], left_at[e.pid], left_as[e.pid] = nil, nil, nil
  if not e.group_dead then return end          -- a thread; its process goes on
  local comm = label(e.comm)
  if e.signal ~= 0 then
    signaled:inc({comm = comm, signal = kt.signame(e.signal)})
  else
    exits:inc({comm = comm, code = e.exit_code})
  end
end)

if cpu then
  -- Switch events come by the million a second: each command name's (and
  -- state's) label table is made once, not at every event.
  local comm_labels, state_labels = {}, {}
  local function by_comm(comm)
    local l = comm_labels[comm]
    if not l then l = {comm = label(comm)}; comm_labels[comm] = l end
    return l
  end
  local function by_state(comm, state)
    local of_comm = state_labels[comm]
    if not of_comm then of_comm = {}; state_labels[comm] = of_comm end
    local l = of_comm[state]
    if not l then l = {comm = label(comm), state = state}; of_comm[state] = l end
    return l
  end
  local function ran(e, pid, comm)
    local before, now = runtime[pid], e.runtime
    if before and now > before then
      cpu:inc(by_comm(comm), (now - before) / 1e9)
    end
    runtime[pid] = now
  end
  kt.on("offcpu", function(e)
    local pid = e.pid
    ran(e, pid, e.comm)
    left_at[pid], left_as[pid] = e.time, e.state_name
  end)
  kt.on("oncpu", function(e)
    local pid, comm = e.pid, e.comm
    local t = left_at[pid]
    if t then
      local now = e.time
      if now > t then offcpu:inc(by_state(comm, left_as[pid]), (now - t) / 1e9) end
      left_at[pid], left_as[pid] = nil, nil
    end
    ran(e, pid, comm)
  end)
end
