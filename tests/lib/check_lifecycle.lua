-- SPDX-License-Identifier: GPL-2.0-or-later
-- Checks keytime.lua --json output of the lifecycle workload against the
-- manifest it wrote. Usage: lua5.4 check_lifecycle.lua EVENTS MANIFEST MODE [WORKLOAD]
--   MODE: cmd-follow (descendants traced too), tgid, pid; cmd-follow takes
--   the workload path as it was run, WORKLOAD, as a fourth argument.
local t = dofile(arg[0]:match("^(.*)/") .. "/jsonl.lua")
local events = t.read_events(arg[1])
local m = t.read_manifest(arg[2])
local mode = arg[3]
local main = m.main_pid

t.expect(main ~= nil, "manifest names the workload's pid", arg[2])
t.expect(#events > 0, "some events came")

-- What the parent saw of each child: creation, then the end with its status.
local children = {
  { key = "fork_child",       create = "forkP_enter",  ended = "forkP_exit",  exit_code = 3,  signal = 0 },
  { key = "vfork_child",      create = "vforkP_enter", ended = "vforkP_exit", exit_code = 0,  signal = 0 },
  { key = "vexec_child",      create = "vforkP_enter", ended = "vforkP_exit", exit_code = 0,  signal = 0 },
  { key = "vexec_long_child", create = "vforkP_enter", ended = "vforkP_exit", exit_code = 0,  signal = 0 },
  { key = "spawn_child",      create = "vforkP_enter", ended = "vforkP_exit", exit_code = 0,  signal = 0 },
  { key = "clone_child",      create = "forkP_enter",  ended = "forkP_exit",  exit_code = 5,  signal = 0 },
  { key = "killed_child",     create = "forkP_enter",  ended = "forkP_exit",  exit_code = 0,  signal = 9 },
  { key = "missing_child",    create = "vforkP_enter", ended = "vforkP_exit", exit_code = 42, signal = 0 },
  { key = "thread1",          create = "createT_enter", ended = "createT_exit", exit_code = 0, signal = 0 },
  { key = "thread2",          create = "createT_enter", ended = "createT_exit", exit_code = 0, signal = 0 },
}
local last_create
for _, c in ipairs(children) do
  local child = m[c.key]
  t.expect(child ~= nil, "manifest has " .. c.key)
  local born = t.expect_one(events, c.key .. " created", { event = c.create, pid = main, tgid = main, child_pid = child })
  local ended = t.expect_one(events, c.key .. " ended, seen by its parent",
    { event = c.ended, pid = main, tgid = main, child_pid = child, exit_code = c.exit_code, signal = c.signal })
  t.expect_before(born, ended, c.key .. ": creation before end")
  if last_create and born then t.expect_before(last_create, born, c.key .. " created in the workload's order") end
  last_create = born or last_create
end

-- The workload's own life: sleeping off-CPU, then exit 7 as the last of it.
local slept = t.find_all(events, { event = "offCPU", pid = main, state = "S" })
t.expect(#slept > 0, "main thread went off-CPU sleeping (state S)")
local oncpu = t.find_all(events, { event = "onCPU", pid = main })
t.expect(#oncpu > 0, "main thread came on-CPU")
local exit = t.expect_one(events, "workload exit 7", { event = "exit", pid = main, tgid = main, exit_code = 7, signal = 0 })
if exit then
  t.expect(exit.group_dead == true, "workload exit ends its process")
  for _, e in ipairs(events) do
    if e.tgid == main and e.pid == main and e.index > exit.index and e.event ~= "onCPU" and e.event ~= "offCPU" then
      t.expect(false, "nothing of the main thread after its exit", t.describe(e))
    end
  end
end
for _, e in ipairs(events) do
  if e.pid == main then t.expect(e.ppid == m.ppid, "ppid of the workload is its parent", t.describe(e)) end
end

if mode == "cmd-follow" then
  -- The command's own exec, from its first instruction: the exec event (the
  -- new image's arguments) and, asked for with -x, the syscall's two ends.
  t.expect_one(events, "workload exec", { event = "exec", pid = main, old_pid = main, argv = { arg[4], arg[2] } })
  t.expect_one(events, "workload exec syscall", { event = "exec_enter", pid = main, argv = { arg[4], arg[2] } })
  t.expect_one(events, "workload exec returned 0", { event = "exec_exit", pid = main, ret = 0 })
  -- Descendants, followed in the kernel.
  local argv = { "/bin/true", "alpha", "beta gamma" }
  for i = 3, 21 do argv[#argv + 1] = "a" .. i end
  local vexec = t.expect_one(events, "vfork+exec argv (22 args)",
    { event = "exec", pid = m.vexec_child, filename = "/bin/true", argv = argv, argv_truncated = false, ppid = main })
  t.expect_one(events, "vfork+exec syscall argv",
    { event = "exec_enter", pid = m.vexec_child, filename = "/bin/true", argv = argv, ppid = main })
  local ret0 = t.expect_one(events, "vfork+exec returned 0", { event = "exec_exit", pid = m.vexec_child, ret = 0 })
  if vexec and ret0 then
    t.expect(vexec.index < ret0.index, "the exec event comes before the syscall returns")
  end
  -- The exec event reads the new image's whole argument area (4 KiB); the
  -- syscall probe keeps 32 arguments.
  local long = t.expect_one(events, "long argv exec", { event = "exec", pid = m.vexec_long_child })
  if long then
    t.expect(long.argv_truncated == false and #long.argv == 40 and long.argv[1] == "/bin/true"
      and long.argv[40] == "t39", "all 40 arguments of the long exec", table.concat(long.argv, " "))
  end
  local long_call = t.expect_one(events, "long argv exec syscall", { event = "exec_enter", pid = m.vexec_long_child })
  if long_call then
    t.expect(long_call.argv_truncated == true, "long argv marked truncated at the syscall")
    t.expect(#long_call.argv == 32 and long_call.argv[1] == "/bin/true" and long_call.argv[32] == "t31",
      "first 32 arguments of 40 kept at the syscall", table.concat(long_call.argv, " "))
  end
  t.expect_one(events, "posix_spawn exec", { event = "exec", pid = m.spawn_child, filename = "/bin/echo",
    argv = { "/bin/echo", "spawned", "x" } })
  t.expect_one(events, "exec of a missing file", { event = "exec_enter", pid = m.missing_child, filename = "/nonexistent/keytime-missing" })
  t.expect_one(events, "exec of a missing file fails with -2 (ENOENT)", { event = "exec_exit", pid = m.missing_child, ret = -2 })
  t.expect_none(events, "no exec event for the failed exec", { event = "exec", pid = m.missing_child })
  local own = {
    fork_child = { 3, 0 }, vfork_child = { 0, 0 }, vexec_child = { 0, 0 }, clone_child = { 5, 0 },
    killed_child = { 0, 9 }, missing_child = { 42, 0 }, spawn_child = { 0, 0 },
  }
  for key, st in pairs(own) do
    t.expect_one(events, key .. " own exit", { event = "exit", pid = m[key], tgid = m[key], ppid = main,
      exit_code = st[1], signal = st[2], group_dead = true })
  end
  for _, key in ipairs({ "thread1", "thread2" }) do
    t.expect_one(events, key .. " own exit", { event = "exit", pid = m[key], tgid = main, exit_code = 0, group_dead = false })
  end
elseif mode == "tgid" then
  for _, e in ipairs(events) do
    if e.tgid ~= main then t.expect(false, "only the target process appears", t.describe(e)) break end
  end
  for _, key in ipairs({ "thread1", "thread2" }) do
    t.expect_one(events, key .. " own exit", { event = "exit", pid = m[key], tgid = main, exit_code = 0 })
    t.expect(#t.find_all(events, { event = "onCPU", pid = m[key] }) > 0, key .. " came on-CPU")
  end
  t.expect_none(events, "no child's own exec without --follow", { event = "exec" })
  t.expect_none(events, "no exec syscall events unless asked for (-x)", { event = "exec_enter" })
elseif mode == "pid" then
  for _, e in ipairs(events) do
    if e.pid ~= main then t.expect(false, "only the target thread appears", t.describe(e)) break end
  end
else
  error("unknown mode " .. tostring(mode))
end

t.finish("lifecycle " .. mode)
