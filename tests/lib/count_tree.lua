-- SPDX-License-Identifier: GPL-2.0-or-later
-- For big_tree.sh: what keytime saw of bomb's tree, on one line at the end.
local forks, exits, last_exec, reported = 0, 0, "no", 0
kt.on("fork", function(e) forks = forks + 1 end)
kt.on("exit", function(e) if e.pid ~= e.tgid or e.tgid ~= kt.opts.tgid then exits = exits + 1 end end)
kt.on("exec", function(e)
  if e.argv[2] == "bomb-last" then last_exec = "yes" end
end)
kt.on("lost", function(new, total, what)
  if what == "untraced" then reported = total end
end)
kt.on("end", function()
  local s = kt.stats()
  local r = s.untraced_by_reason
  print(string.format("forks %d exits %d last_exec %s untraced %d filter_full %d filter_error %d children_full %d reported %d lost %d",
    forks, exits, last_exec, s.untraced, r.filter_full, r.filter_error, r.children_full, reported, s.lost))
end)
