-- SPDX-License-Identifier: GPL-2.0-or-later
-- fields.lua: a handler that reads a few fields of every event, as most
-- scripts do (for bench/hostpath).
local n, last = 0, 0
kt.on("*", function(e)
  if e.kind == "offcpu" and e.pid > 0 then n = n + 1 end
  last = e.time
end)
