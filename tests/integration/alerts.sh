# SPDX-License-Identifier: GPL-2.0-or-later
# The alert scripts (scripts/alerts/): each fires on a workload built to
# trigger it, with the right pids, durations, statuses and command lines,
# and stays silent on one that is not.
source "$(dirname "$0")/../lib/common.sh"
ALERTS="$TOP/scripts/alerts"

# run NAME SCRIPT ARGS...: keytime-run SCRIPT ARGS, output in $WORK/NAME.{out,err}
run() {
    local name=$1
    shift
    "$KT" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
    rc=$?
    [ $rc -eq 0 ] || fail "$name: keytime-run $* returned $rc: $(cat "$WORK/$name.err")"
}

# offcpu.lua: two threads off-CPU 300 ms (a sleep, a mutex), threshold 150 ms.
run offcpu "$ALERTS/offcpu.lua" --threshold-ms 150 -c "$TB/alert_offcpu $WORK/offcpu.m 300"
check check_alerts.lua offcpu "$WORK/offcpu.out" "$WORK/offcpu.m" 290 || fail "offcpu.lua did not report both threads"
# The same threads off-CPU 20 ms: silent at 150 ms, reported at 10 ms.
run offcpu_short "$ALERTS/offcpu.lua" --threshold-ms 150 -c "$TB/alert_offcpu $WORK/short.m 20"
check check_alerts.lua none "$WORK/offcpu_short.out" OFFCPU || fail "offcpu.lua fired below its threshold"
run offcpu_low "$ALERTS/offcpu.lua" --threshold-ms 10 -c "$TB/alert_offcpu $WORK/low.m 20"
check check_alerts.lua offcpu "$WORK/offcpu_low.out" "$WORK/low.m" 19 others &&
    check check_alerts.lua offcpu-over "$WORK/offcpu_low.out" 10 || fail "offcpu.lua at 10 ms on the 20 ms waits"

# forkrate.lua: a storm of 451 tasks (301 by the root, 150 by its child),
# then a trickle of 30 forks 20 ms apart; the limit is 100 per second.
run forkrate "$ALERTS/forkrate.lua" --max-per-sec 100 -c "$TB/alert_forks $WORK/storm.m burst 300"
check check_alerts.lua forkrate "$WORK/forkrate.out" "$WORK/forkrate.err" "$WORK/storm.m" 100 ||
    fail "forkrate.lua on a storm"
run forkrate_quiet "$ALERTS/forkrate.lua" --max-per-sec 100 -c "$TB/alert_forks $WORK/trickle.m steady 30 20"
check check_alerts.lua forkrate-quiet "$WORK/forkrate_quiet.out" "$WORK/forkrate_quiet.err" "$WORK/trickle.m" ||
    fail "forkrate.lua on a trickle"

# crashes.lua: exit 3 after exec, SIGSEGV, SIGTERM; and a run that ends well.
cmd="$TB/alert_crashes $WORK/crash.m crash"
run crashes "$ALERTS/crashes.lua" --follow -c "$cmd"
check check_alerts.lua crashes "$WORK/crashes.out" "$WORK/crash.m" "$cmd" || fail "crashes.lua on crashes"
run crashes_clean "$ALERTS/crashes.lua" --follow -c "$TB/alert_crashes $WORK/clean.m clean"
check check_alerts.lua none "$WORK/crashes_clean.out" CRASH || fail "crashes.lua reported a clean run"

# --help works; bad input is refused with an error, not a Lua traceback.
for s in offcpu forkrate crashes; do
    "$KT" "$ALERTS/$s.lua" --help >"$WORK/help" 2>&1 || fail "$s.lua --help failed: $(cat "$WORK/help")"
    grep -q "^Usage: $s.lua" "$WORK/help" || fail "$s.lua --help: $(cat "$WORK/help")"
done
for bad in "offcpu.lua --threshold-ms soon" "offcpu.lua --depth -1" "forkrate.lua --max-per-sec 0" "crashes.lua --bogus"; do
    set -- $bad
    "$KT" "$ALERTS/$1" "${@:2}" -c true >"$WORK/bad" 2>&1
    rc=$?
    [ $rc -eq 2 ] || fail "$bad: exit $rc, expected 2 (a usage error): $(cat "$WORK/bad")"
    [ "$(wc -l <"$WORK/bad")" -eq 1 ] && grep -q "^$1: .* (see --help)$" "$WORK/bad" || fail "$bad: not one line: $(cat "$WORK/bad")"
done

# --json: the same alerts as JSON lines, checked against the workloads' manifests.
m() { sed -n "s/^$2=//p" "$1"; }
run crashes_json "$ALERTS/crashes.lua" --json --follow -c "$TB/alert_crashes $WORK/cj.m crash"
root=$(m "$WORK/cj.m" root_pid)
for want in "$(m "$WORK/cj.m" exit3_child),\"ppid\":$root,.*\"exit_code\":3,\"signal\":0," \
            "$(m "$WORK/cj.m" segv_child),\"ppid\":$root,.*\"signal\":11,\"signame\":\"SIGSEGV\"" \
            "$(m "$WORK/cj.m" term_child),\"ppid\":$root,.*\"signal\":15,\"signame\":\"SIGTERM\""; do
    grep -qE "^\{\"event\":\"crash\",\"time\":[0-9]+,\"pid\":$want" "$WORK/crashes_json.out" ||
        fail "crashes.lua --json: no line /$want/: $(cat "$WORK/crashes_json.out")"
done
[ "$(wc -l <"$WORK/crashes_json.out")" -eq 3 ] || fail "crashes.lua --json: not 3 lines: $(cat "$WORK/crashes_json.out")"
grep -q "\"pid\":$(m "$WORK/cj.m" ok_child)," "$WORK/crashes_json.out" && fail "crashes.lua --json reported the child that exited 0"

run offcpu_json "$ALERTS/offcpu.lua" --json --threshold-ms 150 -c "$TB/alert_offcpu $WORK/oj.m 300"
main=$(m "$WORK/oj.m" main_pid)
for tid in $main $(m "$WORK/oj.m" worker_tid); do
    grep -qE "^\{\"event\":\"offcpu\",\"time\":[0-9]+,\"pid\":$tid,\"tgid\":$main,\"comm\":\"[^\"]+\",\"off_ns\":(29[0-9]{7}|[3-9][0-9]{8}|[0-9]{10,}),\"state\":\"[SD]\",\"state_name\":\"[a-z]+\",\"waker_pid\":[0-9]+,\"waker_comm\":\"[^\"]+\",\"waker_irq\":(true|false),\"stack\":\[\"" \
        "$WORK/offcpu_json.out" || fail "offcpu.lua --json: no ~300 ms line for thread $tid: $(cat "$WORK/offcpu_json.out")"
done
# the worker waited for the mutex the main thread held: the main thread woke it
grep -qE "\"pid\":$(m "$WORK/oj.m" worker_tid),.*\"waker_pid\":$main,\"waker_comm\":\"alert_offcpu\",\"waker_irq\":false" \
    "$WORK/offcpu_json.out" || fail "offcpu.lua --json: the worker not woken by the main thread: $(cat "$WORK/offcpu_json.out")"

run forkrate_json "$ALERTS/forkrate.lua" --json --max-per-sec 100 -c "$TB/alert_forks $WORK/fj.m burst 300"
# Which of the two parents made more in the alert's second depends on timing:
# both are named, with their counts.
grep -qE "^\{\"event\":\"forkrate\",\"time\":[0-9]+,\"tasks\":[0-9]{3,},\"max_per_sec\":100,\"top\":\[\{\"tgid\":" \
    "$WORK/forkrate_json.out" || fail "forkrate.lua --json: $(cat "$WORK/forkrate_json.out")"
for parent in root_pid sub_pid; do
    grep -qE "\{\"tgid\":$(m "$WORK/fj.m" $parent),\"comm\":\"alert_forks\",\"tasks\":[0-9]+,\"cmd\":\"[^\"]*alert_forks " "$WORK/forkrate_json.out" ||
        fail "forkrate.lua --json: the $parent is not among the top parents: $(cat "$WORK/forkrate_json.out")"
done
assert_no_probes_left
