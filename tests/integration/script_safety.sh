# A script cannot hurt the tracer: handler errors are shown once and counted
# (or end the run with --strict), a handler that never returns or eats
# memory is stopped with file:line, and a script others can write is refused.
source "$(dirname "$0")/../lib/common.sh"
chmod 755 "$WORK"

# The same error 3 times (one per fork of the workload), tracing goes on.
cat >"$WORK/flaky.lua" <<'LUA'
local execs = 0
kt.on("fork", function(e) error("no luck with " .. e.child_pid // e.child_pid) end)
kt.on("exec_exit", function(e) execs = execs + 1 end)
kt.on("end", function() print("execs " .. execs) end)
LUA
"$KT" "$WORK/flaky.lua" --follow -c "$TB/lifecycle $WORK/m1" >"$WORK/out" 2>"$WORK/err"
rc=$?; [ $rc -eq 1 ] || fail "handler errors: exit $rc, expected 1: $(cat "$WORK/err")"
[ "$(grep -c "flaky.lua:2: no luck with 1" "$WORK/err")" -eq 1 ] || fail "the error was not shown exactly once: $(cat "$WORK/err")"
grep -q "^keytime-run: 3 errors in handlers (1 distinct); tracing went on" "$WORK/err" || fail "no error count: $(cat "$WORK/err")"
grep -qx "execs 5" "$WORK/out" || fail "tracing did not go on after the errors: $(cat "$WORK/out")"

# --strict: the first error ends the run.
"$KT" "$WORK/flaky.lua" --strict --follow -c "$TB/lifecycle $WORK/m2" >"$WORK/out" 2>"$WORK/err"
rc=$?; [ $rc -eq 1 ] || fail "--strict: exit $rc"
grep -q "errors in handlers" "$WORK/err" && fail "--strict went on: $(cat "$WORK/err")"
[ -s "$WORK/out" ] && fail "--strict ran the end hook after an error: $(cat "$WORK/out")"

# A handler that never returns: stopped by the watchdog, with its line.
printf 'kt.on("exec_exit", function(e)\n  local n = 0\n  while true do n = n + 1 end\nend)\n' >"$WORK/spin.lua"
start=$(date +%s)
"$KT" "$WORK/spin.lua" --handler-timeout 1 -c "sleep 31.7" >"$WORK/out" 2>"$WORK/err"
rc=$?; [ $rc -eq 1 ] || fail "runaway handler: exit $rc: $(cat "$WORK/err")"
grep -q "spin.lua:3: the script ran for more than 1 s without returning: stopped" "$WORK/err" || fail "runaway message: $(cat "$WORK/err")"
[ $(($(date +%s) - start)) -lt 15 ] || fail "the runaway handler was stopped late"
pgrep -f "^sleep 31.7$" >/dev/null && fail "the -c child outlived a stopped script"

# A handler that eats memory: stopped at the limit, with its line.
printf 'local keep = {}\nkt.on("exec_exit", function(e)\n  while true do keep[#keep + 1] = string.rep("x", 4096) .. #keep end\nend)\n' >"$WORK/hog.lua"
"$KT" "$WORK/hog.lua" --memory-limit 32 -c /bin/true >"$WORK/out" 2>"$WORK/err"
rc=$?; [ $rc -eq 1 ] || fail "memory hog: exit $rc: $(cat "$WORK/err")"
grep -q "hog.lua:3: memory limit of 32 MB reached: script stopped" "$WORK/err" || fail "memory message: $(cat "$WORK/err")"

# A script other users can write is refused, unless asked for.
printf 'kt.on("end", function() print("ran") end)\n' >"$WORK/open.lua"
chmod 666 "$WORK/open.lua"
"$KT" "$WORK/open.lua" -c /bin/true >"$WORK/out" 2>"$WORK/err" && fail "a world-writable script ran"
grep -q "refusing to run $WORK/open.lua: other users can write it" "$WORK/err" || fail "writable-script message: $(cat "$WORK/err")"
"$KT" "$WORK/open.lua" --unsafe-script -c /bin/true >"$WORK/out" 2>"$WORK/err" || fail "--unsafe-script: $(cat "$WORK/err")"
grep -qx ran "$WORK/out" || fail "--unsafe-script did not run the script"
assert_no_probes_left
