# SPDX-License-Identifier: GPL-2.0-or-later
# Handles with identity (issue 14): kt.on subscriptions removed or added
# from inside handlers (of any kind, "*", end/lost/targets), and timer
# handles that stay bound to their own timer after its slot is reused.
# The events come from alert_forks: "steady N 0" forks exactly N children,
# one after another, so every "fork" handler that stays on sees N events.
source "$(dirname "$0")/../lib/common.sh"
require_probes

FORKS=6
run_forks() {   # script: runs it on the workload, the output in $WORK/out
    "$KT" "$1" --follow -c "$TB/alert_forks $WORK/m steady $FORKS 0" >"$WORK/out" 2>"$WORK/err"
    local rc=$?
    [ $rc -eq 0 ] || fail "$(basename "$1"): exit status $rc: $(cat "$WORK/err")"
    ! grep -qi "error" "$WORK/err" || fail "$(basename "$1"): handler error: $(cat "$WORK/err")"
    grep -q "^root_children=$FORKS$" "$WORK/m" || fail "the workload did not fork $FORKS: $(cat "$WORK/m")"
}
expect_out() {   # what, expected line
    grep -qx "$2" "$WORK/out" || fail "$1: expected '$2', got: $(cat "$WORK/out") $(cat "$WORK/err")"
}

# 1. A handler removes itself on the third fork; the handler after it still
# sees every fork (it used to be skipped once, then Lua called nil).
cat >"$WORK/self.lua" <<'LUA'
local a, b, sub = 0, 0, nil
sub = kt.on("fork", function() a = a + 1; if a == 3 then assert(sub:off() == true) end end)
kt.on("fork", function() b = b + 1 end)
kt.on("end", function() print(("a=%d b=%d again=%s"):format(a, b, tostring(sub:off()))) end)
LUA
run_forks "$WORK/self.lua"
expect_out "off() of self" "a=3 b=$FORKS again=false"

# 2. Removing another handler of the same event from inside a handler: one
# registered after it (not called again, not even in that dispatch) and one
# registered before it (it already ran in that dispatch).
cat >"$WORK/other.lua" <<'LUA'
local a, b, c = 0, 0, 0
local sa, sb
sa = kt.on("fork", function() a = a + 1; if a == 2 then sb:off() end end)
sb = kt.on("fork", function() b = b + 1 end)
kt.on("fork", function() c = c + 1; if c == 4 then sa:off() end end)
kt.on("end", function() print(("a=%d b=%d c=%d"):format(a, b, c)) end)
LUA
run_forks "$WORK/other.lua"
expect_out "off() of another handler" "a=4 b=1 c=$FORKS"

# 3. Handlers added from inside a handler first see the next event: a "fork"
# handler and a "*" handler (the "*" list is dispatched after the kind's own,
# still for the event that added it) added at the third fork see 3 forks each.
# The same function registered twice is two subscriptions: off() of one
# leaves the other.
cat >"$WORK/add.lua" <<'LUA'
local a, d, star, twice = 0, 0, 0, 0
local function count_twice() twice = twice + 1 end
kt.on("fork", function()
  a = a + 1
  if a == 3 then
    kt.on("fork", function() d = d + 1 end)
    kt.on("*", function(e) if e.kind == "fork" then star = star + 1 end end)
    local s1 = kt.on("fork", count_twice)
    kt.on("fork", count_twice)
    assert(s1:off() == true)
  end
end)
kt.on("end", function() print(("a=%d d=%d star=%d twice=%d"):format(a, d, star, twice)) end)
LUA
run_forks "$WORK/add.lua"
expect_out "handlers added in a handler" "a=$FORKS d=$((FORKS - 3)) star=$((FORKS - 3)) twice=$((FORKS - 3))"

# 4. A "*" handler removes itself at the second fork; the "*" handler after
# it and the kind's own handler see every fork.
cat >"$WORK/star.lua" <<'LUA'
local k, x, y, sx = 0, 0, 0, nil
kt.on("fork", function() k = k + 1 end)
sx = kt.on("*", function(e) if e.kind == "fork" then x = x + 1; if x == 2 then sx:off() end end end)
kt.on("*", function(e) if e.kind == "fork" then y = y + 1 end end)
kt.on("end", function() print(("k=%d x=%d y=%d"):format(k, x, y)) end)
LUA
run_forks "$WORK/star.lua"
expect_out "\"*\" handler removing itself" "k=$FORKS x=2 y=$FORKS"

# 5. end/lost/targets subscriptions have :off(); an end handler removing
# itself and one after it in the same dispatch.
cat >"$WORK/simple.lua" <<'LUA'
local sl = kt.on("lost", function() end)
local st = kt.on("targets", function() end)
local gone = kt.on("end", function() print("removed end handler ran") end)
print(("off lost=%s targets=%s end=%s again=%s"):format(tostring(sl:off()), tostring(st:off()),
  tostring(gone:off()), tostring(gone:off())))
local se
se = kt.on("end", function() print(("end1 off=%s"):format(tostring(se:off()))) end)
kt.on("end", function() print("end2") end)
kt.on("end", function() print(("end3 off=%s"):format(tostring(se:off()))) end)
LUA
run_forks "$WORK/simple.lua"
expect_out "end/lost/targets :off()" "off lost=true targets=true end=true again=false"
expect_out "end handler removing itself" "end1 off=true"
expect_out "end handler after it" "end2"
expect_out "off() again in the same dispatch" "end3 off=false"
! grep -q "removed end handler ran" "$WORK/out" || fail "a removed end handler ran: $(cat "$WORK/out")"

# 6. Timers: a one-shot timer that fired frees its slot; a new kt.every takes
# it, and cancelling the fired one-shot's handle returns false and must not
# stop the new timer. kt.every(100) watched for 1000 ms ticks 10 times on an
# idle machine (the watcher, created at the same instant in a later slot,
# runs after the 10th tick); the loop catches up without a burst, so a busy
# machine that stalls it loses ticks: 5..11 allows stalls of up to 500 ms in
# all, and is far from the 0 of a cancelled timer.
cat >"$WORK/timers.lua" <<'LUA'
local fired = false
local once = kt.after(10, function() fired = true end)
kt.after(200, function()
  local ticks = 0
  local every = kt.every(100, function() ticks = ticks + 1 end)
  local r = once:cancel()
  kt.after(1000, function()
    local c1, c2 = every:cancel(), every:cancel()
    print(("fired=%s cancel_fired=%s ticks=%d cancel=%s cancel_again=%s"):format(
      tostring(fired), tostring(r), ticks, tostring(c1), tostring(c2)))
    kt.stop()
  end)
end)
local pending = kt.after(60000, function() print("cancelled timer fired") end)
assert(pending:cancel() == true and pending:cancel() == false)
LUA
"$KT" "$WORK/timers.lua" -t 30 >"$WORK/out" 2>"$WORK/err" || fail "timers: $(cat "$WORK/err")"
grep -qE "^fired=true cancel_fired=false ticks=([5-9]|1[01]) cancel=true cancel_again=false$" "$WORK/out" ||
    fail "timers: $(cat "$WORK/out") $(cat "$WORK/err")"
! grep -q "cancelled timer fired" "$WORK/out" || fail "a cancelled timer fired"

assert_no_probes_left
echo ok
