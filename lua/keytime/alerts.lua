-- SPDX-License-Identifier: GPL-2.0-or-later
-- Small helpers shared by the alert scripts (scripts/alerts/): time and
-- duration text, the command line of each process, kernel stacks by id.
local duration = require "keytime.duration"
local procfs = require "keytime.procfs"
local stack = require "keytime.stack"
local M = {}

-- "18:02:11.123456" for a monotonic time (e.time).
function M.clock(ns)
  return kt.strftime("%H:%M:%S.%f", ns)
end

-- A duration in nanoseconds as "850us", "212.3ms" or "4.20s".
M.duration = duration.text

-- The command line of every target process, kept up to date from events:
-- a successful exec sets it, fork copies the parent's, and a process seen
-- for the first time (it existed before tracing began) is read from /proc.
-- cmd:of(tgid, comm) returns it as one string ("[comm]" when unknown), up to
-- and in the handlers of the process's last exit event.
function M.commands()
  local argv_of = {}
  local cmd = {}

  local function learn(tgid)
    if argv_of[tgid] == nil then argv_of[tgid] = procfs.cmdline(tgid) or false end
  end

  kt.on("exec", function(e)
    -- Read from the new image; empty only for a program run with no argv.
    argv_of[e.tgid] = #e.argv > 0 and e.argv or false
  end)
  local function inherit(e)
    learn(e.tgid)
    argv_of[e.child_tgid] = argv_of[e.tgid]
  end
  kt.on("fork", inherit)
  kt.on("vfork", inherit)

  -- Processes already running: the targets named on the command line now,
  -- the others (found by --all, or pre-existing children) at first sight.
  for _, t in ipairs(kt.filter:list()) do learn(t.id) end
  -- "*" handlers run after those of each kind, so an exit handler of the
  -- script still finds the command line of the process that ended.
  kt.on("*", function(e)
    if e.kind == "exit" and e.group_dead then argv_of[e.tgid] = nil else learn(e.tgid) end
  end)

  function cmd:of(tgid, comm)
    local argv = argv_of[tgid]
    if not argv then return "[" .. (comm or "?") .. "]" end
    return table.concat(argv, " ")
  end
  return cmd
end

-- Kernel stacks of offCPU events by stack id: the kernel keeps one entry per
-- distinct stack, so each is decoded once however often it recurs.
function M.stacks()
  local by_id = {}
  return function(e)
    local id = e.stack_id
    if id < 0 then return {} end
    local frames = by_id[id]
    if not frames then
      frames = e.kstack
      by_id[id] = frames
    end
    return frames
  end
end

-- The frames innermost first, without the scheduler's own frames (every
-- off-CPU stack starts with them); at most depth (0: all).
M.stack_frames = stack.below_scheduler

-- Those frames as "a <- b <- c".
function M.stack_text(frames, depth)
  local out = stack.below_scheduler(frames, depth)
  return #out > 0 and table.concat(out, " <- ") or "(no stack)"
end

-- Tell the kernel to follow the targets' descendants (as --follow would),
-- saying so on stderr, for scripts about a whole process tree.
function M.follow_descendants(script)
  if kt.opts.follow or kt.opts.all then return end
  kt.filter.follow = true
  io.stderr:write(script, ": following the targets' descendants (as with --follow)\n")
end

return M
