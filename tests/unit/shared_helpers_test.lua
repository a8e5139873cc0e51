-- SPDX-License-Identifier: GPL-2.0-or-later
-- Unit tests of the helpers every stock script shares: keytime.duration,
-- keytime.stack and keytime.procfs (run with lua5.4, no tracer needed).
local t = dofile((arg[0]:match("^(.*)/") or ".") .. "/../lib/unit.lua")
local eq = t.eq
local duration = require "keytime.duration"
local stack = require "keytime.stack"
local procfs = require "keytime.procfs"


-- ---- durations: the unit changes at 1 ms and 1 s ------------------------------
eq(duration.text(850000), "850us", "below 1 ms: whole microseconds")
eq(duration.text(999999), "999us", "just below 1 ms")
eq(duration.text(1000000), "1.0ms", "1 ms")
eq(duration.text(212340000), "212.3ms", "milliseconds, one decimal")
eq(duration.text(999999999), "1000.0ms", "just below 1 s rounds in ms")
eq(duration.text(4200000000), "4.20s", "seconds, two decimals")
eq(duration.text(850000, " "), "850 us", "with a space")
eq(duration.text(4200000000, " "), "4.20 s", "seconds with a space")
eq(duration.text(0), "0us", "nothing")
eq(duration.text(2.5e6), "2.5ms", "a float")
eq(duration.ms(860000), "0.9 ms", "ms: always milliseconds")
eq(duration.ms(4200000000), "4200.0 ms", "ms: seconds in milliseconds")

-- ---- stacks --------------------------------------------------------------------
eq(stack.symbol("do_nanosleep+0x5e"), "do_nanosleep", "symbol drops the offset")
eq(stack.symbol("0xffffffff81000000"), "0xffffffff81000000", "an address stays")
local frames = { "__schedule+0x3b1", "schedule+0x27", "schedule_timeout+0x9e", "__wait_for_common+0x9b",
                 "kernel_clone+0xe1", "schedule+0x10" }
local below = stack.below_scheduler(frames)
eq(#below, 3, "the scheduler's leading frames dropped, the rest kept")
eq(below[1], "__wait_for_common+0x9b", "first frame below the scheduler, offset kept")
eq(below[3], "schedule+0x10", "a scheduler frame further down is the thread's own path")
eq(#stack.below_scheduler(frames, 2), 2, "depth")
eq(#stack.below_scheduler(frames, 0), 3, "depth 0: all")
eq(#stack.below_scheduler({ "__schedule+0x1", "schedule+0x2" }), 0, "only the scheduler")
eq(stack.below_scheduler({ "preempt_schedule+0x1", "__cond_resched+0x2" })[1], "__cond_resched+0x2",
   "preemption: the scheduler's entry dropped too")

-- ---- /proc, against what we started ----------------------------------------------
-- A process whose command name holds ") (" and a space, asleep.
local dir = os.tmpname()
os.remove(dir)
assert(os.execute("mkdir " .. dir))
local prog = dir .. "/a) (b c"
assert(os.execute(("cp /bin/sleep '%s'"):format(prog)))
local pid = tonumber(io.popen(("'%s' 30 >/dev/null 2>&1 & echo $!"):format(prog)):read("l"))
local stat
for _ = 1, 100 do   -- until it has exec'd and sleeps
  stat = procfs.stat(pid)
  if stat and stat.comm == "a) (b c" and stat.state == "S" then break end
  os.execute("sleep 0.02")
end
eq(stat and stat.comm, "a) (b c", "stat: a command name with ') (' in it")
eq(stat and stat.state, "S", "stat: asleep")
eq(type(stat and stat.start_ticks), "number", "stat: a start time")
local argv = procfs.cmdline(pid) or {}
eq(#argv, 2, "cmdline: two words")
eq(argv[1], prog, "cmdline: argv[0], with its spaces")
eq(argv[2], "30", "cmdline: argv[1]")
eq(procfs.tgid(pid), pid, "tgid of a main thread: its pid")
local tids = procfs.threads(pid)
eq(#tids == 1 and tids[1], pid, "threads: one, the main thread")
os.execute("kill " .. pid)
os.execute(("rm -r '%s'"):format(dir))

-- Our own process: its parent as ps tells it.
local me = tonumber(io.popen("echo $PPID"):read("l"))
local ps_ppid = tonumber(io.popen("ps -o ppid= -p " .. me):read("l"))
eq(procfs.stat(me).ppid, ps_ppid, "stat: ppid as ps says")
eq(procfs.stat(me).state, "R", "stat: we are running")

-- A task that is gone.
local gone = 0x7ffffffe
eq(procfs.stat(gone), nil, "stat of a missing task")
eq(procfs.cmdline(gone), nil, "cmdline of a missing task")
eq(procfs.tgid(gone), nil, "tgid of a missing task")
eq(#procfs.threads(gone), 0, "threads of a missing task")

t.done("shared_helpers")
