# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input: a one-line error naming the problem and a non-zero exit, never
# a crash, and nothing left attached.
source "$(dirname "$0")/../lib/common.sh"

# expect_error STATUS PATTERN -- command...: exits STATUS, stderr matches PATTERN.
expect_error() {
    local want=$1 pattern=$2 rc
    shift 3
    "$@" >"$WORK/out" 2>"$WORK/err"; rc=$?
    [ $rc -eq "$want" ] || fail "'$*' exited $rc, expected $want; stderr: $(cat "$WORK/err")"
    grep -qE "$pattern" "$WORK/err" || fail "'$*': stderr lacks /$pattern/: $(cat "$WORK/err")"
    [ $rc -lt 128 ] || fail "'$*' crashed (status $rc)"
}

expect_error 1 "^keytime-run: cannot read script /nonexistent.lua: No such file" -- "$KT" /nonexistent.lua --all
expect_error 2 "^keytime-run: no script given" -- "$KT" --tgid 1
expect_error 2 "^keytime-run: unknown option --bogus" -- "$KT" --bogus x.lua
expect_error 2 "^keytime-run: --pid needs a thread id" -- "$KT" "$TOP/scripts/keytime.lua" --pid abc
expect_error 2 "^keytime-run: choose one target" -- "$KT" "$TOP/scripts/keytime.lua" --pid 1 --all

# A pid that does not exist.
free=$(free_pid)
expect_error 1 "^keytime-run: no such process: $free$" -- "$KT" "$TOP/scripts/keytime.lua" --tgid $free

# Lua syntax error: file:line.
printf 'kt.on("exec_enter", function(e)\n  print(e.pid\nend)\n' >"$WORK/syntax.lua"
expect_error 1 "^keytime-run: $WORK/syntax.lua:3: " -- "$KT" "$WORK/syntax.lua" --all

# Runtime error in the main chunk and in a handler: file:line and a traceback.
printf 'local x = nil\nlocal y = x.field\n' >"$WORK/main_error.lua"
expect_error 1 "^keytime-run: $WORK/main_error.lua:2: attempt to index" -- "$KT" "$WORK/main_error.lua" --all
grep -q "stack traceback" "$WORK/err" || fail "no traceback: $(cat "$WORK/err")"

printf 'local function boom(e)\n  error("handler failed for " .. e.name)\nend\nkt.on("exec_enter", boom)\n' >"$WORK/handler_error.lua"
expect_error 1 "^keytime-run: $WORK/handler_error.lua:2: handler failed for exec_enter" -- "$KT" "$WORK/handler_error.lua" -c /bin/true
grep -q "in function 'boom'\|in local 'boom'\|in upvalue 'boom'\|handler_error.lua:2: in" "$WORK/err" || fail "traceback lacks the handler: $(cat "$WORK/err")"

# An unknown event name, and an event object kept past its handler.
printf 'kt.on("forks", print)\n' >"$WORK/bad_event.lua"
expect_error 1 "unknown event 'forks'" -- "$KT" "$WORK/bad_event.lua" --all
printf 'local kept\nkt.on("exec_enter", function(e) kept = e end)\nkt.on("end", function() print(kept.pid) end)\n' >"$WORK/kept.lua"
expect_error 1 "event used outside its handler" -- "$KT" "$WORK/kept.lua" -c /bin/true

# A script's own usage error (argparse) ends the run with status 2, cleanly.
expect_error 2 "^keytime.lua: unknown option '--nope' \\(see --help\\)$" -- "$KT" "$TOP/scripts/keytime.lua" --nope -c /bin/true

# Not root: a one-line explanation.
if command -v setpriv >/dev/null; then
    expect_error 1 "^keytime-run: must run as root" -- setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$KT" "$TOP/scripts/keytime.lua" --all
fi

# A command that cannot be run: the tracer reports the child's status 127.
expect_error 127 "cannot run /nonexistent/cmd" -- "$KT" "$TOP/scripts/keytime.lua" -c /nonexistent/cmd

assert_no_probes_left
