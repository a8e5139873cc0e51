-- SPDX-License-Identifier: GPL-2.0-or-later
-- A JSON reader for the tests that keeps what a decoder loses: numbers as
-- the text written (no double rounds them), object keys in the order written.
-- Values: strings as their raw text between the quotes, numbers as { num = text },
-- arrays as { arr = { ... } }, objects as { keys = { ... }, vals = { ... } } in
-- the order written, true/false as themselves, null as NULL.
local NULL = setmetatable({}, { __tostring = function() return "null" end })

local function reader(text, where)
  local pos = 1
  local function fail(msg)
    error(("%s: byte %d: %s near %q"):format(where, pos, msg, text:sub(pos, pos + 30)), 0)
  end
  local function ws() pos = text:find("[^ \t\r\n]", pos) or #text + 1 end
  local value
  local function str()
    local i = pos + 1
    while true do
      local c = text:find('["\\]', i)
      if not c then fail("unterminated string") end
      if text:sub(c, c) == '"' then
        local s = text:sub(pos + 1, c - 1)
        pos = c + 1
        return s
      end
      i = c + 2
    end
  end
  function value()
    ws()
    local c = text:sub(pos, pos)
    if c == "{" then
      local o = { keys = {}, vals = {} }
      pos = pos + 1; ws()
      if text:sub(pos, pos) == "}" then pos = pos + 1; return o end
      while true do
        ws()
        if text:sub(pos, pos) ~= '"' then fail("expected a key") end
        local k = str(); ws()
        if text:sub(pos, pos) ~= ":" then fail("expected ':'") end
        pos = pos + 1
        o.keys[#o.keys + 1], o.vals[#o.vals + 1] = k, value()
        ws()
        c = text:sub(pos, pos); pos = pos + 1
        if c == "}" then return o end
        if c ~= "," then fail("expected ',' or '}'") end
      end
    elseif c == "[" then
      local a = { arr = {} }
      pos = pos + 1; ws()
      if text:sub(pos, pos) == "]" then pos = pos + 1; return a end
      while true do
        a.arr[#a.arr + 1] = value()
        ws()
        c = text:sub(pos, pos); pos = pos + 1
        if c == "]" then return a end
        if c ~= "," then fail("expected ',' or ']'") end
      end
    elseif c == '"' then
      return str()
    elseif text:find("^true", pos) then pos = pos + 4; return true
    elseif text:find("^false", pos) then pos = pos + 5; return false
    elseif text:find("^null", pos) then pos = pos + 4; return NULL
    end
    local num = text:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
    if not num or num == "" or num == "-" then fail("expected a value") end
    pos = pos + #num
    return { num = num }
  end
  return function()
    local v = value()
    ws()
    if pos <= #text then fail("trailing text") end
    return v
  end
end

local function parse(text, where) return reader(text, where)() end

return { parse = parse, NULL = NULL }
