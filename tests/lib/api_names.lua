-- SPDX-License-Identifier: GPL-2.0-or-later
-- Run under keytime-run by tests/integration/docs.sh: writes every name the
-- runtime really exposes to Lua, one "section name [detail]" line each, for
-- tests/lib/check_docs.lua to compare with docs/lua-api.md.
--   keytime-run api_names.lua OUT_FILE TOP [full]
-- "full" (with -c WORKLOAD --follow): also every event kind's fields, seen
-- on real events; without it only kt, its options and the filter.
local out_path, top, full = kt.args[1], kt.args[2], kt.args[3] == "full"
local out = assert(io.open(out_path, "w"))
local function put(...) out:write(table.concat({ ... }, " "), "\n") end

-- Names a C object may answer to: every string literal of its source file.
-- An event cannot be walked with pairs(); asking it for each literal finds
-- every name it answers to.
local function literals(file)
  local f = assert(io.open(top .. "/runtime/" .. file))
  local src = f:read("a")
  f:close()
  local names = {}
  for s in src:gmatch('"([%a_][%w_]*)"') do names[s] = true end
  return names
end

for name, v in pairs(kt) do put("kt", name, type(v)) end
if arg == kt.args then put("global", "arg") end
for name in pairs(kt.opts) do put("opts", name) end
for name in pairs(kt.stats()) do put("stats", name) end
for name in pairs(kt.stats().by_kind) do put("by_kind", name) end
-- kt.filter is a userdata: pairs() walks its own table of names.
for name, v in pairs(kt.filter) do put("filter", name, type(v)) end

-- kt.on: the names its error message offers, and whether each is accepted.
local _, msg = pcall(kt.on, "no_such_event", function() end)
local offered = assert(msg:match("%(events: (.-)%)"), "kt.on's error lists no events: " .. msg)
for name in offered:gmatch("[^,%s]+") do
  local ok, sub = pcall(kt.on, name, function() end)
  put("on", name, ok and "accepted" or "refused")
  if ok and type(sub) == "table" then
    put("subscription_off", tostring(type(sub.off) == "function"))
    sub:off()
  end
end
local timer = kt.after(60000, function() end)
put("timer_cancel", tostring(type(timer.cancel) == "function"))
timer:cancel()

-- Helper modules: what each lua/keytime/*.lua exports.
local ls = io.popen("ls '" .. top .. "/lua/keytime'")
for file in ls:lines() do
  local mod = file:match("^(.+)%.lua$")
  if mod then
    for name in pairs(require("keytime." .. mod)) do put("module", "keytime." .. mod, name) end
  end
end
ls:close()

if not full then
  out:close()
  kt.stop()
  return
end

local event_names = literals("lua_event.c")   -- its methods
for name in pairs(literals("event_fields.c")) do event_names[name] = true end   -- the fields
local seen, listed = {}, false
-- wakeup events, onCPU's run-queue fields and user stacks are asked for, not in "*"
kt.filter.runq = true
kt.filter.ustacks = true
kt.on("wakeup", function() end)
local put_once = {}
local function put_new(...)
  local line = table.concat({ ... }, " ")
  if not put_once[line] then put_once[line] = true; put(...) end
end
kt.on("*", function(e)
  if not listed then
    listed = true
    for _, t in ipairs(kt.filter:list()) do
      for name in pairs(t) do put("list", name) end
    end
  end
  if not seen[e.kind] then
    seen[e.kind] = true
    put("kind", e.kind, e.name)
  end
  -- every event: some fields are there only on some (runq_latency)
  for name in pairs(event_names) do
    if e[name] ~= nil then put_new("event", e.kind, name) end
  end
  for name in pairs(e:totable()) do put_new("totable", e.kind, name) end
end)
kt.on("end", function()
  for kind in pairs(kt.stats().by_kind) do
    if not seen[kind] then put("unseen", kind) end
  end
  out:close()
end)
