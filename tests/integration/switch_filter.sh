# SPDX-License-Identifier: GPL-2.0-or-later
# The sched_switch probe caches its filter verdict per task; a change of
# targets made while a task keeps switching must still take effect at once:
# its onCPU/offCPU events start when it is added and stop when it is removed.
source "$(dirname "$0")/../lib/common.sh"

cat >"$WORK/switch.lua" <<'EOF'
-- arg 1: a tgid that switches every 20 ms; not a target until 300 ms in.
local tgid = tonumber(kt.args[1])
local added_at, removed_at
local before, while_added, after = 0, 0, 0
local function count(e)
  if e.tgid ~= tgid then return end
  if not added_at then
    before = before + 1
  elseif not removed_at then
    while_added = while_added + 1
  elseif e.time > removed_at + 1000000 then   -- 1 ms: a switch in flight
    after = after + 1
  end
end
kt.on("oncpu", count)
kt.on("offcpu", count)
kt.after(300, function() kt.filter:add_tgid(tgid); added_at = kt.now() end)
kt.after(900, function() kt.filter:remove_tgid(tgid); removed_at = kt.now() end)
kt.after(1500, function() kt.stop() end)
kt.on("end", function()
  print(("before=%d while_added=%d after=%d removed=%s"):format(
    before, while_added, after, tostring(removed_at ~= nil)))
end)
EOF

"$TB/ticker" & ticker=$!
: >"$WORK/err"   # empty first: wait_for must not read the last run's "attached"
"$KT" "$WORK/switch.lua" $ticker >"$WORK/out" 2>"$WORK/err" & tracer=$!
wait_pid $tracer 30 || fail "tracer did not end"
kill $ticker 2>/dev/null; wait $ticker 2>/dev/null
[ $status -eq 0 ] || fail "tracer exited $status: $(cat "$WORK/err")"
line=$(cat "$WORK/out")
[[ $line =~ before=([0-9]+)\ while_added=([0-9]+)\ after=([0-9]+)\ removed=true ]] ||
    fail "expected a 'before=N while_added=N after=N removed=true' line, got: $line"
[ "${BASH_REMATCH[1]}" -eq 0 ] || fail "switch events before the target was added: $line"
[ "${BASH_REMATCH[2]}" -ge 10 ] || fail "expected >= 10 switch events while targeted (a tick every 20 ms for 600 ms): $line"
[ "${BASH_REMATCH[3]}" -eq 0 ] || fail "switch events after the target was removed: $line"
assert_no_probes_left
