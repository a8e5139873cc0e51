-- SPDX-License-Identifier: GPL-2.0-or-later
-- The soak's script: every event goes through a Lua handler (counted by
-- kind); a heartbeat timer every second proves the loop is never stuck:
-- the largest gap between beats is reported at the end.
local by_kind, beats, last, max_gap = {}, 0, nil, 0

kt.on("*", function(e)
  local k = e.kind
  by_kind[k] = (by_kind[k] or 0) + 1
end)

kt.every(1000, function()
  local now = kt.now()
  if last and now - last > max_gap then max_gap = now - last end
  last = now
  beats = beats + 1
  local s = kt.stats()
  io.stderr:write(("soak-beat %d events=%d lost=%d\n"):format(beats, s.events, s.lost))
end)

kt.on("end", function(s)
  local kinds = {}
  for k, n in pairs(by_kind) do kinds[#kinds + 1] = k .. "=" .. n end
  table.sort(kinds)
  print(("soak-end events=%d lost=%d beats=%d max_gap_ms=%d %s"):format(
    s.events, s.lost, beats, max_gap // 1000000, table.concat(kinds, " ")))
end)
