# SPDX-License-Identifier: GPL-2.0-or-later
# Output written in blocks to a pipe or a file reaches it whole on every way
# the run ends: the target's end, SIGINT/SIGTERM/SIGHUP, a script error, and
# while the run goes on (each drain writes what the script printed). A
# terminal gets each line as it is written.
source "$(dirname "$0")/../lib/common.sh"

# N lines of 100 bytes from the main chunk (more than a block), then END_HOW.
cat >"$WORK/lines.lua" <<'LUA'
local n, how = tonumber(kt.args[1]), kt.args[2]
for i = 1, n do io.write(("%08d"):format(i), ("x"):rep(91), "\n") end
kt.on("exec", function() end)
if how == "error" then error("the script fails here") end
if how == "exit" then os.exit(3) end
if how == "end" then kt.on("end", function() io.write("the end\n") end) end
LUA
count_ok() {   # FILE N: N whole lines, the last one N
    [ "$(grep -c 'x$' "$1")" -eq "$2" ] && tail -n1 "$1" | grep -q "^$(printf %08d "$2")x" ||
        fail "$3: $(wc -l <"$1") lines, the last $(tail -c 120 "$1" | tail -n1 | cut -c1-20)"
}
"$KT" "$WORK/lines.lua" 20000 error -c /bin/true | cat >"$WORK/out" 2>/dev/null
count_ok "$WORK/out" 20000 "a script error"
"$KT" "$WORK/lines.lua" 20000 exit -c /bin/true >"$WORK/out" 2>/dev/null
count_ok "$WORK/out" 20000 "os.exit"
"$KT" "$WORK/lines.lua" 20000 end -c /bin/true | cat >"$WORK/out" 2>/dev/null
[ "$(tail -n1 "$WORK/out")" = "the end" ] || fail "the end hook's line is missing"
for sig in INT TERM HUP; do
    : >"$WORK/err"
    "$KT" "$WORK/lines.lua" 20001 live -c "sleep 30" >"$WORK/fifo_out" 2>"$WORK/err" &
    tracer=$!
    wait_for "$WORK/err" "attached" 10 || fail "SIG$sig: the tracer did not start"
    # Written while the run goes on: by the first drain, not at the end.
    for ((i = 0; i < 100; i++)); do [ "$(grep -c 'x$' "$WORK/fifo_out")" -eq 20001 ] && break; sleep 0.05; done
    count_ok "$WORK/fifo_out" 20001 "SIG$sig: before the signal"
    kill -$sig $tracer
    wait_pid $tracer 10 || fail "SIG$sig: the tracer did not end"
    count_ok "$WORK/fifo_out" 20001 "SIG$sig: after the signal"
done

# A terminal: each line as it is written (script(1) gives keytime-run a pty).
if command -v script >/dev/null; then
    cat >"$WORK/tick.lua" <<'LUA'
io.write("first line\n")
kt.after(3000, function() kt.stop() end)
LUA
    script -qfc "'$KT' '$WORK/tick.lua' -c 'sleep 30'" /dev/null >"$WORK/tty" 2>&1 &
    tty_pid=$!
    wait_for "$WORK/tty" "first line" $((2 * TIME_SCALE)) || fail "a terminal did not get the line before the run ended"
    wait_pid $tty_pid 30 || fail "the run on a terminal did not end"
fi
assert_no_probes_left
