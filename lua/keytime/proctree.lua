-- SPDX-License-Identifier: GPL-2.0-or-later
-- The process-tree model: from keytime's events, every process and thread
-- the targets had or made, how each was created, what it exec'd, how it
-- ended, and its on-CPU and off-CPU time.
--
--   local proctree = require "keytime.proctree"
--   local tree = proctree.attach()            -- inside keytime-run: fed every event
--   kt.on("end", function() for _, p in ipairs(tree:roots()) do ... end end)
--
-- proctree.new{...} makes a tree fed by hand (tree:feed(e)), with no tracer
-- needed: tests feed it plain tables shaped like events.
--
-- A node is one task (a thread; a process is its main thread, pid == tgid):
--   pid, tgid, ppid       ids; ppid is the parent process's id
--   kind                  "fork", "vfork", "thread", or "existing" (running
--                         before tracing began, or first seen without its creation)
--   creator               thread id that created it (nil for "existing")
--   comm                  latest command name seen
--   cmdline               argv read from /proc when first seen ("existing"
--                         only; nil if it was already gone or a zombie)
--   execs                 { {time, filename, argv, argv_truncated, ret}, ... };
--                         ret is nil until the call returns (0 or -errno)
--   start_time, end_time  CLOCK_MONOTONIC ns; start_time from /proc is only
--                         approximate (ticks of 10 ms) until the exit event gives it
--   ended                 true once the task ended
--   exit_code, signal, core_dumped   how it ended
--   oncpu, offcpu         ns spent on and off a CPU while traced
--   switches, preempted   times switched out; of those, while still runnable
--   missed                switch-outs that came with no switch-in seen since
--                         the last one (see off_cpu: the kernel's count mends it)
--   longest_off           { duration, start, state, kstack, inferred, waker_pid } of
--                         its longest off-CPU interval that began with a switch-out;
--                         inferred: it ended with a switch-in not seen, placed
--                         by the kernel's count of the run after it; waker_pid:
--                         who woke it (with wakers on)
--   process               the process node (the node itself for a main thread)
--   parent                the parent process node (processes only; nil for a root)
--   children              child process nodes, in creation order
--   threads               the process's other threads, in creation order
--   place                 { cgroup_id, cgroup, container_id, unit }: the cgroup v2
--                         it was last seen in (its own events; a new task starts
--                         in its creator's), one table per cgroup shared by its
--                         nodes; tree:differs(n) says where it differs from its parent's
local procfs = require "keytime.procfs"
local cgroup_place = require "keytime.cgroup_place"
local M = {}

local Tree = {}
Tree.__index = Tree

-- ---- /proc ----------------------------------------------------------------

-- What /proc says of task `pid`: { tgid, ppid, comm, cmdline, start_time,
-- threads (the tids of its process, main thread first) }, or nil if it is gone.
function M.read_proc(pid)
  local stat, tgid = procfs.stat(pid), procfs.tgid(pid)
  if not stat or not tgid then return nil end
  return {
    comm = stat.comm,
    tgid = tgid,
    ppid = stat.ppid,
    start_time = stat.start_ticks and stat.start_ticks * (1000000000 // procfs.USER_HZ),
    cmdline = procfs.cmdline(pid),   -- nil: a zombie's, or a kernel thread's
    threads = procfs.threads(tgid),
  }
end

-- ---- building ---------------------------------------------------------------

-- opts: start (ns tracing began; default: the first event's time),
-- proc (function(pid) -> read_proc-like table or nil; false: never read /proc).
function M.new(opts)
  opts = opts or {}
  local proc = opts.proc
  if proc == nil then proc = M.read_proc end
  return setmetatable({
    start = opts.start,
    proc = proc or function() return nil end,
    nodes = {},            -- every node, in the order first seen
    live = {},             -- pid -> newest node with that pid
    tails = {},            -- pid -> an exited node whose last switch-out is still due
    calling = {},          -- pid -> its exec_enter, until its exec_exit
    stacks = {},           -- stack_id -> kstack, symbolized once per distinct stack
    places = {},           -- cgroup_id -> a node's place, read once per id
    listeners = { birth = {}, exec = {}, exit = {}, interval = {} },
  }, Tree)
end

-- tree:on("birth"|"exec"|"exit", fn): fn(node [, exec]) after the model has
-- taken in the event (births include "existing" tasks when first seen).
-- tree:on("interval", fn): fn(node, kind, from, to, state, state_name) for each
-- interval the on/off-CPU totals count, when it closes: kind "on" or "off";
-- state and state_name those of the switch-out that began an off interval
-- (nil for one that did not begin with a switch-out seen).
function Tree:on(what, fn)
  local list = self.listeners[what]
  if not list then error("proctree: no hook '" .. tostring(what) .. "' (birth, exec, exit, interval)", 2) end
  list[#list + 1] = fn
end

local function fire(self, what, ...)
  for _, fn in ipairs(self.listeners[what]) do fn(...) end
end

local function interval(self, n, kind, from, to, state, state_name)
  local list = self.listeners.interval
  for i = 1, #list do list[i](n, kind, from, to, state, state_name) end
end

local function new_node(self, pid, tgid, kind, time)
  local n = {
    pid = pid, tgid = tgid, kind = kind, start_time = time,
    execs = {}, children = {}, threads = {},
    oncpu = 0, offcpu = 0, switches = 0, preempted = 0, missed = 0,
  }
  local old = self.live[pid]
  if old and old.tail_from then self.tails[pid] = old end
  self.nodes[#self.nodes + 1] = n
  self.live[pid] = n
  return n
end

local function link_process(n, parent)
  n.process = n
  if parent then
    n.parent = parent
    parent.children[#parent.children + 1] = n
  end
end

local function link_thread(n, process)
  n.process = process
  n.ppid = process.ppid
  process.threads[#process.threads + 1] = n
end

-- The cgroup of the task whose event e is. Only its id is read on every
-- event: the path and container id once per id (the tree's places).
local function placed(self, n, e)
  local id = e.cgroup_id
  if not id or id == 0 then return end
  local p = n.place
  if p and p.cgroup_id == id then return end
  p = self.places[id]
  if not p then
    local path = e.cgroup
    p = { cgroup_id = id, cgroup = path, container_id = e.container_id, unit = cgroup_place.unit(path) }
    self.places[id] = p
  end
  n.place = p
end

local function live_node(self, pid)
  local n = self.live[pid]
  if n and not n.ended then return n end
end

-- A task seen without its creation: it ran before tracing began (or its
-- creation was lost). /proc gives what the events do not.
local function existing(self, pid, tgid, e)
  local info = self.proc(pid)
  tgid = tgid or (info and info.tgid) or pid
  if pid ~= tgid then
    -- Its process first (which may list this thread too).
    local process = live_node(self, tgid) or existing(self, tgid, tgid, nil)
    local n = live_node(self, pid)
    if n then
      n.comm = (e and e.comm) or n.comm   -- the event's name is the fresher one
      return n
    end
    n = new_node(self, pid, tgid, "existing", info and info.start_time)
    n.comm = (e and e.comm) or (info and info.comm)
    n.track_from = self.start
    if e then placed(self, n, e) end
    link_thread(n, process)
    fire(self, "birth", n)
    return n
  end
  local n = new_node(self, pid, tgid, "existing", info and info.start_time)
  n.comm = (e and e.comm) or (info and info.comm)
  n.cmdline = info and info.cmdline
  n.ppid = (e and e.ppid) or (info and info.ppid)
  n.track_from = self.start
  if e then placed(self, n, e) end
  link_process(n, n.ppid ~= pid and n.ppid and live_node(self, n.ppid) or nil)
  fire(self, "birth", n)
  for _, tid in ipairs(info and info.threads or {}) do
    if tid ~= pid and not live_node(self, tid) then existing(self, tid, tgid, nil) end
  end
  return n
end

-- The node an event of thread e.pid belongs to. A pid that makes a
-- lifecycle event after its task ended belongs to a new task (the pid was
-- reused; switch events go to switched()).
local function task_of(self, e)
  return live_node(self, e.pid) or existing(self, e.pid, e.tgid, e)
end

-- Adds a task known to be running now (a target named before tracing began).
function Tree:adopt(pid)
  return live_node(self, pid) or existing(self, pid, nil, nil)
end

-- ---- on and off CPU -----------------------------------------------------------

-- An off-CPU interval that began with a switch-out seen (n.off_since), and
-- whether it is the longest; inferred: its end is the kernel's count of the
-- run after it, not a switch-in seen (see off_cpu).
-- e: the switch-in that ended it (its waker_pid, read only for a longest).
local function off_interval(self, n, from, to, inferred, e)
  interval(self, n, "off", from, to, n.off_state, n.off_state_name)
  local d = to - from
  if not n.longest_off or d > n.longest_off.duration then
    n.longest_off = { duration = d, start = from, state = n.off_state, inferred = inferred or nil,
                      kstack = self.stacks[n.off_stack_id] or {}, waker_pid = e and e.waker_pid }
  end
end

local function on_cpu(self, n, e, t)
  if n.on_since then return end   -- a switch-out was lost: keep the earlier start
  local from = n.off_since or n.track_from
  if from and t > from then
    local d = t - from
    n.offcpu = n.offcpu + d
    if n.off_since then off_interval(self, n, from, t, nil, e)
    else interval(self, n, "off", from, t) end
  end
  n.off_since, n.track_from, n.on_since = nil, nil, t
end

-- (Fields are read once, and only when needed: a live event's each cost a
-- call into C. The state's name changes only with the state.)
local function off_cpu(self, n, e, t)
  local runtime, state, id = e.runtime, e.state, e.stack_id
  local state_name = n.off_state == state and n.off_state_name or e.state_name
  if n.on_since then
    if t > n.on_since then
      n.oncpu = n.oncpu + (t - n.on_since)
      interval(self, n, "on", n.on_since, t)
    end
  else
    -- A switch-out with no switch-in seen before it: either the first
    -- event of a task that was running, or a switch-in not reported (an
    -- event lost, or a kernel that does not trace switches away from some
    -- tasks). The kernel's own count (e.runtime) says how much of the gap
    -- the task ran; without it, a first event counts as running since
    -- tracking began and a missed switch-in as nothing.
    local from = n.off_since or n.track_from
    if from and t > from then
      local gap = t - from
      local ran = n.off_since and 0 or gap
      if n.off_since then n.missed = n.missed + 1 end
      if runtime and n.runtime then ran = math.min(gap, math.max(0, runtime - n.runtime)) end
      n.oncpu, n.offcpu = n.oncpu + ran, n.offcpu + (gap - ran)
      -- Where in the gap it ran is not known: it was running when switched
      -- out, so the run is put at the gap's end.
      if gap > ran then
        if n.off_since then off_interval(self, n, from, t - ran, true)
        else interval(self, n, "off", from, t - ran) end
      end
      if ran > 0 then interval(self, n, "on", t - ran, t) end
    end
  end
  n.runtime = runtime
  n.on_since, n.track_from = nil, nil
  n.off_since, n.off_state, n.off_state_name, n.off_stack_id = t, state, state_name, id
  n.switches = n.switches + 1
  if state == "R" then n.preempted = n.preempted + 1 end
  if id and id >= 0 and not self.stacks[id] then self.stacks[id] = e.kstack end
end

-- After its exit event a task still runs to its last switch-out, and may be
-- switched out and back in on the way (preempted, or waiting in exit). Time
-- on a CPU then counts up to a switch-out actually seen: the last one of a
-- process's last thread is not reported (it is no longer a target).
-- The run the exit came in is reported as one interval (tail_start on).
local function after_exit(self, n, kind, t)
  if kind == "offcpu" then
    if n.tail_from and t > n.tail_from then
      n.oncpu = n.oncpu + (t - n.tail_from)
      interval(self, n, "on", n.tail_start or n.tail_from, t)
    end
    n.tail_from, n.tail_start, n.tail_off = nil, nil, t
  else
    if n.tail_off and t > n.tail_off then
      n.offcpu = n.offcpu + (t - n.tail_off)
      interval(self, n, "off", n.tail_off, t)
    end
    n.tail_from, n.tail_off = t, nil
  end
end

local function switched(self, e, kind, t, pid)
  pid = pid or e.pid
  local n = self.live[pid]
  if kind == "offcpu" then
    local old = self.tails[pid]
    if old and old.tail_from and n and not n.on_since then
      n = old   -- the old task's last switch-out, after its pid was given to a new one
    end
  end
  if not n then n = existing(self, pid, e.tgid, e) end
  if n.ended then return after_exit(self, n, kind, t) end
  placed(self, n, e)
  if kind == "oncpu" then on_cpu(self, n, e, t) else off_cpu(self, n, e, t) end
end

-- ---- lifecycle ------------------------------------------------------------------

local function remove(list, x)
  for i = #list, 1, -1 do
    if list[i] == x then table.remove(list, i) return end
  end
end

-- Drops a node the model should not have made (and its threads from /proc).
local function forget(self, n)
  for _, th in ipairs(table.move(n.threads, 1, #n.threads, 1, {})) do forget(self, th) end
  if n.process ~= n then remove(n.process.threads, n)
  elseif n.parent then remove(n.parent.children, n) end
  remove(self.nodes, n)
  if self.live[n.pid] == n then self.live[n.pid] = nil end
end

local function created(self, e)
  local creator = task_of(self, e)
  local stale = live_node(self, e.child_pid)
  if stale and stale.kind == "existing" then
    -- /proc, read after the fact, listed this new task as already running.
    forget(self, stale)
  elseif stale then
    stale.ended = true   -- its end was lost: the pid is someone else's now
  end
  placed(self, creator, e)
  local n = new_node(self, e.child_pid, e.child_tgid, e.kind, e.time)
  n.creator, n.comm, n.track_from, n.runtime = e.pid, e.comm, e.time, 0
  n.place = creator.place   -- it starts where its creator is
  if e.kind == "thread" then
    link_thread(n, creator.process)
  else
    n.ppid = e.tgid
    link_process(n, creator.process)
  end
  fire(self, "birth", n)
end

local function set_end(n, t, code, signal)
  n.ended, n.end_time, n.exit_code, n.signal = true, t, code, signal
  n.off_since, n.track_from = nil, nil
end

local function exited(self, e)
  local n, t = task_of(self, e), e.time
  if n.on_since then
    -- It exits while running; its last switch-out may still come (tail).
    n.oncpu = n.oncpu + math.max(0, t - n.on_since)
    n.on_since, n.tail_from, n.tail_start = nil, t, n.on_since
  end
  set_end(n, t, e.exit_code, e.signal)
  n.core_dumped, n.comm = e.core_dumped, e.comm
  placed(self, n, e)
  if e.start_time and e.start_time > 0 then n.start_time = e.start_time end
  if e.group_dead then n.process.group_end = t end
  fire(self, "exit", n)
end

-- A parent's view of its child's end: all we learn of a child whose own
-- events are not traced (no --follow).
local function child_ended(self, e)
  local n = self.live[e.child_pid]
  if not n or n.ended then return end
  set_end(n, e.time, e.exit_code, e.signal)
  if e.lifetime then n.start_time = e.time - e.lifetime end
  fire(self, "exit", n)
end

-- A successful exec (the exec event, from the new image). When the exec'ing
-- thread was not the main one, the kernel ended the main thread and gave
-- its pid to that thread, which carries the process on: the process node
-- goes on; the thread's node ends here.
local function took_over(self, e)
  local leader, th = self.live[e.tgid], self.live[e.old_pid]
  if not (leader and th) or th == leader or th.ended then return end
  th.ended, th.end_time = true, e.time
  leader.ended, leader.end_time, leader.exit_code, leader.signal = nil, nil, nil, nil
  leader.on_since, leader.tail_from, leader.runtime = th.on_since, nil, th.runtime
  th.on_since = nil
  return leader
end

local function exec_done(self, e)
  local n = (e.old_pid ~= e.pid and took_over(self, e)) or task_of(self, e)
  local x = { time = e.time, filename = e.filename, argv = e.argv, argv_truncated = e.argv_truncated, ret = 0 }
  self.calling[e.old_pid] = nil
  n.execs[#n.execs + 1] = x
  n.comm = e.comm
  placed(self, n, e)
  fire(self, "exec", n, x)
end

-- The exec syscalls themselves come only when a script asked for them
-- (kt.filter.exec_calls): they add the failed attempts to the chain.
local function exec_called(self, e)
  self.calling[e.pid] = { time = e.time, filename = e.filename, argv = e.argv, argv_truncated = e.argv_truncated }
end

local function exec_returned(self, e)
  local x = self.calling[e.pid]
  self.calling[e.pid] = nil
  if not x or e.ret == 0 then return end   -- a success is the exec event's
  local n = task_of(self, e)
  x.ret = e.ret
  placed(self, n, e)
  n.execs[#n.execs + 1] = x
  fire(self, "exec", n, x)
end

local handlers = {
  fork = created, vfork = created, thread = created,
  exit = exited,
  fork_exit = child_ended, vfork_exit = child_ended, thread_exit = child_ended,
  exec = exec_done, exec_enter = exec_called, exec_exit = exec_returned,
  oncpu = switched, offcpu = switched,
}

-- Takes in one event (the live event object or a table of its fields).
-- A caller that has read its kind, time and pid already may pass them: a
-- live event's fields each cost a call into C.
function Tree:feed(e, kind, t, pid)
  kind = kind or e.kind
  local h = handlers[kind]
  if not h then return end
  t = t or e.time
  if not self.start then self.start = t end
  h(self, e, kind, t, pid)
end

-- Tracing ended at time t: tasks still alive are counted up to t.
function Tree:finish(t)
  for _, n in ipairs(self.nodes) do
    if not n.ended then
      if n.on_since and t > n.on_since then
        n.oncpu = n.oncpu + (t - n.on_since)
        interval(self, n, "on", n.on_since, t)
      end
      local from = n.off_since or n.track_from
      if not n.on_since and from and t > from then
        n.offcpu = n.offcpu + (t - from)
        if n.off_since then interval(self, n, "off", from, t, n.off_state, n.off_state_name)
        else interval(self, n, "off", from, t) end
      end
      n.on_since, n.off_since, n.track_from = nil, nil, nil
    elseif n.tail_start and n.tail_from == n.end_time then
      -- It ran to its exit; the switch-out after it never came.
      interval(self, n, "on", n.tail_start, n.end_time)
      n.tail_start = nil
    end
  end
  self.end_time = t
end

-- ---- queries ------------------------------------------------------------------

-- Process nodes with no parent in the tree, in the order first seen.
function Tree:roots()
  local r = {}
  for _, n in ipairs(self.nodes) do
    if n.process == n and not n.parent then r[#r + 1] = n end
  end
  return r
end

-- The newest node with this pid (a pid can be reused after its task ended).
function Tree:get(pid) return self.live[pid] end
function Tree:children(n) return n.children end
function Tree:threads(n) return n.threads end

-- How many process ancestors a node has (a thread counts its process's).
function Tree:depth(n)
  local d, p = 0, n.process.parent
  if n.process ~= n then d = 1 end
  while p do d, p = d + 1, p.parent end
  return d
end

-- How long the node lived: to its end, or to the end of tracing (or `now`).
function Tree:lifetime(n, now)
  local stop = n.end_time or self.end_time or now
  if n.process == n and n.process.group_end and n.process.group_end > (stop or 0) then
    stop = n.process.group_end
  end
  if stop and n.start_time and stop >= n.start_time then return stop - n.start_time end
end

-- The exec that made the node's current image (last successful one), if any.
function Tree:image(n)
  for i = #n.execs, 1, -1 do
    if n.execs[i].ret == 0 then return n.execs[i] end
  end
end

-- Where the node's cgroup differs from its parent's (a thread's: its
-- process's): "container", "unit" or "cgroup" and the container id, unit
-- name or path (keytime.cgroup_place.differs); nil when the same, for a
-- root, or when either is unknown.
function Tree:differs(n)
  local parent = n.process ~= n and n.process or n.parent
  if parent and n.place and parent.place then return cgroup_place.differs(n.place, parent.place) end
end

-- A process's totals over its main thread and all its threads.
function Tree:totals(p)
  local t = { oncpu = p.oncpu, offcpu = p.offcpu, switches = p.switches, preempted = p.preempted,
              missed = p.missed }
  for _, th in ipairs(p.threads) do
    t.oncpu, t.offcpu = t.oncpu + th.oncpu, t.offcpu + th.offcpu
    t.switches, t.preempted = t.switches + th.switches, t.preempted + th.preempted
    t.missed = t.missed + th.missed
  end
  return t
end

local function plain(self, n)
  local t = {
    pid = n.pid, tgid = n.tgid, ppid = n.ppid, kind = n.kind, creator = n.creator,
    comm = n.comm, cmdline = n.cmdline,
    start_time = n.start_time, end_time = n.end_time, lifetime = self:lifetime(n),
    ended = n.ended or false, exit_code = n.exit_code, signal = n.signal, core_dumped = n.core_dumped,
    oncpu = n.oncpu, offcpu = n.offcpu, switches = n.switches, preempted = n.preempted,
    missed = n.missed, execs = {}, threads = {}, children = {},
    differs_from_parent = self:differs(n),
  }
  for k, v in pairs(n.place or {}) do t[k] = v end
  for i, x in ipairs(n.execs) do
    t.execs[i] = { time = x.time, filename = x.filename, argv = x.argv,
                   argv_truncated = x.argv_truncated, ret = x.ret }
  end
  if n.longest_off then
    local l = n.longest_off
    t.longest_off = { duration = l.duration, start = l.start, state = l.state, kstack = l.kstack,
                      waker_pid = l.waker_pid }
  end
  for i, th in ipairs(n.threads) do t.threads[i] = plain(self, th) end
  for i, c in ipairs(n.children) do t.children[i] = plain(self, c) end
  return t
end

-- The whole tree as plain nested tables (no cycles), ready for a JSON encoder:
-- { start, end_time, roots = { node, ... } }, each node with its threads and children.
function Tree:totable()
  local roots = {}
  for i, r in ipairs(self:roots()) do roots[i] = plain(self, r) end
  return { start = self.start, end_time = self.end_time, roots = roots }
end

-- ---- inside keytime-run --------------------------------------------------------------

-- A tree fed every event of the run, seeded from /proc with the targets
-- already in the filter map, and finished when the run ends. Call it from
-- the main chunk, before registering "end" handlers that read the tree.
-- opts.stacks (default true): record kernel stacks for longest_off.
-- opts.wakers: longest_off.waker_pid too (kt.filter.runq: the wake-up probes).
function M.attach(opts)
  opts = opts or {}
  local proc = opts.proc
  -- /proc is not read on a recording (--replay: its pids are not live), nor
  -- for a -c command: made for this run, nothing of it ran before tracing,
  -- and /proc read when its events come would show it later than they do.
  if kt.replaying or kt.opts.cmd then proc = false end
  local tree = M.new { start = kt.now(), proc = proc }
  if opts.stacks ~= false then kt.filter.stacks = true end
  if opts.wakers then kt.filter.runq = true end
  for _, target in ipairs(kt.filter:list()) do
    if not target.auto then tree:adopt(target.id) end
  end
  kt.on("*", function(e) tree:feed(e) end)
  kt.on("end", function() tree:finish(kt.now()) end)
  return tree
end

return M
