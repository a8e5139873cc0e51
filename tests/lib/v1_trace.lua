-- SPDX-License-Identifier: GPL-2.0-or-later
-- Writes a version 1 recording (before wakeup events): one onCPU record of
-- the old size (no runq_latency, no waker_pid) and an end chunk counting
-- the 12 kinds of then, for tests/integration/wakeups.sh to replay.
--   lua5.4 v1_trace.lua PATH
local info = "keytime=0\nhost=old\nkernel=6.1\nmono_to_real_ns=0\nstart_ns=1000\nscript_start_ns=1000\ntargets=\n"
local function header(kind, time, pid)
  return string.pack("<I8I4I4I4I4I4I4", time, kind, 0, pid, pid, 1, 0) .. "old" .. ("\0"):rep(13)   -- comm[16]
end
local oncpu = header(10, 2000, 42) .. string.pack("<i4I4I8", -1, 0, 555)   -- stack_id, state, runtime
local ending = string.pack("<I8", 3000) .. ("\0"):rep(8 * 13)
local f = assert(io.open(arg[1], "wb"))
f:write("KTTRACE\0", string.pack("<I4I4", 1, #info), info,
  string.pack("<I4I4", 1, #oncpu), oncpu, string.pack("<I4I4", 3, #ending), ending)
f:close()
