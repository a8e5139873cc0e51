-- SPDX-License-Identifier: GPL-2.0-or-later
-- keytime_counted.lua: scripts/keytime.lua unchanged (its arguments too),
-- plus bench/end_report.lua's line on stderr at the end.
local here = kt.script:match("^(.*)/[^/]*$") or "."
dofile(here .. "/../scripts/keytime.lua")
dofile(here .. "/end_report.lua")
