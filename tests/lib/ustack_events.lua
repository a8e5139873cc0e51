-- SPDX-License-Identifier: GPL-2.0-or-later
-- Run under keytime-run by tests/integration/ustacks.sh on ustack_work:
-- each offCPU of the workload as "ustack PID STATE frame|frame|...",
-- printed when the run ends. Live, the first sleep's handler first waits
-- until the workload has exited (its memory gone: /proc/PID/maps empty),
-- so every stack is named after the process is gone; "exited_first 1"
-- says it was. A replay prints the same ustack lines. USTACK_MODE=buildid:
-- the frames taken by build-id in the kernel.
kt.filter.ustacks = os.getenv("USTACK_MODE") == "buildid" and "buildid" or true
local scale = tonumber(os.getenv("KEYTIME_TIME_SCALE") or "1")
local lines, waited = {}, nil

local function gone(pid)
  local f = io.open("/proc/" .. pid .. "/maps")
  if not f then return true end
  local text = f:read("a")
  f:close()
  return text == nil or text == ""
end

kt.on("offcpu", function(e)
  if e.comm ~= "ustack_work" then return end
  if not kt.replaying and waited == nil and e.state == "S" then
    waited = false
    for _ = 1, 200 * scale do
      if gone(e.tgid) then waited = true break end
      os.execute("sleep 0.02")
    end
  end
  lines[#lines + 1] = ("ustack %d %s %s"):format(e.pid, e.state, table.concat(e.ustack or { "nil" }, "|"))
end)

kt.on("end", function()
  for _, l in ipairs(lines) do print(l) end
  if not kt.replaying then print("exited_first " .. (waited and 1 or 0)) end
end)
