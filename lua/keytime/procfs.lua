-- SPDX-License-Identifier: GPL-2.0-or-later
-- What /proc says of a task, read in one place for the stock scripts and
-- modules. Each function returns nil when the task is gone.
local M = {}

M.USER_HZ = 100   -- /proc/PID/stat counts start time in these ticks

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

-- /proc/PID/cmdline as an array of strings, or nil (gone, a zombie, or a
-- kernel thread: none).
function M.cmdline(pid)
  local raw = read_file("/proc/" .. pid .. "/cmdline")
  if not raw then return nil end
  local argv = {}
  for word in raw:gmatch("([^\0]*)\0") do argv[#argv + 1] = word end
  return #argv > 0 and argv or nil
end

-- /proc/PID/stat: { comm, state (a letter: R, S, D, Z...), ppid, start_ticks
-- (since boot, in USER_HZ ticks) }.
function M.stat(pid)
  local stat = read_file("/proc/" .. pid .. "/stat")
  -- "pid (comm) state ppid ...": comm may hold spaces and parentheses.
  local comm, rest = (stat or ""):match("^%d+ %((.*)%) (.*)$")
  if not rest then return nil end
  local fields = {}
  for f in rest:gmatch("%S+") do fields[#fields + 1] = f end
  return { comm = comm, state = fields[1], ppid = tonumber(fields[2]), start_ticks = tonumber(fields[20]) }
end

-- The thread group (process) of task pid, from /proc/PID/status.
function M.tgid(pid)
  local status = read_file("/proc/" .. pid .. "/status")
  return status and tonumber(status:match("\nTgid:%s*(%d+)"))
end

-- The thread ids of process tgid, sorted (empty when it is gone).
function M.threads(tgid)
  local tids = {}
  local lfs = require "lfs"   -- Debian's lua-filesystem: Lua cannot list a folder
  local listed, iter, dir = pcall(lfs.dir, "/proc/" .. tgid .. "/task")
  if listed then
    for name in iter, dir do
      local tid = tonumber(name)
      if tid then tids[#tids + 1] = tid end
    end
  end
  table.sort(tids)
  return tids
end

return M
