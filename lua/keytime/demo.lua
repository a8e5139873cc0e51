-- Small helpers shared by the teaching demos (scripts/demos/): reading a
-- kernel stack the way a person would, and times relative to the start.
local M = {}

-- Every demo starts here: --help says what it shows and how to run it;
-- without a target, it says how to run it and stops.
function M.start(script, workload, description)
  local how = ("keytime-run scripts/demos/%s -c tests/build/%s"):format(script, workload)
  require("argparse")(script, description, "Run it with its workload: " .. how):parse(kt.args)
  if kt.opts.cmd or kt.opts.pid or kt.opts.tgid or kt.opts.all then return end
  io.stderr:write(("%s: give it its workload: %s\n"):format(script, how))
  os.exit(2)
end

-- "do_nanosleep+0x5e" -> "do_nanosleep"
local function symbol(frame)
  return (frame:gsub("%+0x%x+$", ""))
end

-- Frames that every off-CPU stack has: the scheduler switching away.
local SCHEDULER = { __schedule = true, schedule = true, schedule_timeout = true,
                    schedule_preempt_disabled = true, preempt_schedule = true }

-- The functions a thread stopped in, below the scheduler's own frames,
-- innermost first, at most `depth`: "do_nanosleep <- hrtimer_nanosleep".
function M.path(frames, depth)
  local out = {}
  for _, f in ipairs(frames) do
    local s = symbol(f)
    if #out > 0 or not SCHEDULER[s] then out[#out + 1] = s end
    if #out == depth then break end
  end
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

function M.ms(ns)
  return ("%.1f ms"):format(ns / 1e6)
end

-- Times relative to the first one asked for: "+  30.412 ms".
function M.relative_clock()
  local zero
  return function(ns)
    zero = zero or ns
    return ("+%9.3f ms"):format((ns - zero) / 1e6)
  end
end

return M
