-- SPDX-License-Identifier: GPL-2.0-or-later
-- counted.lua SCRIPT [ARGS]: a stock script (path from the top of the tree)
-- run unchanged with ARGS as its own arguments, plus bench/end_report.lua's
-- line on stderr at the end.
local here = kt.script:match("^(.*)/[^/]*$") or "."
local script = table.remove(kt.args, 1) or error("counted.lua: which script?")
dofile(here .. "/../" .. script)
dofile(here .. "/end_report.lua")
