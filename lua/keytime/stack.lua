-- SPDX-License-Identifier: GPL-2.0-or-later
-- Kernel stacks (e.kstack: "function+0xoffset" frames, innermost first) and
-- user stacks (e.ustack) for people: the function names, and the frames
-- below the scheduler's own.
local M = {}

-- "do_nanosleep+0x5e" -> "do_nanosleep"; a user frame (e.ustack),
-- "inner_sleep+0x56 (prog)" -> "inner_sleep"
function M.symbol(frame)
  local user = frame:match("^(.-)%+0x%x+ %(.*%)$")
  return user or (frame:gsub("%+0x%x+$", ""))
end

-- The scheduler switching the thread away: every off-CPU stack starts with
-- some of these, whatever the thread waits for.
local SCHEDULER = { __schedule = true, schedule = true, schedule_timeout = true,
                    schedule_preempt_disabled = true, preempt_schedule = true }

-- The frames below the scheduler's (as given, offsets kept), innermost
-- first, at most depth of them (nil or 0: all).
function M.below_scheduler(frames, depth)
  local out = {}
  for _, f in ipairs(frames) do
    if #out > 0 or not SCHEDULER[M.symbol(f)] then
      out[#out + 1] = f
      if #out == depth then break end
    end
  end
  return out
end

return M
