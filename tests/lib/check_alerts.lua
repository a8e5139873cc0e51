-- SPDX-License-Identifier: GPL-2.0-or-later
-- Checks the output of the alert scripts (scripts/alerts/) against the
-- manifest their workload wrote.
--   check_alerts.lua offcpu   OUT MANIFEST MIN_MS [others]  both threads' waits reported;
--                                                   nothing else unless "others"
--   check_alerts.lua offcpu-over OUT THRESHOLD_MS       every line is over the threshold
--   check_alerts.lua forkrate OUT ERR MANIFEST MAX      an alert naming the storm's parents
--   check_alerts.lua forkrate-quiet OUT ERR MANIFEST    no alert, but the forks were counted
--   check_alerts.lua crashes  OUT MANIFEST WORKLOAD_CMD the three bad endings, nothing else
--   check_alerts.lua none     OUT KIND                  no line of that kind
package.path = arg[0]:gsub("[^/]+$", "") .. "?.lua;" .. package.path
local t = require "jsonl"

-- "850us", "212.3ms", "4.20s" -> milliseconds
local function ms(text)
  local n, unit = text:match("^([%d.]+)(%a+)$")
  local scale = { us = 1e-3, ms = 1, s = 1e3 }
  return n and scale[unit] and tonumber(n) * scale[unit]
end

-- The lines of one kind ("OFFCPU", ...) as tables of their key=value fields;
-- the last field (stack, top, cmd) takes the rest of the line.
local function lines_of(path, kind, last_key)
  local out = {}
  for line in io.lines(path) do
    local time, rest = line:match("^(%d%d:%d%d:%d%d%.%d+) " .. kind .. " (.*)$")
    if time then
      local r = { line = line, time = time }
      local head, tail = rest, nil
      if last_key then
        local at = rest:find(" " .. last_key .. "=", 1, true) or rest:find(" " .. last_key .. ": ", 1, true)
        if at then head, tail = rest:sub(1, at - 1), rest:sub(at + #last_key + 2):gsub("^ ", "") end
      end
      for k, v in head:gmatch("([%w_]+)=(%S+)") do r[k] = tonumber(v) or v end
      r.head, r[last_key or "_"] = head, tail
      out[#out + 1] = r
    end
  end
  return out
end

local read_text = t.read_text

local function between(x, lo, hi) return x and x >= lo and x <= hi end

local mode = arg[1]

if mode == "offcpu" then
  local lines, m, min_ms = lines_of(arg[2], "OFFCPU", "stack"), t.read_manifest(arg[3]), tonumber(arg[4])
  local expected = {
    -- the timer interrupt ends the sleep; the main thread's unlock the wait
    { pid = m.main_pid, what = "the main thread's nanosleep", word = "nanosleep", irq = "true" },
    { pid = m.worker_tid, what = "the worker's wait for the mutex", word = "futex", irq = "false", waker = m.main_pid },
  }
  for _, x in ipairs(expected) do
    local found = {}
    for _, l in ipairs(lines) do
      if l.pid == x.pid and l.stack and l.stack:find(x.word, 1, true) then found[#found + 1] = l end
    end
    if t.expect(#found == 1, x.what, ("expected one OFFCPU line for pid %d in %s, got %d:\n%s"):format(
        x.pid, x.word, #found, read_text(arg[2]))) then
      local l = found[1]
      t.expect(l.tgid == m.main_pid, x.what .. ": tgid", l.line)
      t.expect(l.comm == "alert_offcpu", x.what .. ": comm", l.line)
      t.expect(l.state == "S(sleeping)", x.what .. ": state S", l.line)
      t.expect(between(ms(l.off), min_ms, m.ms + 250), x.what .. (": off-CPU within [%g, %g] ms"):format(min_ms, m.ms + 250), l.line)
      t.expect(l.stack and not l.stack:find("^__schedule"), x.what .. ": scheduler frames left out", l.line)
      t.expect(l.waker_irq == x.irq, x.what .. ": waker_irq=" .. x.irq, l.line)
      if x.waker then
        t.expect(l.waker == x.waker and l.waker_comm == "alert_offcpu", x.what .. ": woken by the main thread", l.line)
      end
    end
  end
  if arg[5] ~= "others" then t.expect(#lines == 2, "no other OFFCPU line", read_text(arg[2])) end

elseif mode == "offcpu-over" then
  local lines, threshold = lines_of(arg[2], "OFFCPU", "stack"), tonumber(arg[3])
  t.expect(#lines > 0, "some OFFCPU lines at a low threshold", read_text(arg[2]))
  for _, l in ipairs(lines) do
    t.expect(ms(l.off) and ms(l.off) > threshold, "every line above " .. threshold .. " ms", l.line)
  end

elseif mode == "forkrate" or mode == "forkrate-quiet" then
  local lines, err, m = lines_of(arg[2], "FORKRATE", "top"), read_text(arg[3]), t.read_manifest(arg[4])
  local peak = tonumber(err:match("peak (%d+) tasks in 1s"))
  t.expect(err:find("following the targets' descendants", 1, true), "says it follows descendants", err)
  if mode == "forkrate-quiet" then
    t.expect(#lines == 0, "no FORKRATE line for a steady trickle", read_text(arg[2]))
    t.expect(between(peak, 10, m.root_children), "the trickle was counted (peak 10.." .. m.root_children .. ")", err)
  else
    local max = tonumber(arg[5])
    -- root and sub made root_children + sub_children tasks within a second;
    -- more than root alone made proves grandchildren were counted.
    -- (Under emulation the storm takes longer than a second: there the
    -- grandchildren show as their parent, sub, among the top parents.)
    local grandchildren_in_peak = peak and peak > m.root_children
    if t.time_scale == 1 or grandchildren_in_peak then
      t.expect(grandchildren_in_peak, "peak above " .. m.root_children .. " (grandchildren counted)", err)
    end
    if t.expect(#lines >= 1, "a FORKRATE alert", read_text(arg[2])) then
      local l = lines[1]
      local count = tonumber(l.head:match("^(%d+) tasks in 1s"))
      t.expect(count and count > max, "the alert counts more than " .. max, l.line)
      local named, sum = {}, 0
      for pid, comm, n, cmd in (l.top or ""):gmatch("(%d+) (%S+) %((%d+), ([^)]*)%)") do
        pid, n = tonumber(pid), tonumber(n)
        named[pid] = cmd
        sum = sum + n
        t.expect(pid == m.root_pid or pid == m.sub_pid, "top parents are the storm's", l.line)
        t.expect(comm == "alert_forks", "top parents' comm", l.line)
        t.expect(cmd:find("alert_forks", 1, true) and cmd:find("burst", 1, true), "top parents' command line", l.line)
      end
      t.expect(next(named) ~= nil, "the alert names parents", l.line)
      if t.time_scale > 1 and not grandchildren_in_peak then
        t.expect(named[m.sub_pid], "grandchildren counted: their parent " .. m.sub_pid .. " among the top parents", l.line)
      end
      t.expect(sum <= count, "parents' counts add up to at most the total", l.line)
    end
  end

elseif mode == "crashes" then
  local lines, m, cmd = lines_of(arg[2], "CRASH", "cmd"), t.read_manifest(arg[3]), arg[4]
  local by_pid = {}
  for _, l in ipairs(lines) do by_pid[l.pid] = l end
  local expected = {
    -- A forked child execs string constants it never touched: the probe may
    -- not read them, and sh is gone before /proc can be read: then "[sh]".
    { pid = m.exit3_child, status = "exit:3", min_ms = 0, cmd = "^/bin/sh %-c exit 3$", or_cmd = "^%[sh%]$" },
    { pid = m.segv_child, status = "signal:SIGSEGV", min_ms = m.segv_ms, cmd = "^" .. cmd:gsub("%p", "%%%0") .. "$" },
    { pid = m.term_child, status = "signal:SIGTERM", min_ms = 20, cmd = "^" .. cmd:gsub("%p", "%%%0") .. "$" },
  }
  for _, x in ipairs(expected) do
    local l = by_pid[x.pid]
    if t.expect(l, "a CRASH line for pid " .. x.pid .. " (" .. x.status .. ")", read_text(arg[2])) then
      t.expect(l.status == x.status and not l.line:find("core dumped"), "status " .. x.status, l.line)
      t.expect(l.ppid == m.root_pid, "ppid is the workload's root", l.line)
      t.expect(between(ms(l.lifetime), x.min_ms, 5000), ("lifetime within [%g ms, 5 s]"):format(x.min_ms), l.line)
      t.expect(l.cmd and (l.cmd:find(x.cmd) or (x.or_cmd and l.cmd:find(x.or_cmd))),
        "command line matches " .. x.cmd .. (x.or_cmd and (" or " .. x.or_cmd) or ""), l.line)
    end
  end
  t.expect(#lines == 3, "no other CRASH line (clean child, thread, root)", read_text(arg[2]))

elseif mode == "none" then
  local lines = lines_of(arg[2], arg[3])
  t.expect(#lines == 0, "no " .. arg[3] .. " line", read_text(arg[2]))

else
  error("unknown mode " .. tostring(mode))
end
t.finish("check_alerts " .. mode)
