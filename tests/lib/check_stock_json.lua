-- SPDX-License-Identifier: GPL-2.0-or-later
-- The schema of keytime.lua --json, line by line:
--   check_stock_json.lua FILE
-- every line valid UTF-8 and JSON; its keys those documented for its kind
-- (docs/lua-api.md), in the fixed order: event, time, pid, tgid, ppid,
-- comm, cpu, kind, who the thread is (uid, gid, cgroup_id, cgroup and
-- container_id when known, nspid, nstgid, pidns), then the kind's own
-- sorted by name; each value of the
-- documented type; integers written as integers.
local here = arg[0]:match("^(.*)/")
local jsonl = dofile(here .. "/jsonl.lua")
local ordered = dofile(here .. "/json_ordered.lua")
local path = arg[1]

local LEADING = { "event", "time", "pid", "tgid", "ppid", "comm", "cpu", "kind",
  "uid", "gid", "cgroup_id", "cgroup", "container_id", "nspid", "nstgid", "pidns" }
local MAYBE = { cgroup = true, container_id = true }   -- when the host knows them
local N, S, B, L = "integer", "string", "boolean", "list"
local COMMON = { event = S, time = N, pid = N, tgid = N, ppid = N, comm = S, cpu = N, kind = S,
  uid = N, gid = N, cgroup_id = N, cgroup = S, container_id = S, nspid = N, nstgid = N, pidns = N }
local EXEC = { filename = S, argv = L, argc = N, argv_truncated = B }
local CHILD = { child_pid = N, child_tgid = N, clone_flags = N }
local CHILD_EXIT = { child_pid = N, child_tgid = N, exit_code = N, signal = N, lifetime = N }
local OWN = {
  exec_enter = EXEC,
  exec = { filename = S, argv = L, argc = N, argv_truncated = B, old_pid = N },
  exec_exit = { ret = N },
  exit = { exit_code = N, signal = N, core_dumped = B, group_dead = B, start_time = N, lifetime = N },
  fork = CHILD, vfork = CHILD, thread = CHILD,
  fork_exit = CHILD_EXIT, vfork_exit = CHILD_EXIT, thread_exit = CHILD_EXIT,
  oncpu = { runtime = N },
  offcpu = { state = S, state_name = S, state_code = N, stack_id = N, runtime = N },   -- kstack: when it has frames
}
local OPTIONAL = { offcpu = { kstack = L } }

local function type_of(v)
  if type(v) == "boolean" then return B end
  if type(v) == "string" then return S end
  if v.num then return v.num:find("^-?%d+$") and N or "number " .. v.num end
  if v.arr then
    for _, x in ipairs(v.arr) do if type(x) ~= "string" then return "list of non-strings" end end
    return L
  end
  return "object"
end

local lines, kinds, stacks = 0, {}, 0
for line in io.lines(path) do
  lines = lines + 1
  local where = ("%s:%d"):format(path, lines)
  if not jsonl.expect(utf8.len(line) ~= nil, where .. ": valid UTF-8", line) then goto next end
  local ok, o = pcall(ordered.parse, line, where)
  if not jsonl.expect(ok and o.keys, where .. ": one JSON object", ok and line or o) then goto next end
  do
    local vals = {}
    for i, k in ipairs(o.keys) do vals[k] = o.vals[i] end
    local kind = vals.kind
    local own = OWN[kind]
    if not jsonl.expect(own ~= nil, where .. ": a known kind", tostring(kind)) then goto next end
    kinds[kind] = (kinds[kind] or 0) + 1
    -- the keys wanted, in order
    local want, rest = {}, {}
    for _, k in ipairs(LEADING) do
      if not MAYBE[k] or vals[k] ~= nil then want[#want + 1] = k end
    end
    for k in pairs(own) do rest[#rest + 1] = k end
    for k in pairs(OPTIONAL[kind] or {}) do if vals[k] then rest[#rest + 1] = k end end
    table.sort(rest)
    for _, k in ipairs(rest) do want[#want + 1] = k end
    jsonl.expect(table.concat(o.keys, ",") == table.concat(want, ","), where .. ": keys in order",
      "wanted " .. table.concat(want, ",") .. "\n    got    " .. table.concat(o.keys, ","))
    for i, k in ipairs(o.keys) do
      local t = COMMON[k] or own[k] or (OPTIONAL[kind] or {})[k]
      jsonl.expect(t == type_of(o.vals[i]), ("%s: %s is a %s"):format(where, k, tostring(t)), type_of(o.vals[i]))
    end
    if vals.kstack then
      stacks = stacks + 1
      jsonl.expect(#vals.kstack.arr > 0, where .. ": kstack only with frames", line)
    end
  end
  ::next::
end
jsonl.expect(lines > 0, path .. ": some lines")
for _, k in ipairs({ "fork", "exec", "exit", "oncpu", "offcpu" }) do
  jsonl.expect((kinds[k] or 0) > 0, path .. ": has " .. k .. " events")
end
jsonl.expect(stacks > 0, path .. ": some offCPU events with a kernel stack")
jsonl.finish("check_stock_json " .. path)
