-- SPDX-License-Identifier: GPL-2.0-or-later
-- JSON with a stable key order, so the same data always gives the same
-- bytes (Lua's table order changes from run to run, and a replay must print
-- what the live run printed), and exact numbers: an integer is written with
-- all its digits whatever its size (a CLOCK_MONOTONIC time in ns passes the
-- 14 significant digits lua-cjson prints after 28 hours of uptime); a float
-- with the fewest digits that read back as the same double.
local M = {}

-- ---- scalars -----------------------------------------------------------------

-- As lua-cjson escapes, but '/' is left alone (cjson's '\/' is valid, but
-- noisy and unlike other tools).
local ESCAPES = { ['"'] = '\\"', ["\\"] = "\\\\", ["\b"] = "\\b", ["\f"] = "\\f",
                  ["\n"] = "\\n", ["\r"] = "\\r", ["\t"] = "\\t" }
for c = 0, 31 do
  local ch = string.char(c)
  ESCAPES[ch] = ESCAPES[ch] or ("\\u%04x"):format(c)
end
ESCAPES["\127"] = "\\u007f"

-- lua-cjson's null, if lua-cjson is there, is written as null too.
local has_cjson, cjson = pcall(require, "cjson")
local null = has_cjson and cjson.null or nil

local find, gsub, format, mtype, tointeger = string.find, string.gsub, string.format, math.type, math.tointeger

local SPECIAL = '[\0-\31"\\\127]'   -- what needs an escape: not locale-dependent, unlike %c
local function escaped(s)
  if not find(s, SPECIAL) then return s end
  return (gsub(s, SPECIAL, ESCAPES))
end

-- Each byte that is not part of a valid UTF-8 sequence (a comm or an argv
-- is any bytes) is written \ufffd, so the text is always valid JSON; as
-- e:json() does (runtime/event_json.c).
local utf8len = utf8.len
local function string_text(s)
  if utf8len(s) then return '"' .. escaped(s) .. '"' end
  local out, i = {}, 1
  while true do
    local ok, bad = utf8len(s, i)
    if ok then out[#out + 1] = escaped(s:sub(i)); break end
    out[#out + 1] = escaped(s:sub(i, bad - 1))
    out[#out + 1] = "\\ufffd"
    i = bad + 1
  end
  return '"' .. table.concat(out) .. '"'
end

local function float_text(v)
  if v ~= v or v == math.huge or v == -math.huge then
    error("keytime.json: cannot encode " .. tostring(v) .. " (JSON has no NaN or infinity)", 0)
  end
  local i = tointeger(v)
  if i then return format("%d", i) end       -- a whole float: its exact digits
  for digits = 14, 16 do
    local s = format("%." .. digits .. "g", v)
    if tonumber(s) == v then return s end
  end
  return format("%.17g", v)                   -- always reads back as v
end

-- json.decimal(n, places): the exact number n / 10^places (n an integer),
-- written as a decimal without trailing zeros: decimal(1234567890123456, 3)
-- writes 1234567890123.456, digits no double holds. Encodes as a number.
local Decimal = {}
local POW10 = {}
for p = 0, 18 do POW10[p] = math.tointeger(10 ^ p) end

-- "%d.%0Nd" for N digits after the point.
local FRACTION_FORMAT = {}
for p = 1, 18 do FRACTION_FORMAT[p] = "%d.%0" .. p .. "d" end

-- The text of n / 10^places as decimal() writes it, without the table: for
-- writers of many numbers (timeline.lua writes two per slice).
function M.decimal_text(n, places)
  if mtype(n) ~= "integer" then
    error("keytime.json.decimal: an integer please, not " .. tostring(n), 2)
  end
  places = places or 0
  local scale = POW10[places] or error("keytime.json.decimal: 0 to 18 places", 2)
  if places == 0 then return format("%d", n) end
  -- Floor division, then toward zero: whole <= 0 for a negative n (so -whole
  -- cannot overflow), frac the size of the fraction.
  local whole, frac = n // scale, n % scale
  local sign = ""
  if n < 0 then
    sign = "-"
    if frac ~= 0 then whole, frac = whole + 1, scale - frac end
    whole = -whole
  end
  if frac == 0 then return sign .. format("%d", whole) end
  while frac % 10 == 0 do frac, places = frac // 10, places - 1 end   -- no trailing zeros
  return sign .. format(FRACTION_FORMAT[places], whole, frac)
end

function M.decimal(n, places)
  return setmetatable({ text = M.decimal_text(n, places) }, Decimal)
end

-- ---- tables --------------------------------------------------------------------

-- A table with only keys 1..n is an array (so an empty table is []).
local function is_array(t)
  local n = #t
  for k in pairs(t) do
    if mtype(k) ~= "integer" or k < 1 or k > n then return false end
  end
  return true
end

-- "key": for each key string, made once (a run writes the same few keys
-- millions of times); bounded, in case a script writes endless distinct keys.
local key_text, key_count = {}, 0
local function key_of(k)
  local t = key_text[k]
  if t then return t end
  t = string_text(k) .. ":"
  if key_count < 4096 then key_text[k], key_count = t, key_count + 1 end
  return t
end

local encode

local function encode_table(v, first, out, n)
  local mt = getmetatable(v)
  if mt == Decimal then
    n = n + 1; out[n] = v.text
    return n
  end
  if is_array(v) then
    n = n + 1; out[n] = "["
    for i = 1, #v do
      if i > 1 then n = n + 1; out[n] = "," end
      n = encode(v[i], first, out, n)
    end
    n = n + 1; out[n] = "]"
    return n
  end
  -- Keys listed in `first` come first, in that order; the others follow, sorted.
  local keys, seen, nkeys = {}, {}, 0
  if first then
    for _, k in ipairs(first) do
      if v[k] ~= nil then nkeys = nkeys + 1; keys[nkeys] = k; seen[k] = true end
    end
  end
  local rest = {}
  for k in pairs(v) do
    if not seen[k] then rest[#rest + 1] = tostring(k) end
  end
  table.sort(rest)
  for _, k in ipairs(rest) do nkeys = nkeys + 1; keys[nkeys] = k end
  n = n + 1; out[n] = "{"
  for i = 1, nkeys do
    local k = keys[i]
    if i > 1 then n = n + 1; out[n] = "," end
    local val = v[k]
    if val == nil then val = v[tonumber(k)] end
    n = n + 1; out[n] = key_of(k)
    n = encode(val, first, out, n)
  end
  n = n + 1; out[n] = "}"
  return n
end

-- Appends v's text to out[n + 1 ...]; returns the new n.
function encode(v, first, out, n)
  local tv = type(v)
  local s
  if tv == "string" then
    s = string_text(v)
  elseif tv == "number" then
    if mtype(v) == "integer" then s = format("%d", v) else s = float_text(v) end
  elseif tv == "boolean" then
    s = v and "true" or "false"
  elseif tv == "table" then
    return encode_table(v, first, out, n)
  elseif v == nil or (null ~= nil and v == null) then
    s = "null"                                -- nil in an array; cjson.null
  else
    error("keytime.json: cannot encode a " .. tv, 0)
  end
  n = n + 1; out[n] = s
  return n
end

-- encode(value [, first_keys]) -> string
function M.encode(v, first)
  local out = {}
  encode(v, first, out, 0)
  return table.concat(out)
end

return M
