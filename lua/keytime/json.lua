-- JSON with a stable key order, so the same data always gives the same
-- bytes (Lua's table order changes from run to run, and a replay must print
-- what the live run printed). Strings and numbers are encoded by lua-cjson.
local cjson = require "cjson"
local M = {}

-- Keys listed in `first` come first, in that order; the others follow, sorted.
-- A table with only keys 1..n is an array (so an empty table is []).
local function is_array(t)
  local n = #t
  for k in pairs(t) do
    if math.type(k) ~= "integer" or k < 1 or k > n then return false end
  end
  return true
end

local function scalar(v)
  -- cjson 2.1 escapes every '/' as '\/': valid, but noisy and unlike other tools.
  return (cjson.encode(v):gsub("\\/", "/"))
end

local function encode(v, first, out)
  local tv = type(v)
  if tv ~= "table" then
    out[#out + 1] = scalar(v)
    return
  end
  if is_array(v) then
    out[#out + 1] = "["
    for i = 1, #v do
      if i > 1 then out[#out + 1] = "," end
      encode(v[i], first, out)
    end
    out[#out + 1] = "]"
    return
  end
  local keys, seen = {}, {}
  for _, k in ipairs(first or {}) do
    if v[k] ~= nil then keys[#keys + 1] = k; seen[k] = true end
  end
  local rest = {}
  for k in pairs(v) do
    if not seen[k] then rest[#rest + 1] = tostring(k) end
  end
  table.sort(rest)
  for _, k in ipairs(rest) do keys[#keys + 1] = k end
  out[#out + 1] = "{"
  for i, k in ipairs(keys) do
    if i > 1 then out[#out + 1] = "," end
    local val = v[k]
    if val == nil then val = v[tonumber(k)] end
    out[#out + 1] = scalar(k) .. ":"
    encode(val, first, out)
  end
  out[#out + 1] = "}"
end

-- encode(value [, first_keys]) -> string
function M.encode(v, first)
  local out = {}
  encode(v, first, out)
  return table.concat(out)
end

return M
