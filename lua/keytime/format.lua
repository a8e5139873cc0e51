-- SPDX-License-Identifier: GPL-2.0-or-later
-- Text and JSON forms of keytime events, shared by the stock scripts.
-- Pure functions of an event (the live object or a table from e:totable()).
local M = {}

local function signal_text(sig, signame)
  if signame then return ("%d(%s)"):format(sig, signame(sig)) end
  return tostring(sig)
end

local function status_text(e, signame)
  local s = "exit_code:" .. e.exit_code
  if e.signal and e.signal ~= 0 then s = s .. " signal:" .. signal_text(e.signal, signame) end
  return s
end

-- The ARGS/RET/OTHERS column, as key:value pairs like the original tool.
function M.args(e, signame)
  local k = e.kind
  if k == "exec_enter" or k == "exec" then
    local argv = table.concat(e.argv, " ")
    if e.argv_truncated then argv = argv .. " ..." end
    return ("filename:%s argv:%s"):format(e.filename, argv)
  elseif k == "exec_exit" then
    return "ret:" .. e.ret
  elseif k == "exit" then
    return status_text(e, signame)
  elseif k == "fork" or k == "vfork" or k == "thread" then
    return "child_pid:" .. e.child_pid
  elseif k == "fork_exit" or k == "vfork_exit" or k == "thread_exit" then
    return "child_pid:" .. e.child_pid .. " " .. status_text(e, signame)
  elseif k == "oncpu" then
    return "oncpu_time:" .. e.time
  elseif k == "offcpu" then
    return ("offcpu_time:%d state:%s"):format(e.time, e.state)
  end
  return ""
end

M.RULE = "KEYTIME -----------------------------------------------------------------"

-- Column headings: with a tgid column unless a single thread is traced;
-- extra: more columns before EVENT (M.identity_heading).
function M.heading(single_thread, extra)
  extra = extra or ""
  if single_thread then
    return ("%-10s%-8s%s%-17s%s"):format("TIME", "PID", extra, "EVENT", "ARGS/RET/OTHERS")
  end
  return ("%-10s%-8s%-8s%s%-17s%s"):format("TIME", "TGID", "PID", extra, "EVENT", "ARGS/RET/OTHERS")
end

function M.row(time_text, e, single_thread, signame, extra)
  extra = extra or ""
  if single_thread then
    return ("%-10s%-8d%s%-17s%s"):format(time_text, e.pid, extra, e.name, M.args(e, signame))
  end
  return ("%-10s%-8d%-8d%s%-17s%s"):format(time_text, e.tgid, e.pid, extra, e.name, M.args(e, signame))
end

-- Identity columns, each "cgroup" (the path; its last 31 characters when
-- longer, after a "...") or "container" (12 digits of the id, as docker ps
-- shows it; "-" outside one).
local IDENTITY = { cgroup = { "CGROUP", 35 }, container = { "CONTAINER", 14 } }

function M.identity_heading(cols)
  local s = {}
  for _, c in ipairs(cols) do s[#s + 1] = ("%-" .. IDENTITY[c][2] .. "s"):format(IDENTITY[c][1]) end
  return table.concat(s)
end

function M.identity_cells(e, cols)
  local s = {}
  for _, c in ipairs(cols) do
    local v
    if c == "cgroup" then
      v = e.cgroup or ("#" .. tostring(e.cgroup_id))
      if #v > 34 then v = "..." .. v:sub(-31) end
    else
      v = e.container_id and e.container_id:sub(1, 12) or "-"
    end
    s[#s + 1] = ("%-" .. IDENTITY[c][2] .. "s"):format(v)
  end
  return table.concat(s)
end

-- The first keys of every JSON object, in this order; the kind's own follow, sorted.
local LEADING = { "event", "time", "pid", "tgid", "ppid", "comm", "cpu", "kind",
  "uid", "gid", "cgroup_id", "cgroup", "container_id", "nspid", "nstgid", "pidns" }

-- One JSON object: `event` is the table name, plus every field of the kind,
-- the common fields first, the others sorted (the same bytes on every run).
function M.json(t, json)
  t.event, t.name = t.name, nil
  if t.kstack and #t.kstack == 0 then t.kstack = nil end
  return json.encode(t, LEADING)
end

return M
