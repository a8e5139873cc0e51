-- SPDX-License-Identifier: GPL-2.0-or-later
-- Unit tests of lua/keytime/format.lua (run with lua5.4, no tracer needed).
local t = dofile((arg[0]:match("^(.*)/") or ".") .. "/../lib/unit.lua")
local eq = t.eq
local format = require "keytime.format"
local cjson = require "cjson"
local json = require "keytime.json"


local signame = function(n) return ({ [9] = "SIGKILL" })[n] or ("SIG" .. n) end

eq(format.args({ kind = "fork", child_pid = 208024 }), "child_pid:208024", "fork args")
eq(format.args({ kind = "exec_exit", ret = -2 }), "ret:-2", "exec_exit args")
eq(format.args({ kind = "exit", exit_code = 7, signal = 0 }), "exit_code:7", "exit with a code")
eq(format.args({ kind = "exit", exit_code = 0, signal = 9 }, signame), "exit_code:0 signal:9(SIGKILL)", "killed")
eq(format.args({ kind = "vfork_exit", child_pid = 5, exit_code = 42, signal = 0 }), "child_pid:5 exit_code:42", "child end")
eq(format.args({ kind = "exec_enter", filename = "/bin/ls", argv = { "ls", "-l" }, argv_truncated = false }),
   "filename:/bin/ls argv:ls -l", "exec_enter args")
eq(format.args({ kind = "exec", filename = "/bin/ls", argv = { "ls", "-l" }, argv_truncated = false, old_pid = 5 }),
   "filename:/bin/ls argv:ls -l", "exec args: like exec_enter's")
eq(format.args({ kind = "exec_enter", filename = "/bin/x", argv = { "x" }, argv_truncated = true }),
   "filename:/bin/x argv:x ...", "truncated argv marked")
eq(format.args({ kind = "oncpu", time = 253480629595213 }), "oncpu_time:253480629595213", "oncpu")
eq(format.args({ kind = "offcpu", time = 12, state = "S" }), "offcpu_time:12 state:S", "offcpu")

eq(format.heading(false), "TIME      TGID    PID     EVENT            ARGS/RET/OTHERS", "tgid heading")
eq(format.heading(true), "TIME      PID     EVENT            ARGS/RET/OTHERS", "pid heading")
eq(format.row("10:23:39", { kind = "fork", name = "forkP_enter", pid = 3184, tgid = 3184, child_pid = 208024 }, false),
   "10:23:39  3184    3184    forkP_enter      child_pid:208024", "tgid row, as the original")
eq(format.row("10:02:44", { kind = "fork", name = "forkP_enter", pid = 3184, tgid = 3184, child_pid = 208024 }, true),
   "10:02:44  3184    forkP_enter      child_pid:208024", "pid row, as the original")

local j = cjson.decode(format.json({ kind = "exec_enter", name = "exec_enter", filename = "/a/b", argv = {}, kstack = {} }, json))
eq(j.event, "exec_enter", "json event name")
eq(j.name, nil, "json has no name field")
eq(j.kstack, nil, "empty kstack left out")
local s = format.json({ kind = "exec_enter", name = "exec_enter", filename = "/a/b", argv = {} }, json)
eq(s:find('"argv":[]', 1, true) ~= nil, true, "empty argv is an array")
eq(s:find("\\/", 1, true), nil, "slashes not escaped")
eq(cjson.decode(format.json({ name = "x", filename = "a\\/b" }, json)).filename, "a\\/b", "backslash-slash survives")

eq(format.json({ name = "exit", time = 1, pid = 2, tgid = 2, ppid = 1, comm = "a", cpu = 0, kind = "exit", signal = 0, exit_code = 7 }, json),
   '{"event":"exit","time":1,"pid":2,"tgid":2,"ppid":1,"comm":"a","cpu":0,"kind":"exit","exit_code":7,"signal":0}',
   "json keys in a fixed order")

-- keytime.json: stable order, arrays, nesting, escapes.
eq(json.encode({ b = 1, a = { 3, 2 }, c = { z = true, y = "x/y" } }), '{"a":[3,2],"b":1,"c":{"y":"x/y","z":true}}', "json: sorted keys, nested")
eq(json.encode({ b = 1, a = 2, event = "x" }, { "event" }), '{"event":"x","a":2,"b":1}', "json: leading keys first")
eq(json.encode({}), "[]", "json: empty table is an array")
eq(json.encode({ s = "q\"\n" }), '{"s":"q\\"\\n"}', "json: string escapes")

t.done("format")
