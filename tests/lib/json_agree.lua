-- SPDX-License-Identifier: GPL-2.0-or-later
-- Run under keytime-run (a replay): every event's e:json() against the
-- Lua encoder that wrote keytime.lua --json before it (keytime.format.json
-- of e:totable()), byte for byte; prints "agree=N differ=M" at the end and
-- the first differences.
local format = require "keytime.format"
local json = require "keytime.json"
kt.filter.stacks = true
local agree, differ = 0, 0
kt.on("*", function(e)
  local c, l = e:json(), format.json(e:totable(), json)
  if c == l then
    agree = agree + 1
  else
    differ = differ + 1
    if differ <= 3 then io.stderr:write("e:json():    ", c, "\nformat.json: ", l, "\n") end
  end
end)
kt.on("end", function() print(("agree=%d differ=%d"):format(agree, differ)) end)
