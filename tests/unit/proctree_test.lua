-- SPDX-License-Identifier: GPL-2.0-or-later
-- Unit tests of lua/keytime/proctree.lua: synthetic events in, the model
-- checked (run with lua5.4, no tracer needed).
local t = dofile((arg[0]:match("^(.*)/") or ".") .. "/../lib/unit.lua")
local eq = t.eq
local proctree = require "keytime.proctree"
local cjson = require "cjson"


local function list_eq(got, want, what)
  eq(table.concat(got or {}, " "), table.concat(want, " "), what)
end

-- An event table like e:totable() gives: kind, time, pid, tgid plus fields.
local function ev(kind, time, pid, tgid, fields)
  local e = { kind = kind, time = time, pid = pid, tgid = tgid, ppid = 1, comm = "c" .. pid, cpu = 0 }
  for k, v in pairs(fields or {}) do e[k] = v end
  return e
end

local function feed(tree, events)
  for _, e in ipairs(events) do tree:feed(e) end
end

-- A fake /proc: what read_proc would say of the tasks running before tracing.
local function fake_proc(tasks)
  return function(pid) return tasks[pid] end
end

local function pids(nodes)
  local r = {}
  for i, n in ipairs(nodes) do r[i] = n.pid end
  return r
end

-- ---- shape: roots, children, threads, kinds, execs, statuses -----------------
do
  local tree = proctree.new {
    start = 1000,
    proc = fake_proc { [100] = { tgid = 100, ppid = 1, comm = "make", cmdline = { "make", "-j2" },
                                 start_time = 500, threads = { 100 } } },
  }
  feed(tree, {
    ev("fork", 1100, 100, 100, { child_pid = 101, child_tgid = 101, comm = "make" }),
    ev("thread", 1150, 101, 101, { child_pid = 102, child_tgid = 101 }),
    ev("vfork", 1200, 102, 101, { child_pid = 103, child_tgid = 103 }),
    ev("exec", 1220, 103, 103, { filename = "/bin/true", argv = { "true", "x" }, argv_truncated = false,
                                 old_pid = 103, comm = "true" }),
    ev("exit", 1300, 103, 103, { exit_code = 4, signal = 0, group_dead = true, start_time = 1199, comm = "true" }),
    ev("vfork_exit", 1300, 102, 101, { child_pid = 103, child_tgid = 103, exit_code = 4, signal = 0 }),
    ev("exit", 1400, 102, 101, { exit_code = 0, signal = 0, group_dead = false, start_time = 1149 }),
    ev("exit", 1500, 101, 101, { exit_code = 0, signal = 9, group_dead = true, start_time = 1099 }),
  })
  local roots = tree:roots()
  list_eq(pids(roots), { 100 }, "one root: the existing process")
  local make = roots[1]
  eq(make.kind, "existing", "root kind")
  eq(make.comm, "make", "root comm")
  list_eq(make.cmdline, { "make", "-j2" }, "root cmdline from /proc")
  eq(make.start_time, 500, "root start from /proc")
  eq(make.ended, nil, "root still running")
  list_eq(pids(tree:children(make)), { 101 }, "root's child")
  local child = make.children[1]
  eq(child.kind, "fork", "child kind")
  eq(child.ppid, 100, "child ppid")
  eq(child.creator, 100, "child creator")
  eq(child.parent, make, "child parent")
  list_eq(pids(tree:threads(child)), { 102 }, "child's thread")
  local th = child.threads[1]
  eq(th.kind, "thread", "thread kind")
  eq(th.process, child, "thread's process")
  eq(th.creator, 101, "thread creator")
  list_eq(pids(child.children), { 103 }, "grandchild under the child process, made by its thread")
  local gc = child.children[1]
  eq(gc.kind, "vfork", "grandchild kind")
  eq(gc.creator, 102, "grandchild made by the thread")
  eq(#gc.execs, 1, "grandchild one exec")
  eq(gc.execs[1].filename, "/bin/true", "exec filename")
  list_eq(gc.execs[1].argv, { "true", "x" }, "exec argv")
  eq(gc.execs[1].ret, 0, "exec ret")
  eq(gc.comm, "true", "comm after exec")
  eq(gc.exit_code, 4, "grandchild exit code")
  eq(gc.start_time, 1199, "start time from the exit event")
  eq(tree:lifetime(gc), 101, "grandchild lifetime")
  eq(tree:image(gc), gc.execs[1], "image: the successful exec")
  eq(child.signal, 9, "child killed by a signal")
  eq(child.group_end, 1500, "process end")
  eq(tree:depth(make), 0, "depth 0")
  eq(tree:depth(child), 1, "depth 1")
  eq(tree:depth(th), 2, "thread depth: its process's plus one")
  eq(tree:depth(gc), 2, "depth 2")
  eq(tree:get(103), gc, "get by pid")
end

-- ---- on/off CPU of a thread born while traced --------------------------------
do
  local tree = proctree.new { start = 0, proc = false }
  feed(tree, {
    ev("thread", 100, 10, 10, { child_pid = 11, child_tgid = 10 }),
    ev("oncpu", 150, 11, 10),                                       -- waited 50 to run first
    ev("offcpu", 250, 11, 10, { state = "S", stack_id = 7, kstack = { "schedule+0x1", "do_nanosleep+0x2" } }),
    ev("oncpu", 400, 11, 10, { waker_pid = 77 }),                   -- slept 150, till 77 woke it
    ev("offcpu", 420, 11, 10, { state = "R", stack_id = 8, kstack = { "preempt+0x1" } }),
    ev("oncpu", 430, 11, 10),                                       -- preempted 10
    ev("exit", 500, 11, 10, { exit_code = 0, signal = 0, group_dead = false, start_time = 100 }),
    ev("offcpu", 510, 11, 10, { state = "X", stack_id = -1 }),      -- its last switch-out
  })
  local n = tree:get(11)
  eq(n.oncpu, 100 + 20 + 70 + 10, "on-CPU: intervals, plus exit to last switch-out")
  eq(n.offcpu, 50 + 150 + 10, "off-CPU: first wait and the switched-out intervals")
  eq(n.switches, 2, "switches (the last switch-out after exit not counted)")
  eq(n.preempted, 1, "preempted once")
  eq(n.longest_off and n.longest_off.duration, 150, "longest off-CPU interval")
  eq(n.longest_off and n.longest_off.state, "S", "its state")
  eq(n.longest_off and n.longest_off.start, 250, "its start")
  list_eq(n.longest_off and n.longest_off.kstack, { "schedule+0x1", "do_nanosleep+0x2" }, "its kernel stack")
  eq(n.longest_off and n.longest_off.waker_pid, 77, "who ended it")
  eq(n.oncpu + n.offcpu, tree:lifetime(n) + 10, "on + off = lifetime (+ the tail after exit)")
end

-- ---- a switch-in not seen: the kernel's count (runtime) mends it ---------------------
do
  local tree = proctree.new { start = 0, proc = false }
  local function sw(kind, time, runtime, state)
    return ev(kind, time, 12, 1, { state = state, stack_id = -1, runtime = runtime })
  end
  feed(tree, {
    ev("thread", 0, 1, 1, { child_pid = 12, child_tgid = 1 }),
    sw("oncpu", 0, 0),
    sw("offcpu", 100, 100, "R"),
    sw("offcpu", 300, 250, "S"),    -- switch-in not seen: the kernel says it ran 150 of the 200
    sw("oncpu", 350, 250),
    sw("offcpu", 400, 300, "S"),
    sw("offcpu", 600, 320, "R"),    -- switch-in not seen: ran 20 of the 200
    sw("oncpu", 610, 320),
  })
  tree:finish(700)
  local n = tree:get(12)
  eq(n.missed, 2, "two switch-ins not seen")
  eq(n.oncpu, 100 + 150 + 50 + 20 + 90, "on-CPU: the intervals, and the kernel's count of the gaps")
  eq(n.offcpu, 50 + 50 + 180 + 10, "off-CPU: the rest")
  eq(n.longest_off.duration, 180, "a gap with an unseen switch-in: off until the kernel's count of the run")
  eq(n.longest_off.start, 400, "its start: the switch-out seen")
  eq(n.longest_off.state, "S", "its state")
  eq(n.longest_off.inferred, true, "its end inferred")
  eq(tree:totals(tree:get(1)).missed, 2, "totals count them")

  -- Without the kernel's count, such a gap is off CPU (and so not on CPU).
  local bare = proctree.new { start = 0, proc = false }
  feed(bare, {
    ev("oncpu", 0, 13, 13),
    ev("offcpu", 100, 13, 13, { state = "R", stack_id = -1 }),
    ev("offcpu", 300, 13, 13, { state = "S", stack_id = -1 }),
  })
  local b = bare:get(13)
  eq(b.missed, 1, "a switch-in not seen, without runtime")
  eq(b.oncpu, 100, "only the interval seen is on CPU")
  eq(b.offcpu, 200, "the gap is off CPU")
end

-- ---- first event is offCPU: on CPU since tracing began ----------------------
do
  local tree = proctree.new { start = 1000, proc = false }
  feed(tree, {
    ev("offcpu", 1300, 20, 20, { state = "S", stack_id = 3, kstack = { "a+0x1" } }),
    ev("oncpu", 1500, 20, 20),
    ev("offcpu", 1550, 20, 20, { state = "S", stack_id = 3, kstack = { "ignored: cached by id" } }),
  })
  local n = tree:get(20)
  eq(n.kind, "existing", "unknown task is existing")
  eq(n.oncpu, 300 + 50, "on-CPU counted from when tracing began")
  eq(n.offcpu, 200, "off-CPU between the switches")
  tree:finish(1600)
  eq(n.offcpu, 200 + 50, "finish closes the open off-CPU interval")
  eq(n.oncpu, 350, "finish adds no on-CPU to a sleeping task")
  list_eq(n.longest_off.kstack, { "a+0x1" }, "stack of the longest interval")
  eq(tree.stacks[3][1], "a+0x1", "stacks symbolized once per id")
end

-- ---- first event is onCPU: off CPU since tracing began; finish while running ------
do
  local tree = proctree.new { start = 1000, proc = false }
  feed(tree, { ev("oncpu", 1200, 30, 30) })
  tree:finish(1700)
  local n = tree:get(30)
  eq(n.offcpu, 200, "off-CPU from when tracing began")
  eq(n.oncpu, 500, "on-CPU up to the end of tracing")
  eq(n.longest_off, nil, "no switched-out interval yet")
  eq(tree.end_time, 1700, "tree end time")
  eq(tree:lifetime(n), nil, "no lifetime without a start")
end

-- ---- a thread that ends while on CPU with no later switch-out (last thread) ---------
do
  local tree = proctree.new { start = 0, proc = false }
  feed(tree, {
    ev("fork", 10, 1, 1, { child_pid = 40, child_tgid = 40 }),
    ev("oncpu", 20, 40, 40),
    ev("exit", 90, 40, 40, { exit_code = 3, signal = 0, group_dead = true, start_time = 10 }),
  })
  tree:finish(1000)
  local n = tree:get(40)
  eq(n.oncpu, 70, "on-CPU closed at exit")
  eq(n.offcpu, 10, "off-CPU before the first run only")
  eq(n.exit_code, 3, "exit code")
end

-- ---- pid reuse after exit ----------------------------------------------------------
do
  local tree = proctree.new { start = 0, proc = false }
  feed(tree, {
    ev("fork", 10, 1, 1, { child_pid = 50, child_tgid = 50 }),
    ev("oncpu", 20, 50, 50),
    ev("exit", 30, 50, 50, { exit_code = 1, signal = 0, group_dead = true, start_time = 10 }),
    ev("fork_exit", 30, 1, 1, { child_pid = 50, child_tgid = 50, exit_code = 1, signal = 0, lifetime = 20 }),
    ev("fork", 40, 1, 1, { child_pid = 50, child_tgid = 50 }),        -- the same pid, a new task
    ev("offcpu", 45, 50, 50, { state = "X", stack_id = -1 }),        -- the old task's last switch-out
    ev("oncpu", 60, 50, 50),
    ev("exit", 100, 50, 50, { exit_code = 2, signal = 0, group_dead = true, start_time = 40 }),
  })
  local root = tree:get(1)
  eq(#root.children, 2, "two children with the same pid")
  local old, new = root.children[1], root.children[2]
  eq(old.exit_code, 1, "old task keeps its exit code")
  eq(new.exit_code, 2, "new task has its own")
  eq(old.oncpu, 10 + 15, "old task: its run and its tail after the pid was reused")
  eq(new.oncpu, 40, "new task: only its own run")
  eq(new.offcpu, 20, "new task: waited from its creation to its first run")
  eq(tree:get(50), new, "get gives the newest task of a pid")
  -- A pid that execs after its end, with no creation seen: a task of its own.
  feed(tree, { ev("exec", 200, 50, 50, { filename = "/x", argv = { "/x" }, old_pid = 50 }) })
  local third = tree:get(50)
  eq(third ~= new and third.kind, "existing", "a reused pid without creation is a new existing task")
  eq(#new.execs, 0, "an ended task gains nothing from its pid's next owner")
end

-- ---- switched out and back in after its exit (preempted while exiting) -------------
do
  local tree = proctree.new { start = 0, proc = false }
  feed(tree, {
    ev("thread", 10, 1, 1, { child_pid = 55, child_tgid = 1 }),
    ev("oncpu", 20, 55, 1),
    ev("exit", 100, 55, 1, { exit_code = 0, signal = 0, group_dead = false, start_time = 10 }),
    ev("offcpu", 110, 55, 1, { state = "R", stack_id = -1 }),
    ev("oncpu", 150, 55, 1),
    ev("offcpu", 155, 55, 1, { state = "X", stack_id = -1 }),
  })
  tree:finish(1000)
  local p = tree:get(1)
  eq(#p.threads, 1, "still one node for the exiting thread")
  local n = p.threads[1]
  eq(n.oncpu, 80 + 10 + 5, "on-CPU: its run, then its runs while exiting")
  eq(n.offcpu, 10 + 40, "off-CPU: first wait, and preempted while exiting")
  eq(n.switches, 0, "switches while exiting are not counted")
end

-- ---- a child seen only by its parent (not followed) ----------------------------
do
  local tree = proctree.new { start = 0, proc = false }
  feed(tree, {
    ev("vfork", 10, 1, 1, { child_pid = 60, child_tgid = 60 }),
    ev("vfork_exit", 70, 1, 1, { child_pid = 60, child_tgid = 60, exit_code = 0, signal = 15, lifetime = 65 }),
  })
  local n = tree:get(60)
  eq(n.ended, true, "ended from the parent's view")
  eq(n.signal, 15, "its signal")
  eq(n.start_time, 5, "start from the kernel's lifetime")
  eq(tree:lifetime(n), 65, "lifetime")
end

-- ---- exec chain: a failed exec (seen with the exec syscalls), then two successful ones
do
  local tree = proctree.new { start = 0, proc = false }
  feed(tree, {
    ev("fork", 10, 1, 1, { child_pid = 70, child_tgid = 70, comm = "sh" }),
    ev("exec_enter", 20, 70, 70, { filename = "/nope", argv = { "/nope" }, comm = "sh" }),
    ev("exec_exit", 21, 70, 70, { ret = -2, comm = "sh" }),
    ev("exec_enter", 22, 70, 70, { filename = "/bin/sh", argv = { "sh", "-c", "x" }, comm = "sh" }),
    ev("exec", 23, 70, 70, { filename = "/bin/sh", argv = { "sh", "-c", "x" }, old_pid = 70, comm = "sh" }),
    ev("exec_exit", 23, 70, 70, { ret = 0, comm = "sh" }),
    -- without the syscall probes: the exec event alone
    ev("exec", 31, 70, 70, { filename = "/usr/bin/x", argv = { "x" }, old_pid = 70, comm = "x" }),
  })
  local n = tree:get(70)
  eq(#n.execs, 3, "three execs: a success is counted once")
  eq(n.execs[1].ret, -2, "failed exec kept with its error")
  eq(n.execs[1].filename, "/nope", "failed exec's file, from its exec_enter")
  eq(n.execs[2].ret, 0, "success from the exec event")
  list_eq(n.execs[2].argv, { "sh", "-c", "x" }, "its argv")
  eq(n.execs[3].filename, "/usr/bin/x", "last exec")
  eq(tree:image(n), n.execs[3], "image is the last successful exec")
  eq(n.comm, "x", "comm follows the image")
end

-- ---- exec from a thread other than the main one ---------------------------------
do
  local tree = proctree.new { start = 0, proc = false }
  feed(tree, {
    ev("fork", 10, 1, 1, { child_pid = 80, child_tgid = 80 }),
    ev("thread", 20, 80, 80, { child_pid = 81, child_tgid = 80 }),
    ev("oncpu", 25, 81, 80),
    -- the kernel ends the main thread, then the exec'ing thread takes its pid
    ev("exit", 35, 80, 80, { exit_code = 0, signal = 9, group_dead = false, start_time = 10 }),
    ev("exec", 40, 80, 80, { filename = "/bin/true", argv = { "true" }, old_pid = 81, comm = "true" }),
    ev("exit", 50, 80, 80, { exit_code = 6, signal = 0, group_dead = true, start_time = 10 }),
  })
  local root = tree:get(1)
  eq(#root.children, 1, "still one child process")
  local p = root.children[1]
  eq(#p.execs, 1, "the exec belongs to the process")
  eq(p.execs[1].ret, 0, "its result")
  eq(p.exit_code, 6, "the process's exit is the last one")
  eq(p.signal, 0, "not the main thread's SIGKILL")
  eq(p.oncpu, 25, "the exec'ing thread's run goes on as the process's")
  eq(#p.execs == 1 and #p.threads[1].execs, 0, "the thread's node does not keep the exec")
end

-- ---- the intervals behind the totals, reported as they close ------------------------
do
  local tree = proctree.new { start = 0, proc = false }
  local seen = {}
  tree:on("interval", function(n, kind, from, to, state, state_name)
    seen[#seen + 1] = ("%d %s %d-%d %s %s"):format(n.pid, kind, from, to, tostring(state), tostring(state_name))
  end)
  local function sw(kind, time, pid, runtime, state, name)
    return ev(kind, time, pid, 1, { state = state, state_name = name, stack_id = -1, runtime = runtime })
  end
  feed(tree, {
    ev("thread", 100, 1, 1, { child_pid = 11, child_tgid = 1 }),
    sw("oncpu", 150, 11, 0),                          -- off 100-150, not begun by a switch-out
    sw("offcpu", 250, 11, 100, "S", "sleeping"),      -- on 150-250
    sw("oncpu", 400, 11, 100),                        -- off 250-400, sleeping
    sw("offcpu", 420, 11, 120, "R", "runnable"),      -- on 400-420
    sw("offcpu", 600, 11, 150, "D", "uninterruptible"), -- switch-in not seen: ran 30 of the 180, at its end
    sw("oncpu", 610, 11, 150),                        -- off 600-610
    ev("exit", 700, 11, 1, { exit_code = 0, signal = 0, group_dead = false, start_time = 100 }),
    sw("offcpu", 720, 11, 260, "X", "dead"),          -- the run it exited in: one interval, 610-720
    sw("oncpu", 730, 11, 260),                        -- a tail: off 720-730, no state
    sw("offcpu", 735, 11, 265, "X", "dead"),          -- on 730-735
    ev("thread", 800, 1, 1, { child_pid = 12, child_tgid = 1 }),
    sw("oncpu", 810, 12, 0),
    ev("exit", 850, 12, 1, { exit_code = 0, signal = 0, group_dead = false, start_time = 800 }),
    ev("thread", 900, 1, 1, { child_pid = 13, child_tgid = 1 }),
    sw("oncpu", 910, 13, 0),
    sw("offcpu", 930, 13, 20, "S", "sleeping"),
    ev("thread", 940, 1, 1, { child_pid = 14, child_tgid = 1 }),
    sw("oncpu", 950, 14, 0),
  })
  tree:finish(1000)
  list_eq(seen, {
    "11 off 100-150 nil nil", "11 on 150-250 nil nil", "11 off 250-400 S sleeping", "11 on 400-420 nil nil",
    "11 off 420-570 R runnable", "11 on 570-600 nil nil", "11 off 600-610 D uninterruptible",
    "11 on 610-720 nil nil", "11 off 720-730 nil nil", "11 on 730-735 nil nil",
    "12 off 800-810 nil nil", "13 off 900-910 nil nil", "13 on 910-930 nil nil", "14 off 940-950 nil nil",
    -- finish, in the order first seen: the process (never seen on CPU), the thread
    -- that never switched out after its exit, a sleeping one, a running one
    "1 off 0-1000 nil nil", "12 on 810-850 nil nil", "13 off 930-1000 S sleeping", "14 on 950-1000 nil nil",
  }, "intervals in the order they close")
  -- The intervals add up to the totals.
  local sum = {}
  for _, line in ipairs(seen) do
    local pid, kind, from, to = line:match("^(%d+) (%a+) (%d+)-(%d+)")
    local key = pid .. kind
    sum[key] = (sum[key] or 0) + (tonumber(to) - tonumber(from))
  end
  for _, pid in ipairs { 11, 12, 13, 14 } do
    local n = tree:get(pid)
    eq(sum[pid .. "on"], n.oncpu, "thread " .. pid .. ": on intervals add up to oncpu")
    eq(sum[pid .. "off"], n.offcpu, "thread " .. pid .. ": off intervals add up to offcpu")
  end
  local ok, err = pcall(tree.on, tree, "intervals", function() end)
  eq(ok, false, "an unknown hook is an error")
  eq(err and err:match("interval%)") ~= nil, true, "the error lists the hooks: " .. tostring(err))
end

-- ---- hooks, totals, totable ---------------------------------------------------------
do
  local tree = proctree.new {
    start = 0,
    proc = fake_proc { [90] = { tgid = 90, ppid = 1, comm = "srv", cmdline = {}, threads = { 90, 91 } },
                       [91] = { tgid = 90, ppid = 1, comm = "worker", cmdline = {}, threads = { 90, 91 } } },
  }
  local seen = {}
  tree:on("birth", function(n) seen[#seen + 1] = "birth " .. n.pid .. " " .. n.kind end)
  tree:on("exec", function(n, x) seen[#seen + 1] = "exec " .. n.pid .. " " .. x.ret end)
  tree:on("exit", function(n) seen[#seen + 1] = "exit " .. n.pid end)
  feed(tree, {
    ev("oncpu", 5, 91, 90),                                 -- a thread of a process running before
    ev("offcpu", 15, 91, 90, { state = "S", stack_id = -1 }),
    ev("oncpu", 17, 90, 90),
    ev("fork", 20, 90, 90, { child_pid = 92, child_tgid = 92 }),
    ev("exec", 31, 92, 92, { filename = "/x", argv = { "/x" }, old_pid = 92 }),
    ev("exit", 40, 92, 92, { exit_code = 0, signal = 0, group_dead = true, start_time = 20 }),
  })
  list_eq(seen, { "birth 90 existing", "birth 91 existing", "birth 92 fork", "exec 92 0", "exit 92" }, "hooks in order")
  local srv = tree:get(90)
  eq(srv.comm, "srv", "existing process from /proc")
  eq(tree:get(91).comm, "c91", "existing thread named by its event")
  eq(tree:get(91).process, srv, "existing thread under its process")
  tree:finish(100)
  local t = tree:totals(srv)
  eq(t.oncpu, 83 + 10, "process totals add its threads' on-CPU")
  eq(t.switches, 1, "and their switches")
  local ok, err = pcall(tree.on, tree, "death", print)
  eq(ok == false and err:match("no hook 'death'") ~= nil, true, "unknown hook is an error")

  local doc = tree:totable()
  local s = cjson.encode(doc)     -- no cycles: it encodes
  local back = cjson.decode(s)
  eq(#back.roots, 1, "totable: one root")
  eq(back.roots[1].pid, 90, "totable: root pid")
  eq(back.roots[1].threads[1].pid, 91, "totable: threads")
  eq(back.roots[1].children[1].execs[1].filename, "/x", "totable: execs")
  eq(back.roots[1].children[1].lifetime, 20, "totable: lifetime")
  eq(back.end_time, 100, "totable: end time")
end

-- ---- /proc read late lists a thread whose creation is still to come ---------------
do
  local tree = proctree.new {
    start = 0,
    proc = fake_proc { [95] = { tgid = 95, ppid = 1, comm = "busy", threads = { 95, 96 } },
                       [96] = { tgid = 95, ppid = 1, comm = "busy", threads = { 95, 96 } } },
  }
  feed(tree, {
    ev("oncpu", 5, 95, 95),
    ev("thread", 10, 95, 95, { child_pid = 96, child_tgid = 95 }),
    ev("fork", 20, 95, 95, { child_pid = 97, child_tgid = 97 }),
    ev("fork", 30, 95, 95, { child_pid = 97, child_tgid = 97 }),   -- 97's end was lost
  })
  local p = tree:get(95)
  list_eq(pids(p.threads), { 96 }, "one node for the thread")
  eq(p.threads[1].kind, "thread", "it is the thread the event made")
  eq(#tree.nodes, 4, "no stale node left in the tree")
  eq(p.children[1].ended, true, "a task whose pid is given again has ended")
  eq(p.children[2].ended, nil, "the new one runs")
end

-- ---- a child that moved to another cgroup is marked; one that stayed is not ----------
do
  local tree = proctree.new { start = 0, proc = false }
  local A, B = { cgroup_id = 7, cgroup = "/a" }, { cgroup_id = 8, cgroup = "/a/b" }
  local function at(place, fields)
    local f = { cgroup_id = place.cgroup_id, cgroup = place.cgroup }
    for k, v in pairs(fields or {}) do f[k] = v end
    return f
  end
  feed(tree, {
    ev("fork", 10, 1, 1, at(A, { child_pid = 2, child_tgid = 2 })),
    ev("fork", 11, 1, 1, at(A, { child_pid = 3, child_tgid = 3 })),
    ev("thread", 12, 1, 1, at(A, { child_pid = 4, child_tgid = 1 })),
    -- 2 writes itself to /a/b, then execs and forks there
    ev("exec", 20, 2, 2, at(B, { filename = "/x", argv = { "x" }, old_pid = 2 })),
    ev("fork", 21, 2, 2, at(B, { child_pid = 5, child_tgid = 5 })),
    ev("exit", 30, 3, 3, at(A, { exit_code = 0, signal = 0, group_dead = true })),
    ev("exit", 31, 5, 5, at(B, { exit_code = 0, signal = 0, group_dead = true })),
    ev("fork", 32, 9, 9, { child_pid = 6, child_tgid = 6 }),   -- a recording without the cgroup
  })
  local moved, stayed, grandchild, th, unknown = tree:get(2), tree:get(3), tree:get(5), tree:get(4), tree:get(6)
  eq(moved.place.cgroup, "/a/b", "the moved child's cgroup: its own event's")
  eq(moved.place.cgroup_id, 8, "its id")
  eq(tree:get(1).place.cgroup, "/a", "the parent's, from its fork events")
  eq(grandchild.place, moved.place, "one place per cgroup, shared")
  local kind, name = tree:differs(moved)
  eq(kind, "cgroup", "the moved child differs from its parent")
  eq(name, "/a/b", "by its path")
  eq(tree:differs(stayed), nil, "a child in its parent's cgroup: no difference")
  eq(tree:differs(grandchild), nil, "a child born in the moved one's cgroup: none")
  eq(tree:differs(th), nil, "a thread in its process's cgroup: none")
  eq(tree:differs(tree:get(1)), nil, "a root: none")
  eq(unknown.place, nil, "a fork event without the cgroup: unknown")
  eq(tree:differs(unknown), nil, "an unknown cgroup is not a difference")
  feed(tree, { ev("exit", 40, 6, 6, at(B, { exit_code = 0, signal = 0, group_dead = true })) })
  eq(tree:differs(unknown), nil, "nor one whose parent's is unknown")
  local doc = tree:totable()
  local children = doc.roots[1].children
  eq(children[1].differs_from_parent, "cgroup", "totable: the moved child's field")
  eq(children[1].cgroup, "/a/b", "totable: its cgroup")
  eq(children[2].differs_from_parent, nil, "totable: none on the one that stayed")
  eq(children[1].children[1].differs_from_parent, nil, "totable: none on the grandchild")
  eq(doc.roots[1].cgroup_id, 7, "totable: the root's cgroup id")
end

-- ---- /proc, for real ------------------------------------------------------------------
do
  local me = proctree.read_proc("self")
  eq(me ~= nil, true, "read_proc of a live task")
  if me then
    eq(me.cmdline[1]:match("lua") ~= nil, true, "its cmdline")
    eq(me.threads[1], me.tgid, "its threads, main thread first")
    eq(type(me.ppid), "number", "its ppid")
    eq(type(me.start_time), "number", "its start time")
  end
  eq(proctree.read_proc(0x7ffffffe), nil, "read_proc of a missing task")
end

t.done("proctree")
