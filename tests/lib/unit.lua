-- SPDX-License-Identifier: GPL-2.0-or-later
-- What the Lua unit tests (tests/unit/*.lua, run with lua5.4) share:
-- lua/ on the module path, eq() that counts failures, done() that prints
-- the verdict and exits.
--   local t = dofile((arg[0]:match("^(.*)/") or ".") .. "/../lib/unit.lua")
--   local eq = t.eq
local here = arg[0]:match("^(.*)/") or "."
package.path = here .. "/../../lua/?.lua;" .. package.path

local t = { failures = 0 }

local function show(v)
  return type(v) == "string" and ("%q"):format(v) or tostring(v)
end

function t.eq(got, want, what)
  if got ~= want then
    t.failures = t.failures + 1
    io.stderr:write(("FAIL %s\n  expected: %s\n  got:      %s\n"):format(what, show(want), show(got)))
  end
end

function t.done(name)
  print(t.failures == 0 and (name .. ": all passed") or (name .. ": " .. t.failures .. " failed"))
  os.exit(t.failures == 0 and 0 or 1)
end

return t
