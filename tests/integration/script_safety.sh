# SPDX-License-Identifier: GPL-2.0-or-later
# A script cannot hurt the tracer: handler errors are shown once and counted
# (or end the run with --strict), a handler that never returns or eats
# memory is stopped with file:line, and a script (or module) that someone
# other than root and the invoking user could change is refused.
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
# (timeout: a watchdog that fails is a failure here, not a hung suite)
printf 'kt.on("exec_exit", function(e)\n  local n = 0\n  while true do n = n + 1 end\nend)\n' >"$WORK/spin.lua"
start=$(date +%s)
timeout 60 "$KT" "$WORK/spin.lua" --handler-timeout 1 -c "sleep 31.7" >"$WORK/out" 2>"$WORK/err"
rc=$?; [ $rc -eq 1 ] || fail "runaway handler: exit $rc: $(cat "$WORK/err")"
grep -q "spin.lua:3: the script ran for more than 1 s without returning: stopped" "$WORK/err" || fail "runaway message: $(cat "$WORK/err")"
[ $(($(date +%s) - start)) -lt 15 ] || fail "the runaway handler was stopped late"
pgrep -f "^sleep 31.7$" >/dev/null && fail "the -c child outlived a stopped script"

# ... also when its event is the one that wakes a tracer asleep after 3
# quiet seconds (the call then runs inside the poll that slept: on a slow
# guest kernel this once ran with no watchdog and never ended).
printf 'kt.on("exec", function(e)\n  if e.comm ~= "sleep" then return end\n  while true do end\nend)\n' >"$WORK/spin_asleep.lua"
start=$(date +%s)
timeout 60 "$KT" "$WORK/spin_asleep.lua" --handler-timeout 1 \
    -c "perl -e 'select(undef, undef, undef, 3); exec \"/bin/sleep\", \"31.8\"'" >"$WORK/out" 2>"$WORK/err"
rc=$?; [ $rc -eq 1 ] || fail "runaway handler woken from sleep: exit $rc: $(cat "$WORK/err")"
grep -q "spin_asleep.lua:3: the script ran for more than 1 s without returning: stopped" "$WORK/err" ||
    fail "runaway message after sleep: $(cat "$WORK/err")"
[ $(($(date +%s) - start)) -lt 40 ] || fail "the runaway handler woken from sleep was stopped late"
pgrep -f "^/bin/sleep 31.8$" >/dev/null && fail "the -c child outlived a stopped script (after sleep)"

# A handler that eats memory: stopped at the limit, with its line.
printf 'local keep = {}\nkt.on("exec_exit", function(e)\n  while true do keep[#keep + 1] = string.rep("x", 4096) .. #keep end\nend)\n' >"$WORK/hog.lua"
timeout 60 "$KT" "$WORK/hog.lua" --memory-limit 32 -c /bin/true >"$WORK/out" 2>"$WORK/err"
rc=$?; [ $rc -eq 1 ] || fail "memory hog: exit $rc: $(cat "$WORK/err")"
grep -q "hog.lua:3: memory limit of 32 MB reached: script stopped" "$WORK/err" || fail "memory message: $(cat "$WORK/err")"

# A script other users can write is refused, unless asked for.
printf 'kt.on("end", function() print("ran") end)\n' >"$WORK/open.lua"
chmod 666 "$WORK/open.lua"
"$KT" "$WORK/open.lua" -c /bin/true >"$WORK/out" 2>"$WORK/err" && fail "a world-writable script ran"
grep -qx "keytime-run: refusing to run $WORK/open.lua: $WORK/open.lua is writable by everyone; --unsafe-script runs it anyway" "$WORK/err" ||
    fail "writable-script message: $(cat "$WORK/err")"
"$KT" "$WORK/open.lua" --unsafe-script -c /bin/true >"$WORK/out" 2>"$WORK/err" || fail "--unsafe-script: $(cat "$WORK/err")"
grep -qx ran "$WORK/out" || fail "--unsafe-script did not run the script"

# ---- who may own and write a script and the folders above it -----------------
# runs DIR/FILE [ARGS...]: keytime-run ran it; refused DIR/FILE WHY [ARGS...]:
# refused with exactly "refusing to run DIR/FILE: WHY".
runs() {
    "$KT" "$@" -c /bin/true >"$WORK/out" 2>"$WORK/err" || fail "$1 was not run: $(cat "$WORK/err")"
    grep -qx ran "$WORK/out" || fail "$1 did not run: $(cat "$WORK/out")"
}
refused() {
    local script=$1 why=$2
    shift 2
    "$KT" "$script" "$@" -c /bin/true >"$WORK/out" 2>"$WORK/err" && fail "$script ran: $why"
    grep -qxF "keytime-run: refusing to run $script: $why; --unsafe-script runs it anyway" "$WORK/err" ||
        fail "for $script, expected '$why', got: $(cat "$WORK/err")"
    [ -s "$WORK/out" ] && fail "$script printed: $(cat "$WORK/out")"
    return 0
}
script() {   # script DIR: DIR/s.lua, printing "ran"
    mkdir -p "$1"
    printf 'kt.on("end", function() print("ran") end)\n' >"$1/s.lua"
}

# A tree made with umask 002 (root's files, group root: root's private
# group, with nobody else in it) runs; so does one made with umask 022.
[ -z "$(getent group root | cut -d: -f4)" ] || fail "this test needs group root without members: $(getent group root)"
(umask 002; script "$WORK/u002")
[ "$(stat -c %a "$WORK/u002/s.lua")" = 664 ] || fail "umask 002 made $(stat -c %a "$WORK/u002/s.lua")"
runs "$WORK/u002/s.lua"
(umask 022; script "$WORK/u022")
runs "$WORK/u022/s.lua"

# A world-writable folder on the path is refused, naming the folder; with
# the sticky bit, like /tmp, it is accepted (for a folder only).
script "$WORK/ww/sub"
chmod 777 "$WORK/ww"
refused "$WORK/ww/sub/s.lua" "$WORK/ww is a folder writable by everyone, without the sticky bit"
chmod 1777 "$WORK/ww"
runs "$WORK/ww/sub/s.lua"
chmod 1666 "$WORK/ww/sub/s.lua"
refused "$WORK/ww/sub/s.lua" "$WORK/ww/sub/s.lua is writable by everyone"
chmod 755 "$WORK/ww"

# Another user, in a group of their own with a member: created here, removed
# on exit (before common.sh's own EXIT trap, which is kept).
TU=kttrust$$
eval "set -- $(trap -p EXIT)"
trap 'userdel "$TU" 2>/dev/null; groupdel "$TU" 2>/dev/null; '"${3:-}" EXIT
groupadd "$TU" || fail "groupadd $TU"
useradd -M -N -g "$TU" -d /nonexistent -s /usr/sbin/nologin "$TU" || fail "useradd $TU"
tuid=$(id -u "$TU")

# Writable by a group someone else is in: the script, or a folder above it.
script "$WORK/grp"
chgrp "$TU" "$WORK/grp/s.lua"
chmod 664 "$WORK/grp/s.lua"
refused "$WORK/grp/s.lua" "$WORK/grp/s.lua is writable by group $TU (members: $TU)"
chmod 644 "$WORK/grp/s.lua"   # the group may read it
runs "$WORK/grp/s.lua"
script "$WORK/grpdir/sub"
chgrp "$TU" "$WORK/grpdir"
chmod 775 "$WORK/grpdir"
refused "$WORK/grpdir/sub/s.lua" "$WORK/grpdir is writable by group $TU (members: $TU)"

# Owned by another uid (not root): the script, or a folder above it; fine
# when that user is the one who ran sudo.
script "$WORK/theirs"
chown "$TU" "$WORK/theirs/s.lua"
refused "$WORK/theirs/s.lua" "$WORK/theirs/s.lua is owned by uid $tuid ($TU), not root or the invoking user"
SUDO_UID=$tuid runs "$WORK/theirs/s.lua"
SUDO_UID=$((tuid + 1)) refused "$WORK/theirs/s.lua" "$WORK/theirs/s.lua is owned by uid $tuid ($TU), not root or the invoking user"
script "$WORK/theirdir/sub"
chown "$TU" "$WORK/theirdir"
refused "$WORK/theirdir/sub/s.lua" "$WORK/theirdir is owned by uid $tuid ($TU), not root or the invoking user"
# ... and the user's own umask-002 tree, group-writable by their private group
chown -R "$TU:$TU" "$WORK/theirdir"
chmod -R g+w "$WORK/theirdir"
SUDO_UID=$tuid runs "$WORK/theirdir/sub/s.lua"

# --unsafe-script overrides each of these.
for s in grp/s.lua grpdir/sub/s.lua theirs/s.lua theirdir/sub/s.lua; do
    chmod 664 "$WORK/$s"
    runs "$WORK/$s" --unsafe-script
done

# A module keytime-run finds for a script (its folder's lua/) is held to the
# same rules: require fails, naming the module's file.
mkdir -p "$WORK/mod/lua"
printf 'return "module"\n' >"$WORK/mod/lua/trustmod.lua"
printf 'print((require "trustmod"))\nkt.on("end", function() print("ran") end)\n' >"$WORK/mod/s.lua"
runs "$WORK/mod/s.lua"
grep -qx module "$WORK/out" || fail "the module was not loaded: $(cat "$WORK/out")"
chown "$TU" "$WORK/mod/lua/trustmod.lua"
"$KT" "$WORK/mod/s.lua" -c /bin/true >"$WORK/out" 2>"$WORK/err" && fail "an untrusted module was loaded"
grep -qF "refusing to load $WORK/mod/lua/trustmod.lua: $WORK/mod/lua/trustmod.lua is owned by uid $tuid ($TU), not root or the invoking user; --unsafe-script loads it anyway" "$WORK/err" ||
    fail "untrusted-module message: $(cat "$WORK/err")"
runs "$WORK/mod/s.lua" --unsafe-script

# A real clone made with umask 002, with this keytime-run copied into it: its
# stock script and modules run.
(umask 002; git clone -q "$TOP" "$WORK/clone" && cp "$KT" "$WORK/clone/keytime-run") || fail "cannot clone $TOP"
[ "$(stat -c %a "$WORK/clone/scripts/keytime.lua")" = 664 ] || fail "the clone's files are $(stat -c %a "$WORK/clone/scripts/keytime.lua")"
(cd "$WORK/clone" && ./keytime-run scripts/keytime.lua -c /bin/true) >"$WORK/out" 2>"$WORK/err" ||
    fail "the umask-002 clone's keytime.lua: $(cat "$WORK/err")"
grep -q refusing "$WORK/err" && fail "the umask-002 clone was refused: $(cat "$WORK/err")"
assert_no_probes_left
