-- SPDX-License-Identifier: GPL-2.0-or-later
-- buildid.lua SCRIPT [ARGS] (through counted.lua): a stock script run
-- unchanged, its user stacks then taken by build-id in the kernel
-- (kt.filter.ustacks = "buildid") rather than by address: the bench rows
-- of what that choice costs.
local here = kt.script:match("^(.*)/[^/]*$") or "."
local script = table.remove(kt.args, 1) or error("buildid.lua: which script?")
dofile(here .. "/../" .. script)
if kt.filter.ustacks then kt.filter.ustacks = "buildid" end
