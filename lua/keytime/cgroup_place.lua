-- SPDX-License-Identifier: GPL-2.0-or-later
-- Where a task runs, as people name it: its container, else its systemd
-- unit, else its cgroup v2 path; and how two such places differ.
--   local place = require "keytime.cgroup_place"
--   place.unit("/system.slice/nginx.service")          --> "nginx.service"
--   place.differs(child, parent)                        --> "unit", "nginx.service"
-- A place is a table with the event fields cgroup_id, cgroup (the path) and
-- container_id (the runtime finds the id in the path: see e.container_id).
local M = {}

-- Units whose cgroups hold processes (a slice only groups other units).
local UNIT_SUFFIXES = { service = true, scope = true, socket = true, mount = true, swap = true }

-- The deepest systemd unit in a cgroup path, and the path up to it
-- ("/user.slice/user-1000.slice/user@1000.service/app.slice/x.scope" -> "x.scope");
-- nil if none.
function M.unit(path)
  if not path then return nil end
  local name, upto
  for prefix, component in path:gmatch("()/([^/]+)") do
    local suffix = component:match("%.(%a+)$")
    if suffix and UNIT_SUFFIXES[suffix] then
      name, upto = component, path:sub(1, prefix + #component)
    end
  end
  return name, upto
end

-- How `place` differs from `from`: nil when they are the same cgroup (or
-- either is unknown); else the first that differs of "container" (with the
-- container id), "unit" (with the unit's name), or "cgroup" (with the path,
-- or "#id" when the path is unknown).
function M.differs(place, from)
  local id, other = place.cgroup_id, from.cgroup_id
  if not id or id == 0 or not other or other == 0 or id == other then return nil end
  if place.container_id and place.container_id ~= from.container_id then
    return "container", place.container_id
  end
  local unit, unit_path = M.unit(place.cgroup)
  if unit and select(2, M.unit(from.cgroup)) ~= unit_path then
    return "unit", unit
  end
  return "cgroup", place.cgroup or ("#" .. id)
end

return M
