# SPDX-License-Identifier: GPL-2.0-or-later
# keytime-ctl drives a running tracer as the original controller did:
# activate, switch onCPU/offCPU, deactivate, retarget (with descendants:
# -f, as keytime-run's), finish (-F); bundled and attached short options;
# two tracers at once; a killed tracer's stale pins cleaned; clear errors.
source "$(dirname "$0")/../lib/common.sh"
CTL="$TOP/keytime-ctl"
"$TB/ticker" & t1=$!
"$TB/ticker" & t2=$!
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT

count() {   # FILE REGEX: matching lines
    grep -cE "$2" "$1" 2>/dev/null || true
}
# wait_count FILE REGEX N: until at least N lines match.
wait_count() {
    local i
    for ((i = 0; i < 400; i++)); do
        [ "$(count "$1" "$2")" -ge "$3" ] && return 0
        sleep 0.05
    done
    fail "timed out waiting for $3 lines /$2/ in $1 (have $(count "$1" "$2")); tail: $(tail -5 "$1")"
}

cat >"$WORK/watch.lua" <<'LUA'
-- JSON lines of lifecycle and switch events, and a line per policy change.
local cjson = require "cjson"
kt.on("*", function(e) print(cjson.encode({ event = e.name, pid = e.pid, tgid = e.tgid, ppid = e.ppid })) end)
kt.on("targets", function(list)
  local t = {}
  for _, x in ipairs(list) do t[#t + 1] = x.type .. ":" .. x.id end
  print("targets " .. table.concat(t, " "))
end)
LUA

# Errors first: no tracer running.
"$CTL" -a -P $t1 2>"$WORK/err" && fail "keytime-ctl succeeded with no tracer"
grep -q "^keytime-ctl: no keytime-run tracer is running$" "$WORK/err" || fail "no-tracer message: $(cat "$WORK/err")"

out="$WORK/a.out"
"$KT" "$WORK/watch.lua" >"$out" 2>"$WORK/a.err" & a=$!
wait_for "$WORK/a.err" "no target yet" || fail "tracer A did not start waiting"
[ -e /sys/fs/bpf/keytime/$a/targets ] || fail "tracer A pinned nothing under /sys/fs/bpf/keytime/$a"
[ "$(stat -c %a /sys/fs/bpf/keytime/$a)" = 700 ] || fail "pin directory is not root-only"
sleep 0.3
[ "$(count "$out" '"event"')" -eq 0 ] || fail "a deactivated tracer collected events: $(head -3 "$out")"

# -k 0 -p: a thread, lifecycle events only (bundled, values attached).
"$CTL" -ak0 -p$t1 || fail "activate -ak0 -p$t1"
wait_for "$out" "^targets pid:$t1$" || fail "the script did not see the new target"
wait_count "$out" "\"forkP_exit\".*\"pid\":$t1|\"pid\":$t1.*\"forkP_exit\"" 3
[ "$(count "$out" 'onCPU|offCPU')" -eq 0 ] || fail "-k 0 delivered on/off-CPU events"

# -k 1 -P: the thread group, with on/off-CPU events.
"$CTL" -k 1 -P $t1 -a || fail "activate -k 1 -P"
wait_count "$out" "onCPU.*\"tgid\":$t1|\"tgid\":$t1.*onCPU" 3
# Without -f, the ticker's children are not traced: their own exits never come.
[ "$(count "$out" "\"event\":\"exit\".*\"ppid\":$t1|\"ppid\":$t1.*\"event\":\"exit\"")" -eq 0 ] || fail "children traced without -f: $(grep -m3 "\"ppid\":$t1" "$out")"

# -d: nothing more arrives.
"$CTL" -d || fail "deactivate"
wait_for "$out" "^targets $" || fail "the script did not see the targets cleared"
sleep 0.2
n1=$(count "$out" '"event"'); sleep 0.5; n2=$(count "$out" '"event"')
[ "$n1" -eq "$n2" ] || fail "events kept coming after -d ($n1 then $n2)"

# Retarget to the other ticker with its descendants (-f): its events and its
# children's own exits (their parent is the ticker), none of the first's.
"$CTL" -afP $t2 || fail "retarget -afP"
wait_count "$out" "\"tgid\":$t2" 5
wait_count "$out" "\"event\":\"exit\".*\"ppid\":$t2|\"ppid\":$t2.*\"event\":\"exit\"" 2
mark=$(wc -l <"$out")
wait_count "$out" "\"tgid\":$t2" 20
tail -n +"$((mark + 1))" "$out" | grep -q "\"tgid\":$t1[,}]" && fail "events of the old target after retargeting"

# A second tracer: keytime-ctl needs -I to choose; each is driven alone.
"$KT" "$WORK/watch.lua" >"$WORK/b.out" 2>"$WORK/b.err" & b=$!
wait_for "$WORK/b.err" "no target yet" || fail "tracer B did not start"
"$CTL" -a -P $t1 2>"$WORK/err" && fail "keytime-ctl chose a tracer by itself among two"
grep -q "2 tracers are running ($a, $b): choose one with -I PID\|2 tracers are running ($b, $a)" "$WORK/err" || fail "two-tracer message: $(cat "$WORK/err")"
"$CTL" -l >"$WORK/list" || fail "-l"
# (its targets in the map's order: the ticker's followed children may come first)
grep -qE "^$a +yes .*watch.lua( .*)? tgid:$t2\+follow( |$)" "$WORK/list" || fail "-l lacks tracer A: $(cat "$WORK/list")"
grep -qE "^$b +no " "$WORK/list" || fail "-l lacks tracer B: $(cat "$WORK/list")"
"$CTL" -I $b -a -P $t1 -v >"$WORK/v" || fail "activate B"
grep -qE "^$b +yes .*tgid:$t1" "$WORK/v" || fail "-v did not show tracer B's new state: $(cat "$WORK/v")"
wait_count "$WORK/b.out" "\"tgid\":$t1" 5
grep -q "\"tgid\":$t2[,}]" "$WORK/b.out" && fail "tracer B got tracer A's target"

# -F: each ends cleanly, its end hook runs, its pins are gone.
"$CTL" -I$a -F || fail "finish A"
wait_pid $a 10 || fail "tracer A did not finish"
[ $status -eq 0 ] || fail "tracer A exited $status"
[ ! -e /sys/fs/bpf/keytime/$a ] || fail "tracer A left its pins"
"$CTL" --finish || fail "finish B (the only one left)"
wait_pid $b 10 || fail "tracer B did not finish"

# -t: a time limit from outside.
"$KT" "$WORK/watch.lua" >/dev/null 2>"$WORK/c.err" & c=$!
wait_for "$WORK/c.err" "no target yet" || fail "tracer C did not start"
"$CTL" -t 1 -a -P $t1 || fail "-t 1"
wait_pid $c 10 || fail "tracer C ignored its time limit"

# A killed tracer's pins are stale: the next keytime-ctl cleans them.
"$KT" "$WORK/watch.lua" >/dev/null 2>"$WORK/d.err" & d=$!
wait_for "$WORK/d.err" "no target yet" || fail "tracer D did not start"
kill -KILL $d; wait $d 2>/dev/null
[ -e /sys/fs/bpf/keytime/$d ] || fail "expected stale pins after SIGKILL"
"$CTL" -l >/dev/null
[ ! -e /sys/fs/bpf/keytime/$d ] || fail "stale pins of a killed tracer were not cleaned"

# Bad input.
"$CTL" -a -P 0 2>"$WORK/err"; [ $? -eq 2 ] || fail "-P 0 accepted"
free=$(free_pid)
"$CTL" -a -P $free 2>"$WORK/err" && fail "unknown pid accepted"
grep -q "no such process" "$WORK/err" || fail "unknown pid message: $(cat "$WORK/err")"
"$CTL" 2>"$WORK/err"; [ $? -eq 2 ] || fail "no action accepted"
# -f is --follow, as keytime-run's; -i is keytime-run's --interactive.
"$CTL" -f 2>"$WORK/err"; [ $? -eq 2 ] || fail "-f alone accepted"
grep -q "^keytime-ctl: -f (--follow) goes with -a and a target.*-F (--finish) ends" "$WORK/err" || fail "-f message: $(cat "$WORK/err")"
"$CTL" -i 5 -d 2>"$WORK/err"; [ $? -eq 2 ] || fail "-i accepted"
grep -q "choose the tracer with -I PID" "$WORK/err" || fail "-i message: $(cat "$WORK/err")"
"$CTL" -ak 2>"$WORK/err"; [ $? -eq 2 ] || fail "-ak without a value accepted"
grep -qx "keytime-ctl: -k needs a value (see --help)" "$WORK/err" || fail "-ak message: $(cat "$WORK/err")"
if command -v setpriv >/dev/null; then
    setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$CTL" -l 2>"$WORK/err" && fail "not root accepted"
    grep -q "must run as root" "$WORK/err" || fail "not-root message: $(cat "$WORK/err")"
fi
assert_no_probes_left
