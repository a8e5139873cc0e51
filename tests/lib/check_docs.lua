-- SPDX-License-Identifier: GPL-2.0-or-later
-- Compares docs/lua-api.md with what the runtime really exposes (the files
-- tests/lib/api_names.lua wrote), in both directions: every name of the
-- runtime is documented, and every documented name exists.
--   lua5.4 check_docs.lua DOC NAMES_FILE...
-- Prints one line per difference and exits 1 if there is any.
local doc_path = arg[1]

-- ---- the runtime's names ---------------------------------------------------

local rt = {}   -- rt[section] = { [key] = {detail, ...} }
local function rt_add(section, key, detail)
  rt[section] = rt[section] or {}
  rt[section][key] = rt[section][key] or {}
  if detail then table.insert(rt[section][key], detail) end
end
for i = 2, #arg do
  for line in io.lines(arg[i]) do
    local words = {}
    for w in line:gmatch("%S+") do words[#words + 1] = w end
    if words[1] == "event" or words[1] == "totable" or words[1] == "module" then
      rt_add(words[1], words[2] .. " " .. words[3])
    elseif words[1] then
      rt_add(words[1], words[2], words[3])
    end
  end
end
local function rt_set(section)
  local s = {}
  for k in pairs(rt[section] or {}) do s[k] = true end
  return s
end

-- ---- the documented names ---------------------------------------------------

local doc = assert(io.open(doc_path)):read("a")

-- Table cells, not split at a '|' inside `code`.
local function cells(line)
  local out, cur, code = {}, {}, false
  for c in line:sub(2):gmatch(".") do
    if c == "`" then code = not code end
    if c == "|" and not code then
      out[#out + 1] = table.concat(cur):match("^%s*(.-)%s*$")
      cur = {}
    else
      cur[#cur + 1] = c
    end
  end
  return out
end

local function code_spans(text)
  local spans = {}
  for s in text:gmatch("`([^`]*)`") do spans[#spans + 1] = s end
  return spans
end

local function identifiers(text)
  local ids = {}
  for _, s in ipairs(code_spans(text)) do
    if s:match("^[%a_][%w_]*$") then ids[#ids + 1] = s end
  end
  return ids
end

-- Keys of a Lua table written in the docs, {a=1, b={c=2}} -> a, b.
local function table_keys(text)
  local keys = {}
  for _, s in ipairs(code_spans(text)) do
    local inner = s:match("^{(.*)}$")
    if inner then
      for k in inner:gsub("%b{}", ""):gmatch("([%a_][%w_]*)=") do keys[#keys + 1] = k end
    end
  end
  return keys
end

local function set_of(list, into)
  into = into or {}
  for _, v in ipairs(list) do into[v] = true end
  return into
end

local d = {
  kt = {}, kinds = {}, kind_names = {}, kind_fields = {}, common = {},
  methods = {}, settings = {}, list = {}, opts = {}, stats = {}, on = {}, modules = {},
}
local header, section
for line in (doc .. "\n"):gmatch("(.-)\n") do
  local heading = line:match("^##%s+(.*)")
  if heading then section = heading end
  for name in (line:match("^###%s+(.*)") or ""):gmatch("kt%.([%a_][%w_]*)") do d.kt[name] = true end
  for name in line:gmatch('kt%.on%("([^"]+)"') do d.on[name] = true end

  if line:match("^|%-") then
    -- the line under a table's header
  elseif line:match("^|") then
    local c = cells(line)
    if not header then
      header = c[1]
    elseif header == "kind" then
      local kind, name = identifiers(c[1])[1], identifiers(c[2])[1]
      if kind then
        d.kinds[kind], d.kind_names[kind] = true, name
        local same = c[4]:match("^same as `([%a_][%w_]*)`")
        d.kind_fields[kind] = same and d.kind_fields[same] or set_of(identifiers(c[4]))
      end
    elseif header == "field" and #c == 3 then
      set_of(identifiers(c[1]), d.common)
    else
      -- Rows that name API calls and fields in their first cell.
      for name in c[1]:gmatch("kt%.([%a_][%w_]*)") do d.kt[name] = true end
      for name in c[1]:gmatch("kt%.filter:([%a_][%w_]*)") do d.methods[name] = true end
      for name in c[1]:gmatch("kt%.filter%.([%a_][%w_]*)") do d.settings[name] = true end
      if c[1]:find("`arg`", 1, true) then d.global_arg = true end
      if c[1]:find("kt.filter:list()", 1, true) then set_of(table_keys(c[2]), d.list) end
      if c[1]:find("`kt.opts`", 1, true) then set_of(identifiers(c[2]), d.opts) end
      if c[1]:find("`kt.stats()`", 1, true) then set_of(table_keys(c[2]), d.stats) end
    end
  else
    header = nil
  end

  if section and section:match("^Helper modules") then
    local mod = line:match("^%- `(keytime%.[%w_]+)`")
    if mod then d.current_module = mod; d.modules[mod] = {} end
    if d.current_module and line:match("%S") then
      for _, s in ipairs(code_spans(line)) do
        local id = s:match("^([%a_][%w_]*)%(") or s:match("^([%a_][%w_]*)$")
        if id then d.modules[d.current_module][id] = true end
      end
    end
  end
end
-- A kind named in another's fields cell ("as for `oncpu`") is a reference, not a field.
for _, fields in pairs(d.kind_fields) do
  for kind in pairs(d.kinds) do fields[kind] = nil end
end
if doc:find('`"*"`', 1, true) then d.on["*"] = true end
for kind in pairs(d.kinds) do d.on[kind] = true end

-- ---- comparing ------------------------------------------------------------------

local problems = {}
local function problem(fmt, ...) problems[#problems + 1] = fmt:format(...) end

local function sorted(set)
  local l = {}
  for k in pairs(set) do l[#l + 1] = k end
  table.sort(l)
  return l
end

-- Both directions: runtime names missing from the docs, documented names
-- missing from the runtime.
local function compare(what, runtime, documented)
  local sep = what:match("[.:]$") and "" or " "
  for _, k in ipairs(sorted(runtime)) do
    if not documented[k] then problem("%s%s%s: in the runtime, not documented", what, sep, k) end
  end
  for _, k in ipairs(sorted(documented)) do
    if not runtime[k] then problem("%s%s%s: documented, not in the runtime", what, sep, k) end
  end
end

local function nonempty(what, set)
  if next(set) == nil then problem("%s: found none (did the docs or the runtime change shape?)", what) end
end

-- kt itself
nonempty("kt names in the docs", d.kt)
compare("kt.", rt_set("kt"), d.kt)
if rt.global and rt.global.arg and not d.global_arg then problem("global arg: in the runtime, not documented") end
if d.global_arg and not (rt.global and rt.global.arg) then problem("global arg: documented, not in the runtime") end

-- kt.opts: a run shows only the options it was given, so documented names
-- must appear in one of the runs, and each run's names must be documented.
nonempty("kt.opts fields in the docs", d.opts)
compare("kt.opts.", rt_set("opts"), d.opts)
compare("kt.stats().", rt_set("stats"), d.stats)
compare("kt.filter:list() entry field", rt_set("list"), d.list)

-- kt.filter: methods are the functions it answers with, settings the booleans.
local methods, settings = {}, {}
for name, detail in pairs(rt.filter or {}) do
  if detail[1] == "function" then methods[name] = true else settings[name] = true end
end
compare("kt.filter:", methods, d.methods)
compare("kt.filter.", settings, d.settings)

-- Event kinds: kt.stats().by_kind, kt.on's names, the kinds of real events.
nonempty("event kinds in the docs", d.kinds)
compare("event kind (kt.stats().by_kind)", rt_set("by_kind"), d.kinds)
local accepted = {}
for name, detail in pairs(rt.on or {}) do
  if detail[1] == "accepted" then accepted[name] = true
  else problem('kt.on("%s"): named by its error message, but refused', name) end
end
compare("kt.on name", accepted, d.on)
for kind in pairs(rt.unseen or {}) do
  problem("event kind %s: the workload produced none, its fields are unchecked", kind)
end
for kind, detail in pairs(rt.kind or {}) do
  if d.kind_names[kind] ~= detail[1] then
    problem("event kind %s: e.name is %s, documented as %s", kind, detail[1], tostring(d.kind_names[kind]))
  end
end

-- Fields: the common ones are on every kind; the rest per kind.
local fields = {}   -- fields[kind][name]
for key in pairs(rt.event or {}) do
  local kind, name = key:match("(%S+) (%S+)")
  fields[kind] = fields[kind] or {}
  fields[kind][name] = true
end
local common
for _, kind_fields in pairs(fields) do
  if not common then
    common = {}
    for name in pairs(kind_fields) do common[name] = true end
  else
    for name in pairs(common) do if not kind_fields[name] then common[name] = nil end end
  end
end
common = common or {}
-- The event's methods: documented as calls, not as fields.
local METHODS = { totable = true, json = true }
for name in pairs(METHODS) do
  if common[name] then
    common[name] = nil
    if not doc:find("e:" .. name .. "()", 1, true) then problem("e:%s(): in the runtime, not documented", name) end
  end
end
nonempty("common event fields in the docs", d.common)
-- Common fields nil on the test host (no task there is in a container):
-- the runtime must still name them.
local NIL_HERE = { container_id = true }
for name in pairs(NIL_HERE) do
  if d.common[name] and not common[name] then
    local f = assert(io.open((doc_path:match("^(.*)/docs/") or ".") .. "/runtime/event_fields.c"))
    local src = f:read("a")
    f:close()
    if src:find('"' .. name .. '"', 1, true) then common[name] = true end
  end
end
compare("event field (common)", common, d.common)
for _, kind in ipairs(sorted(fields)) do
  local own = {}
  for name in pairs(fields[kind]) do
    if not common[name] and not METHODS[name] then own[name] = true end
  end
  compare("event field " .. kind .. ".", own, d.kind_fields[kind] or {})
  -- e:totable() is the documented copy of an event: it must hold every field.
  for name in pairs(fields[kind]) do
    if not METHODS[name] and not (rt.totable or {})[kind .. " " .. name] then
      problem("e:totable() of %s lacks the field %s", kind, name)
    end
  end
end

-- Objects returned by kt.on and the timers.
if not (rt.subscription_off and rt.subscription_off["true"]) then problem("kt.on()'s subscription has no :off()") end
if not doc:find("subscription:off()", 1, true) then problem("subscription:off(): not documented") end
if not (rt.timer_cancel and rt.timer_cancel["true"]) then problem("timers have no :cancel()") end
if not doc:find(":cancel()", 1, true) then problem("timer:cancel(): not documented") end

-- Helper modules of lua/keytime/.
local exports = {}
for key in pairs(rt.module or {}) do
  local mod, name = key:match("(%S+) (%S+)")
  exports[mod] = exports[mod] or {}
  exports[mod][name] = true
end
for _, mod in ipairs(sorted(exports)) do
  if not d.modules[mod] then
    problem("module %s: in lua/keytime/, not documented under Helper modules", mod)
  else
    compare("module " .. mod .. ".", exports[mod], d.modules[mod])
  end
end
for mod in pairs(d.modules) do
  if not exports[mod] then problem("module %s: documented, no such file in lua/keytime/", mod) end
end

for _, p in ipairs(problems) do print("docs/lua-api.md vs runtime: " .. p) end
if #problems > 0 then
  print(#problems .. " differences")
  os.exit(1)
end
print("docs/lua-api.md matches the runtime")
