-- SPDX-License-Identifier: GPL-2.0-or-later
-- forktree.lua: the tree of everything the target did, printed when the run
-- ends (target gone, Ctrl-C, --duration): each process with its pid, how it
-- was created, its execs, how it ended, how long it lived and its CPU time,
-- and where its container, systemd unit or cgroup differs from its parent's.
--   keytime-run scripts/forktree.lua -c 'make -j2'
--   keytime-run scripts/forktree.lua --tgid 3184 --live
-- Descendants are always followed (as with --follow), from the first fork.
local cli = require "keytime.cli"
local proctree = require "keytime.proctree"
local duration = require "keytime.duration"

local parser = cli.parser("forktree.lua",
  "When the run ends, print the tree of every process and thread the target had or made, like pstree: " ..
  "name(pid), [how it was created: fork, vfork, thread, existing], its execs, its exit status, " ..
  "its lifetime and its on-CPU time (a process's counts all its threads). " ..
  "A process in another cgroup than its parent's says where: [container ID] (12 digits), " ..
  "else [unit NAME] (systemd), else [cgroup PATH]; --json has each node's cgroup, container_id, " ..
  "unit and differs_from_parent.")
parser:flag("--threads", "Show threads as nodes under their process instead of a count.")
local live = parser:flag("--live", "Also print each birth, exec and death as it happens, indented by depth.")
local json = parser:flag("--json", "Write the whole tree as one JSON document instead of text.")
parser:flag("-x --exec-failures", "Show failed execs in the chains too (the exec syscall probes: "
  .. "they cost every process on the machine a little on every syscall).")
parser:mutex(live, json)
local args = parser:parse(kt.args)

local out = io.stdout
kt.filter.follow = true
if args.exec_failures then kt.filter.exec_calls = true end
-- The tree is printed at the end: a burst may wait in keytime-run's memory
-- rather than be lost (not with --live, which prints as things happen).
if not args.live then kt.backlog() end
-- Kernel stacks and wakers only for --json, the one output that shows them
-- (longest_off): a stack costs the traced task at every switch-out.
local tree = proctree.attach { stacks = args.json == true, wakers = args.json == true }

-- ---- text --------------------------------------------------------------------

local function span(ns)
  return ns and duration.text(ns, " ") or "?"
end

local function status(n)
  if not n.ended then return "running" end
  if n.signal and n.signal ~= 0 then
    return "killed by " .. kt.signame(n.signal) .. (n.core_dumped and " (core dumped)" or "")
  end
  if n.exit_code then return "exit " .. n.exit_code end
  return "ended"
end

-- A word as a shell would need it to read it back.
local function quoted(w)
  if w ~= "" and not w:find("[^%w%-_./=:,+@%%]") then return w end
  return "'" .. w:gsub("'", "'\\''") .. "'"
end

-- An exec as the file that ran and the arguments after argv[0].
local function exec_text(x)
  local words = { quoted(x.filename) }
  for i = 2, #(x.argv or {}) do words[#words + 1] = quoted(x.argv[i]) end
  local s = table.concat(words, " ")
  if x.argv_truncated then s = s .. " ..." end
  if x.ret and x.ret ~= 0 then s = s .. (" (failed %d)"):format(x.ret) end
  return s
end

local function name(n)
  local comm = n.comm or "?"
  if n.process ~= n then comm = "{" .. comm .. "}" end
  return ("%s(%d)"):format(comm, n.pid)
end

-- " [unit nginx.service]" where n's cgroup differs from its parent's.
local function place(n)
  local kind, what = tree:differs(n)
  if not kind then return "" end
  if kind == "container" then what = what:sub(1, 12) end
  return (" [%s %s]"):format(kind, what)
end

local function describe(n)
  local parts = {}
  if #n.execs > 0 then
    local chain = {}
    for i, x in ipairs(n.execs) do chain[i] = exec_text(x) end
    parts[#parts + 1] = "exec: " .. table.concat(chain, " -> ")
  elseif n.cmdline and #n.cmdline > 0 then
    local words = {}
    for i, w in ipairs(n.cmdline) do words[i] = quoted(w) end
    parts[#parts + 1] = "cmd: " .. table.concat(words, " ")
  end
  parts[#parts + 1] = status(n)
  parts[#parts + 1] = span(tree:lifetime(n))
  local cpu = n.process == n and tree:totals(n).oncpu or n.oncpu
  parts[#parts + 1] = "cpu " .. span(cpu)
  if n.process == n and not args.threads and #n.threads > 0 then
    parts[#parts + 1] = #n.threads .. (#n.threads == 1 and " thread" or " threads")
  end
  return ("%s [%s]%s %s"):format(name(n), n.kind, place(n), table.concat(parts, "; "))
end

local function print_node(n, lead, branch)
  out:write(lead, branch, describe(n), "\n")
  local below = {}
  if args.threads then
    for _, th in ipairs(n.threads) do below[#below + 1] = th end
  end
  for _, c in ipairs(n.children) do below[#below + 1] = c end
  local inner = lead .. (branch == "├─" and "│ " or branch == "└─" and "  " or "")
  for i, c in ipairs(below) do print_node(c, inner, i < #below and "├─" or "└─") end
end

local function print_tree(stats)
  local roots = tree:roots()
  if #roots == 0 then out:write("forktree: no process seen\n") end
  for _, r in ipairs(roots) do print_node(r, "", "") end
  local processes, threads = 0, 0
  for _, n in ipairs(tree.nodes) do
    if n.process == n then processes = processes + 1 else threads = threads + 1 end
  end
  out:write(("forktree: %d processes, %d threads, %d events in %s%s\n"):format(processes, threads,
    stats.events, span(stats.duration), stats.lost > 0 and ("; " .. stats.lost .. " events lost: the tree is incomplete") or ""))
end

-- ---- JSON --------------------------------------------------------------------------

-- Each node's identity first, then its other fields in a fixed order.
local NODE_KEYS = { "pid", "tgid", "ppid", "comm", "kind", "creator" }

local function write_json(stats)
  local doc = tree:totable()
  doc.events, doc.lost = stats.events, stats.lost
  out:write(require("keytime.json").encode(doc, NODE_KEYS), "\n")
end

-- ---- live ----------------------------------------------------------------------------

if args.live then
  local function say(n, time, text)
    if n.process ~= n and not args.threads then return end
    out:write(kt.strftime("%H:%M:%S.%f", time or kt.now()), " ", string.rep("  ", tree:depth(n)), text, "\n")
  end
  local function born(n)
    local from = n.creator and (" from " .. n.creator) or ""
    say(n, n.start_time, ("+ %s [%s]%s"):format(name(n), n.kind, from))
  end
  for _, n in ipairs(tree.nodes) do born(n) end   -- the targets running already
  tree:on("birth", born)
  tree:on("exec", function(n, x)
    say(n, x.time, ("  %s exec: %s"):format(name(n), exec_text(x)))
  end)
  tree:on("exit", function(n)
    say(n, n.end_time, ("- %s %s after %s"):format(name(n), status(n), span(tree:lifetime(n))))
  end)
end

kt.on("end", function(stats)
  if args.json then write_json(stats) else print_tree(stats) end
end)
