-- SPDX-License-Identifier: GPL-2.0-or-later
-- How long something took, written for people the same way in every stock
-- script and module.
local M = {}

-- ns as "850us", "212.3ms" or "4.20s": the unit that keeps the number short.
-- sep goes between number and unit ("850 us" with " ").
function M.text(ns, sep)
  sep = sep or ""
  if ns < 1e6 then return ("%d%sus"):format(ns // 1000, sep) end
  if ns < 1e9 then return ("%.1f%sms"):format(ns / 1e6, sep) end
  return ("%.2f%ss"):format(ns / 1e9, sep)
end

-- Always in milliseconds, for columns read side by side: "212.3 ms".
function M.ms(ns)
  return ("%.1f ms"):format(ns / 1e6)
end

return M
