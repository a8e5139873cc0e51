-- SPDX-License-Identifier: GPL-2.0-or-later
-- crashes.lua: every target process that dies by a signal or exits with a
-- non-zero code, with its parent, how long it lived and its command line.
--   keytime-run scripts/alerts/crashes.lua -c './run-tests.sh' --follow
--   keytime-run scripts/alerts/crashes.lua --all
--
-- 18:02:11.123456 CRASH pid=3190 ppid=3184 status=signal:SIGSEGV lifetime=101.2ms cmd=./worker --fast
-- 18:02:11.223456 CRASH pid=3191 ppid=3184 status=exit:3 lifetime=2.1ms cmd=/bin/sh -c exit 3
-- With --json, one object per line instead:
-- {"event":"crash","time":...,"pid":3191,"ppid":3184,"comm":"sh","exit_code":3,"signal":0,...}
local cli = require "keytime.cli"
local alerts = require "keytime.alerts"

local parser = cli.parser("crashes.lua", "Report every target process that dies by a signal or exits non-zero.")
parser:flag("--signals-only", "Report deaths by a signal only, not non-zero exit codes.")
parser:flag("--json", "One JSON object per line instead of text.")
local args = parser:parse(kt.args)
local json = args.json and require "keytime.json"
local JSON_KEYS = { "event", "time", "pid", "ppid", "comm", "exit_code", "signal", "signame", "core_dumped",
                    "lifetime_ns", "cmd" }

kt.filter.cpu = false             -- lifecycle events only: no on/off-CPU events
local commands = alerts.commands()
local leader_start = {}           -- tgid -> start of its main thread, if it ended first

kt.on("exit", function(e)
  if not e.group_dead then        -- a thread, not yet the whole process
    if e.pid == e.tgid then leader_start[e.tgid] = e.start_time end
    return
  end
  local started = leader_start[e.tgid] or e.start_time
  leader_start[e.tgid] = nil
  if e.signal == 0 and (e.exit_code == 0 or args.signals_only) then return end
  if json then
    print(json.encode({ event = "crash", time = e.time, pid = e.tgid, ppid = e.ppid, comm = e.comm,
      exit_code = e.exit_code, signal = e.signal, signame = e.signal ~= 0 and kt.signame(e.signal) or nil,
      core_dumped = e.core_dumped, lifetime_ns = e.time - started, cmd = commands:of(e.tgid, e.comm) }, JSON_KEYS))
    return
  end
  local status
  if e.signal ~= 0 then
    status = "signal:" .. kt.signame(e.signal) .. (e.core_dumped and " (core dumped)" or "")
  elseif e.exit_code ~= 0 and not args.signals_only then
    status = "exit:" .. e.exit_code
  else
    return
  end
  print(("%s CRASH pid=%d ppid=%d status=%s lifetime=%s cmd=%s"):format(
    alerts.clock(e.time), e.tgid, e.ppid, status, alerts.duration(e.time - started),
    commands:of(e.tgid, e.comm)))
end)
