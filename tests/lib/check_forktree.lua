-- SPDX-License-Identifier: GPL-2.0-or-later
-- Checks forktree.lua's output on the generations workload against the
-- manifest the workload wrote.
-- Usage: lua5.4 check_forktree.lua FORM OUTPUT MANIFEST ROOT_ARGV...
--   FORM: json-cmd (--json, run with -c), json-tgid (--json, attached with
--   --tgid: the root's command line comes from /proc, it made no exec),
--   text (the default tree), threads-live (--threads --live).
--   ROOT_ARGV: the root's argv as it was run.
local t = dofile(arg[0]:match("^(.*)/") .. "/jsonl.lua")
local cjson = require "cjson"
local form, output = arg[1], arg[2]
local m = t.read_manifest(arg[3])
local root_argv = table.move(arg, 4, #arg, 1, {})

for _, key in ipairs({ "root", "middle", "thread1", "thread2", "thread_child", "exec_child", "short_child" }) do
  t.expect(type(m[key]) == "number", "manifest has " .. key, arg[3])
end

local function read_lines(path)
  local lines = {}
  for line in io.lines(path) do lines[#lines + 1] = line end
  return lines
end

-- JSON numbers decode as floats: show 8961, not 8961.0.
local function list_text(l)
  local words = {}
  for i, v in ipairs(l or {}) do words[i] = tostring(math.tointeger(v) or v) end
  return "[" .. table.concat(words, ", ") .. "]"
end

local function same_list(got, want, what)
  t.expect(list_text(got) == list_text(want), what, ("expected %s, got %s"):format(list_text(want), list_text(got)))
end

local function pids(nodes)
  local r = {}
  for i, n in ipairs(nodes or {}) do r[i] = n.pid end
  return r
end

local function expect_field(node, key, want, what)
  t.expect(node[key] == want, what, ("%s: expected %s, got %s"):format(key, tostring(want), tostring(node[key])))
end

-- ---- JSON: the exact tree ----------------------------------------------------------
local function check_node(n, want, what)
  for k, v in pairs(want) do
    if type(v) ~= "table" then expect_field(n, k, v, what .. " " .. k) end
  end
  same_list(pids(n.threads), want.threads or {}, what .. ": its threads")
  same_list(pids(n.children), want.children or {}, what .. ": its child processes, in creation order")
  local execs = want.execs or {}
  t.expect(#n.execs == #execs, what .. ": number of execs", ("expected %d, got %d"):format(#execs, #n.execs))
  for i, x in ipairs(execs) do
    local got = n.execs[i] or {}
    expect_field(got, "filename", x.filename, what .. " exec " .. i)
    same_list(got.argv, x.argv, what .. " exec " .. i .. " argv")
    expect_field(got, "ret", 0, what .. " exec " .. i .. " result")
  end
  if n.ended and n.kind ~= "existing" then
    -- Every moment of its life is on or off a CPU (a thread also runs from
    -- its exit to its last switch-out).
    local life, sum = n.lifetime or 0, n.oncpu + n.offcpu
    -- (1 ms: from the exit to the last switch-out, which is not reported;
    -- under emulation the vCPUs' clocks also drift apart, and a thread's
    -- times come from both)
    local slack = 1000000
    t.expect(n.oncpu > 0, what .. ": on a CPU at some time", tostring(n.oncpu))
    t.expect_clocks_agree(sum >= life - slack and sum <= life + slack,
      what .. ": on-CPU + off-CPU is its lifetime",
      ("oncpu %d + offcpu %d = %d, lifetime %d"):format(n.oncpu, n.offcpu, sum, life))
  end
end

local function check_json(attached)
  local f = assert(io.open(output))
  local text = f:read("a")
  f:close()
  local ok, doc = pcall(cjson.decode, text)
  if not t.expect(ok and type(doc) == "table", "one JSON document", text:sub(1, 300)) then return end
  t.expect(doc.lost == 0, "no event lost", tostring(doc.lost))
  same_list(pids(doc.roots), { m.root }, "one root, the workload")
  local root = doc.roots[1] or {}
  check_node(root, {
    kind = "existing", ended = true, exit_code = 3, signal = 0, children = { m.middle },
    execs = not attached and { { filename = root_argv[1], argv = root_argv } } or nil,
  }, "root")
  if attached then
    same_list(root.cmdline, root_argv, "root's command line from /proc")
  end
  local middle = (root.children or {})[1] or {}
  check_node(middle, {
    kind = "fork", creator = m.root, ppid = m.root, comm = "generations", ended = true,
    exit_code = 2, signal = 0, threads = { m.thread1, m.thread2 },
    children = { m.thread_child, m.exec_child, m.short_child },
  }, "middle")
  local threads, kids = middle.threads or {}, middle.children or {}
  check_node(threads[1] or {}, { kind = "thread", creator = m.middle, tgid = m.middle, ended = true,
    exit_code = 0, signal = 0 }, "thread 1")
  check_node(threads[2] or {}, { kind = "thread", creator = m.middle, tgid = m.middle, ended = true,
    exit_code = 0, signal = 0 }, "thread 2")
  check_node(kids[1] or {}, { kind = "fork", creator = m.thread1, ppid = m.middle, ended = true,
    exit_code = 0, signal = 15 }, "thread_child (made by thread 1)")
  check_node(kids[2] or {}, { kind = "vfork", creator = m.middle, ppid = m.middle, comm = "true",
    ended = true, exit_code = 0, signal = 0,
    execs = { { filename = "/bin/sh", argv = { "/bin/sh", "-c", "exec /bin/true gen3 'two words'" } },
              { filename = "/bin/true", argv = { "/bin/true", "gen3", "two words" } } },
  }, "exec_child")
  local short = kids[3] or {}
  check_node(short, { kind = "fork", creator = m.middle, ppid = m.middle, ended = true,
    exit_code = 5, signal = 0 }, "short_child")
  t.expect((short.lifetime or 0) >= 1000000 and (short.lifetime or 0) < 1000000000,
    "short_child lived about a millisecond (it spins 1 ms)", tostring(short.lifetime))
  local longest = threads[2] and threads[2].longest_off
  -- (under emulation a wait for a CPU may outlast the sleep: then that one).
  -- The interval begins at the switch-out, after the sleep's own start: it
  -- may be shorter than 10 ms by that step (0.57 ms seen in a 6.1 guest).
  local slack = t.time_scale > 1 and 1000000 or 200000
  t.expect(longest and (longest.state == "S" or t.time_scale > 1) and longest.duration >= 10000000 - slack and
    #longest.kstack > 0,
    "thread 2's longest off-CPU interval: its 10 ms sleep, with its stack",
    longest and ("%s %d %d frames"):format(longest.state, longest.duration, #longest.kstack) or "none")
  -- a timer interrupt ends the sleep: the waker is whichever task it hit, pid 0 on an idle CPU
  t.expect(longest and type(longest.waker_pid) == "number" and longest.waker_pid >= 0,
    "thread 2's longest off-CPU interval names who ended it", longest and tostring(longest.waker_pid) or "none")
end

-- ---- text: the tree's lines -------------------------------------------------------------
local function escape(s) return (s:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0")) end
local SPAN = "[%d.]+ [um]?s"
local function node_line(prefix, name, pid, kind, rest)
  return "^" .. escape(prefix .. name .. "(" .. pid .. ") [" .. kind .. "] ") .. rest .. "$"
end
local ROOT_EXEC = escape("exec: " .. table.concat(root_argv, " ") .. "; ")
local EC_EXEC = escape("exec: /bin/sh -c 'exec /bin/true gen3 '\\''two words'\\''' -> /bin/true gen3 'two words'; ")
local TAIL = SPAN .. "; cpu " .. SPAN

local function expect_lines(lines, patterns, what)
  t.expect(#lines == #patterns, what .. ": number of lines",
    ("expected %d, got %d:\n%s"):format(#patterns, #lines, table.concat(lines, "\n")))
  for i, p in ipairs(patterns) do
    t.expect((lines[i] or ""):match(p) ~= nil, what .. " line " .. i,
      ("expected /%s/, got %q"):format(p, lines[i] or ""))
  end
end

local function tree_patterns(with_threads)
  local p = {
    node_line("", "generations", m.root, "existing", ROOT_EXEC .. "exit 3; " .. TAIL),
    node_line("└─", "generations", m.middle, "fork", "exit 2; " .. TAIL .. (with_threads and "" or "; 2 threads")),
  }
  if with_threads then
    p[#p + 1] = node_line("  ├─", "{generations}", m.thread1, "thread", "exit 0; " .. TAIL)
    p[#p + 1] = node_line("  ├─", "{generations}", m.thread2, "thread", "exit 0; " .. TAIL)
  end
  p[#p + 1] = node_line("  ├─", "generations", m.thread_child, "fork", "killed by SIGTERM; " .. TAIL)
  p[#p + 1] = node_line("  ├─", "true", m.exec_child, "vfork", EC_EXEC .. "exit 0; " .. TAIL)
  p[#p + 1] = node_line("  └─", "generations", m.short_child, "fork", "exit 5; " .. TAIL)
  p[#p + 1] = "^forktree: 5 processes, 2 threads, %d+ events in " .. SPAN .. "$"
  return p
end

-- Live lines: time, indent by depth, then the birth, exec or death.
local function check_live(lines)
  local TIME = "^%d%d:%d%d:%d%d%.%d%d%d%d%d%d "
  local function born(depth, pid, kind, from)
    return TIME .. string.rep("  ", depth) .. "%+ [^(]+%(" .. pid .. "%) " .. escape("[" .. kind .. "]") ..
      (from and (" from " .. from) or "") .. "$"
  end
  local function died(depth, pid, how)
    return TIME .. string.rep("  ", depth) .. "%- [^(]+%(" .. pid .. "%) " .. escape(how) .. " after " .. SPAN .. "$"
  end
  local function exec(depth, pid, text)
    return TIME .. string.rep("  ", depth) .. "  [^(]+%(" .. pid .. "%) " .. escape("exec: " .. text) .. "$"
  end
  -- In the order the workload makes them happen (each step waits for the one before).
  local chain = {
    born(0, m.root, "existing"),
    exec(0, m.root, table.concat(root_argv, " ")),
    born(1, m.middle, "fork", m.root),
    born(2, m.thread1, "thread", m.middle),
    born(2, m.thread_child, "fork", m.thread1),
    died(2, m.thread_child, "killed by SIGTERM"),
    born(2, m.thread2, "thread", m.middle),
    born(2, m.exec_child, "vfork", m.middle),
    exec(2, m.exec_child, "/bin/sh -c 'exec /bin/true gen3 '\\''two words'\\'''"),
    exec(2, m.exec_child, "/bin/true gen3 'two words'"),
    died(2, m.exec_child, "exit 0"),
    born(2, m.short_child, "fork", m.middle),
    died(2, m.short_child, "exit 5"),
    died(1, m.middle, "exit 2"),
    died(0, m.root, "exit 3"),
  }
  local at = 0
  for i, p in ipairs(chain) do
    local found
    for j = at + 1, #lines do
      if lines[j]:match(p) then found = j break end
    end
    if not t.expect(found ~= nil, "live line " .. i .. " in order", ("expected /%s/ after line %d of:\n%s"):format(p, at, table.concat(lines, "\n"))) then
      return
    end
    at = found
  end
  for _, th in ipairs({ m.thread1, m.thread2 }) do
    local b, d
    for j, line in ipairs(lines) do
      if line:match(born(2, th, "thread", m.middle)) then b = j end
      if line:match(died(2, th, "exit 0")) then d = j end
    end
    t.expect(b and d and b < d, "live: thread " .. th .. " born, then ended")
  end
  return #chain + 2
end

if form == "json-cmd" or form == "json-tgid" then
  check_json(form == "json-tgid")
elseif form == "text" then
  expect_lines(read_lines(output), tree_patterns(false), "text tree")
elseif form == "threads-live" then
  local lines = read_lines(output)
  local live_count = check_live(lines) or 0
  local tree = table.move(lines, live_count + 1, #lines, 1, {})
  t.expect(#lines == live_count + #tree_patterns(true), "live lines, then the tree",
    ("%d lines:\n%s"):format(#lines, table.concat(lines, "\n")))
  expect_lines(tree, tree_patterns(true), "tree with threads")
else
  error("unknown form " .. tostring(form))
end

t.finish("forktree " .. form)
