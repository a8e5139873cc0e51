-- crashes.lua: every target process that dies by a signal or exits with a
-- non-zero code, with its parent, how long it lived and its command line.
--   keytime-run scripts/alerts/crashes.lua -c './run-tests.sh' --follow
--   keytime-run scripts/alerts/crashes.lua --all
--
-- 18:02:11.123456 CRASH pid=3190 ppid=3184 status=signal:SIGSEGV lifetime=101.2ms cmd=./worker --fast
-- 18:02:11.223456 CRASH pid=3191 ppid=3184 status=exit:3 lifetime=2.1ms cmd=/bin/sh -c exit 3
local argparse = require "argparse"
local alerts = require "keytime.alerts"

local parser = argparse("crashes.lua", "Report every target process that dies by a signal or exits non-zero.")
parser:flag("--signals-only", "Report deaths by a signal only, not non-zero exit codes.")
local args = parser:parse(kt.args)

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
