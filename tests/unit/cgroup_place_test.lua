-- SPDX-License-Identifier: GPL-2.0-or-later
-- Unit tests of lua/keytime/cgroup_place.lua: a cgroup path's systemd unit,
-- and how two places differ (run with lua5.4, no tracer needed).
local t = dofile((arg[0]:match("^(.*)/") or ".") .. "/../lib/unit.lua")
local eq = t.eq
local place = require "keytime.cgroup_place"

local function pair(a, b) return tostring(a) .. " " .. tostring(b) end

-- ---- the unit in a path: the deepest service, scope, socket, mount or swap ------
eq(pair(place.unit("/system.slice/nginx.service")), "nginx.service /system.slice/nginx.service", "a service")
eq(pair(place.unit("/system.slice/foo.service/payload")), "foo.service /system.slice/foo.service",
   "a cgroup a service made below its own")
eq(pair(place.unit("/user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope")),
   "run-r1.scope /user.slice/user-1000.slice/user@1000.service/app.slice/run-r1.scope", "the deepest unit")
eq(pair(place.unit("/system.slice/getty@tty1.service")), "getty@tty1.service /system.slice/getty@tty1.service",
   "a template's instance")
eq(place.unit("/user.slice/user-1000.slice"), nil, "slices only: no unit")
eq(place.unit("/kt-test-1/a"), nil, "a plain cgroup")
eq(place.unit("/"), nil, "the root")
eq(place.unit(nil), nil, "no path")

-- ---- differences: container first, then unit, then the cgroup ----------------------
local ID1, ID2 = ("1"):rep(64), ("2"):rep(64)
local host = { cgroup_id = 1, cgroup = "/system.slice/podman.service" }
local ctr1 = { cgroup_id = 2, cgroup = "/machine.slice/libpod-" .. ID1 .. ".scope", container_id = ID1 }
local ctr1_sub = { cgroup_id = 3, cgroup = "/machine.slice/libpod-" .. ID1 .. ".scope/container", container_id = ID1 }
local ctr2 = { cgroup_id = 4, cgroup = "/machine.slice/libpod-" .. ID2 .. ".scope", container_id = ID2 }
local nginx = { cgroup_id = 5, cgroup = "/system.slice/nginx.service" }
local nginx_sub = { cgroup_id = 6, cgroup = "/system.slice/nginx.service/worker" }
local plain = { cgroup_id = 7, cgroup = "/kt/a" }
local gone = { cgroup_id = 8 }

eq(pair(place.differs(ctr1, host)), "container " .. ID1, "into a container")
eq(pair(place.differs(ctr2, ctr1)), "container " .. ID2, "into another container")
eq(pair(place.differs(ctr1_sub, ctr1)), "cgroup " .. ctr1_sub.cgroup, "a cgroup below its container's")
eq(pair(place.differs(nginx, host)), "unit nginx.service", "into another unit")
eq(pair(place.differs(host, ctr1)), "unit podman.service", "out of a container, into a unit")
eq(pair(place.differs(nginx_sub, nginx)), "cgroup /system.slice/nginx.service/worker", "below its unit's cgroup")
eq(pair(place.differs(plain, nginx)), "cgroup /kt/a", "out of a unit, into a plain cgroup")
eq(pair(place.differs(gone, plain)), "cgroup #8", "a path not known: its id")
eq(place.differs(nginx, { cgroup_id = 5, cgroup = "/system.slice/nginx.service" }), nil, "the same cgroup")
eq(place.differs(nginx, {}), nil, "the other's cgroup unknown")
eq(place.differs({ cgroup_id = 0 }, nginx), nil, "id 0: unknown (an old recording)")

t.done("cgroup_place")
