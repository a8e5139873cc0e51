-- SPDX-License-Identifier: GPL-2.0-or-later
-- Every event of a recording, one line each, from a fixed list of fields
-- (not keytime.lua's format, which may grow): what a replay delivers, for
-- comparing replays of the same recording across keytime versions.
local fields = { "kind", "time", "cpu", "pid", "tgid", "ppid", "comm", "filename", "argv",
    "argc", "argv_truncated", "old_pid", "ret", "exit_code", "signal", "core_dumped",
    "group_dead", "start_time", "child_pid", "child_tgid", "clone_flags", "state",
    "state_code", "stack_id", "kstack", "runtime" }

local function show(v)
    if type(v) == "table" then
        local parts = {}
        for i, x in ipairs(v) do parts[i] = string.format("%q", x) end
        return "[" .. table.concat(parts, ",") .. "]"
    elseif type(v) == "string" then
        return string.format("%q", v)
    end
    return tostring(v)
end

kt.on("*", function(e)
    local out = {}
    for _, f in ipairs(fields) do
        local v = e[f]
        if v ~= nil then out[#out + 1] = f .. "=" .. show(v) end
    end
    print(table.concat(out, " "))
end)
kt.on("end", function(s)
    print(("end duration=%d lost=%d"):format(s.duration, s.lost or 0))
end)
