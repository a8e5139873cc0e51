-- SPDX-License-Identifier: GPL-2.0-or-later
-- fork_vfork_thread.lua: three ways to make a new task, and what the kernel
-- does differently for each, seen in the events.
--
-- Run it with its workload (tests/workload/demo_fork_vfork_thread.c, built by
-- `make tests`):
--   sudo ./keytime-run scripts/demos/fork_vfork_thread.lua -c tests/build/demo_fork_vfork_thread
--
-- The workload makes one child with fork(), one with vfork() and one thread
-- with pthread_create(); each sleeps 30 ms and ends.
--
-- What to look for:
--  * Linux has one kind of task. fork, vfork and pthread_create all end in
--    the same system call, clone, and differ only in its flags, which the
--    probe reads in the kernel (e.clone_flags).
--  * fork: a new process (the child's tgid is its own pid). No CLONE_VM: the
--    child gets its own copy of the parent's memory (copy-on-write: pages are
--    copied only when one side writes). The parent returns from fork at once
--    and is free to run; it sleeps only when it asks to, in waitpid (wait4).
--  * vfork: a new process too, but with CLONE_VM|CLONE_VFORK: the child
--    borrows the parent's memory, so the kernel holds the parent inside the
--    vfork call (state D, uninterruptible) until the child execs or exits.
--  * thread: CLONE_THREAD puts the new task in the parent's process (same
--    tgid), sharing memory, files and signal handlers. The creator is free
--    to run, and waits only in pthread_join (a futex).
local demo = require "keytime.demo"
local args = demo.start("fork_vfork_thread.lua", "demo_fork_vfork_thread",
  "fork, vfork and threads: what the kernel does for each.")
local out = demo.output(args.json)

-- The kernel stack of each offCPU event tells where the parent waited.
kt.filter.stacks = true

-- A few clone(2) flags, from include/uapi/linux/sched.h.
local FLAGS = {
  { 0x00000100, "CLONE_VM" }, { 0x00000200, "CLONE_FS" }, { 0x00000400, "CLONE_FILES" },
  { 0x00000800, "CLONE_SIGHAND" }, { 0x00004000, "CLONE_VFORK" }, { 0x00010000, "CLONE_THREAD" },
  { 0x00040000, "CLONE_SYSVSEM" }, { 0x00080000, "CLONE_SETTLS" }, { 0x00100000, "CLONE_PARENT_SETTID" },
  { 0x00200000, "CLONE_CHILD_CLEARTID" }, { 0x01000000, "CLONE_CHILD_SETTID" },
}
local CLONE_VM = 0x100

local function flag_names(flags)
  local names = {}
  for _, f in ipairs(FLAGS) do
    if flags & f[1] ~= 0 then names[#names + 1] = f[2] end
  end
  return #names > 0 and table.concat(names, "|") or "none"
end

local say, more = out.step, out.detail

local made = {}      -- one record per new task, in order
local watching = {}  -- parent pid -> the record whose parent we follow

-- 1. A task was created: who made it, how, and what that means.
local function created(e)
  local r = { kind = e.kind, parent = e.pid, parent_tgid = e.tgid, child = e.child_pid,
              child_tgid = e.child_tgid, flags = e.clone_flags }
  made[#made + 1] = r
  watching[e.pid] = r
  say(e.time, "%s(%d) made task %d by %s", e.comm, e.pid, e.child_pid, e.kind)
  more("clone flags: %s", flag_names(e.clone_flags))
  if e.child_tgid == e.tgid then
    more("same process: its tgid is the parent's, %d", e.tgid)
  else
    more("a new process: its tgid is its own pid, %d", e.child_tgid)
  end
  if e.clone_flags & CLONE_VM == 0 then
    more("no CLONE_VM: it gets its own copy of the memory (copy-on-write)")
  else
    more("CLONE_VM: it uses the very same memory as the parent")
  end
end
kt.on("fork", created)
kt.on("vfork", created)
kt.on("thread", created)

-- 2. The parent's next stop after making the task. Being preempted (R)
--    says nothing about the new task, so wait for a real sleep.
kt.on("offcpu", function(e)
  local r = watching[e.pid]
  if not r or r.wait or e.state == "R" then return end
  local frames = e.kstack
  r.wait = { state = e.state, state_name = e.state_name, where = demo.where(frames),
             syscall = demo.syscall(frames) or "?", since = e.time,
             -- kernel_clone is the heart of fork/vfork/clone: still inside
             -- it means the kernel keeps the parent in the creating call.
             held = demo.has(frames, "kernel_clone") }
  if r.wait.held then
    say(e.time, "parent %d is held by the kernel inside %s: state %s (%s) at %s",
        e.pid, r.wait.syscall, e.state, e.state_name, r.wait.where)
  else
    say(e.time, "parent %d was free to run; it now waits by choice in %s: state %s (%s) at %s",
        e.pid, r.wait.syscall, e.state, e.state_name, r.wait.where)
  end
end)

kt.on("oncpu", function(e)
  local r = watching[e.pid]
  if not (r and r.wait) then return end
  watching[e.pid] = nil
  r.wait.ns = e.time - r.wait.since
  say(e.time, "parent %d runs again, after %s off the CPU", e.pid, demo.ms(r.wait.ns))
end)

-- 3. The new task ended (reported to its parent: no need to trace the child).
local function ended(e)
  say(e.time, "task %d ended: exit code %d, after %s", e.child_pid, e.exit_code, demo.ms(e.lifetime))
end
kt.on("fork_exit", ended)
kt.on("vfork_exit", ended)
kt.on("thread_exit", ended)

-- 4. Side by side.
kt.on("end", function()
  out.text()
  out.text(("%-7s %-7s %-24s %-18s %s"):format("HOW", "TASK", "PROCESS", "MEMORY", "THE PARENT, MEANWHILE"))
  for _, r in ipairs(made) do
    local process = r.child_tgid == r.parent_tgid and ("same (tgid %d)"):format(r.child_tgid)
                    or ("new (tgid %d)"):format(r.child_tgid)
    local memory = r.flags & CLONE_VM ~= 0 and "shared" or "copied"
    local parent = "?"
    if r.wait then
      parent = ("%s: %s in %s, %s"):format(r.wait.held and "held by the kernel" or "free, then waited",
        r.wait.state, r.wait.syscall, r.wait.ns and demo.ms(r.wait.ns) or "still waiting")
    end
    out.row("task", { kind = r.kind, pid = r.child, tgid = r.child_tgid, parent = r.parent,
      clone_flags = r.flags, memory = memory, parent_state = r.wait and r.wait.state,
      parent_syscall = r.wait and r.wait.syscall, parent_held = r.wait and r.wait.held,
      parent_wait_ns = r.wait and r.wait.ns })
    out.text(("%-7s %-7d %-24s %-18s %s"):format(r.kind, r.child, process, memory, parent))
  end
end)
