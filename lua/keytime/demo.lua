-- SPDX-License-Identifier: GPL-2.0-or-later
-- Small helpers shared by the teaching demos (scripts/demos/): reading a
-- kernel stack the way a person would, and times relative to the start.
local stack = require "keytime.stack"
local M = {}

-- Every demo starts here: --help says what it shows and how to run it;
-- without a target, it says how to run it and stops. Returns its options
-- (args.json: JSON lines instead of text).
function M.start(script, workload, description)
  local how = ("keytime-run scripts/demos/%s -c tests/build/%s"):format(script, workload)
  local parser = require("keytime.cli").parser(script, description, "Run it with its workload: " .. how)
  parser:flag("--json", "One JSON object per line instead of text: each step as it happens, then each "
    .. "row of the summary.")
  local args = parser:parse(kt.args)
  if kt.opts.cmd or kt.opts.pid or kt.opts.tgid or kt.opts.all then return args end
  io.stderr:write(("%s: give it its workload: %s\n"):format(script, how))
  os.exit(2)
end

local symbol = stack.symbol

-- The functions a thread stopped in, below the scheduler's own frames,
-- innermost first, at most `depth`: "do_nanosleep <- hrtimer_nanosleep".
function M.path(frames, depth)
  local out = stack.below_scheduler(frames, depth)
  for i, f in ipairs(out) do out[i] = symbol(f) end
  return table.concat(out, " <- ")
end

-- Where in the kernel a thread stopped: the first of those, e.g.
-- "do_nanosleep" or "io_schedule".
function M.where(frames)
  local first = M.path(frames, 1)
  return first ~= "" and first or "?"
end

-- The system call a stack is in ("nanosleep", "wait4", "vfork"), or nil
-- when the thread was stopped outside one (an interrupt, a page fault).
-- The kernel often inlines the __x64_sys_* wrapper: then the frame called
-- by the system call entry (do_syscall_64) names it, as in kernel_wait4.
function M.syscall(frames)
  for i, f in ipairs(frames) do
    local s = symbol(f)
    local name = s:match("^__%w+_sys_([%w_]+)$")
    if name then return name end
    if (s == "do_syscall_64" or s == "x64_sys_call") and i > 1 then
      return (symbol(frames[i - 1]):gsub("^kernel_", ""):gsub("^ksys_", ""))
    end
  end
  return nil
end

-- Whether a stack passes through a kernel function whose name has `word`.
function M.has(frames, word)
  for _, f in ipairs(frames) do
    if f:find(word, 1, true) then return true end
  end
  return false
end

M.ms = require("keytime.duration").ms

-- Times relative to the first one asked for: "+  30.412 ms".
function M.relative_clock()
  local zero
  return function(ns)
    zero = zero or ns
    return ("+%9.3f ms"):format((ns - zero) / 1e6)
  end
end

local JSON_KEYS = { "event", "time", "text" }

-- What a demo says, as text or, with --json, as JSON lines:
--   out.step(time, fmt, ...)  a moment of the story: "+  30.412 ms  text",
--                             {"event":"step","time":NS,"text":"text"}
--   out.detail(fmt, ...)      a line explaining the step before it
--   out.row(name, fields)     a row of the summary: JSON only, {"event":name,...}
--   out.text(line)            text only: headings, the summary's own lines
function M.output(json)
  local out = {}
  if json then
    local encode = require("keytime.json").encode
    function out.step(time, fmt, ...)
      print(encode({ event = "step", time = time, text = fmt:format(...) }, JSON_KEYS))
    end
    function out.detail(fmt, ...) print(encode({ event = "detail", text = fmt:format(...) }, JSON_KEYS)) end
    function out.row(name, fields)
      fields.event = name
      print(encode(fields, JSON_KEYS))
    end
    function out.text() end
  else
    local at = M.relative_clock()
    function out.step(time, fmt, ...) print(at(time) .. "  " .. fmt:format(...)) end
    function out.detail(fmt, ...) print((" "):rep(15) .. fmt:format(...)) end
    function out.row() end
    function out.text(line) print(line or "") end
  end
  return out
end

return M
