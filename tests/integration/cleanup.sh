# SPDX-License-Identifier: GPL-2.0-or-later
# Ending the run any way (Ctrl-C, SIGTERM, SIGHUP, a script error, a slow
# handler interrupted, SIGKILL) leaves no probe attached and no -c child.
source "$(dirname "$0")/../lib/common.sh"

# start_tracer SCRIPT [OPTIONS]: keytime-run SCRIPT OPTIONS -c 'sleep 30'; sets tracer and child.
start_tracer() {
    : >"$WORK/err"   # empty first: wait_for must not read the last run's "attached"
    "$KT" "$@" -c "sleep 30" >"$WORK/out" 2>"$WORK/err" & tracer=$!
    wait_for "$WORK/err" "attached" 30 || fail "tracer did not attach"
    child=""
    for ((i = 0; i < 100; i++)); do
        child=$(pgrep -P $tracer -x sleep || true)
        [ -n "$child" ] && break
        sleep 0.05
    done
    [ -n "$child" ] || fail "no sleep child under the tracer"
}

expect_gone() {   # what
    wait_pid $tracer 10 || fail "$1: tracer still running"
    for ((i = 0; i < 100; i++)); do kill -0 "$child" 2>/dev/null || break; sleep 0.05; done
    ! kill -0 "$child" 2>/dev/null || fail "$1: -c child $child left running"
    assert_no_probes_left
}

for sig in INT TERM HUP; do
    start_tracer "$TOP/scripts/keytime.lua"
    kill -$sig $tracer
    expect_gone "SIG$sig"
    [ $status -eq 0 ] || fail "SIG$sig: tracer exited $status: $(cat "$WORK/err")"
done

# A handler stuck in a loop is interrupted by Ctrl-C (no watchdog: on a slow
# machine it could stop the handler first).
printf 'kt.on("*", function(e) while true do end end)\n' >"$WORK/stuck.lua"
start_tracer "$WORK/stuck.lua" --handler-timeout 0
sleep 0.3
kill -INT $tracer
expect_gone "stuck handler"
grep -q "interrupted" "$WORK/err" || fail "stuck handler: no 'interrupted' message: $(cat "$WORK/err")"

# With --strict, a script error in a timer ends the run with status 1 and
# cleans up. The timer starts at the command's exec, so its sleep is
# there to be found first, on a slow machine too.
printf 'kt.on("exec", function() kt.after(1000, function() error("late failure") end) end)\n' >"$WORK/late.lua"
start_tracer "$WORK/late.lua" --strict
expect_gone "script error"
[ $status -eq 1 ] || fail "script error: tracer exited $status"
grep -q "late.lua:1: late failure" "$WORK/err" || fail "script error not reported: $(cat "$WORK/err")"

# SIGKILL: the kernel closes our links; the child dies with its parent. The
# pins stay until the next keytime-run or keytime-ctl sees their tracer gone.
start_tracer "$TOP/scripts/keytime.lua"
kill -KILL $tracer
wait_pid $tracer 10 || fail "SIGKILL: tracer still running"
[ -e /sys/fs/bpf/keytime/$tracer ] || fail "SIGKILL: no pins left to clean (expected some)"
"$TOP/keytime-ctl" -l >/dev/null
expect_gone "SIGKILL"
