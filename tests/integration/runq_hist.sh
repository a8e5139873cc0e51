# SPDX-License-Identifier: GPL-2.0-or-later
# Run-queue latency histograms kept in the kernel (kt.filter.runq_hist,
# kt.runq_hist, runqlat.lua live) against the kernel's own accounting and
# against the same histograms made from the onCPU events of the same run:
# two threads pinned to one CPU contending (tests/workload/wake.c runq),
# each thread's summed wait within 2% of its schedstat run_delay and its
# count of waits its count of runs; the same by cgroup, with the workload
# in two cgroups of the test's own; no onCPU record sent up for them; a
# full map counted and said; a recording replayed to the same bytes; bad
# input refused.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/cgroup.sh"
require_probes
use_cgroup2
make_test_cgroup a b
m() { sed -n "s/^$2=//p" "$1"; }

# runqlat.lua --threads --json, live: the kernel's histograms
"$KT" "$TOP/scripts/runqlat.lua" --threads --json -c "$TB/wake runq $WORK/k.m" >"$WORK/k.out" 2>"$WORK/k.err" ||
    fail "runqlat.lua: $(cat "$WORK/k.err")"
for th in a b; do
    tid=$(m "$WORK/k.m" ${th}_tid) kernel=$(m "$WORK/k.m" ${th}_run_delay_ns) runs=$(m "$WORK/k.m" ${th}_runs)
    line=$(grep "\"pid\":$tid," "$WORK/k.out") || fail "no histogram for thread $tid: $(cat "$WORK/k.out")"
    sum=$(sed -n 's/.*"sum_ns":\([0-9]*\).*/\1/p' <<<"$line") count=$(sed -n 's/.*"count":\([0-9]*\),"sum_ns".*/\1/p' <<<"$line")
    # schedstat is read by the thread at the end of its work; its exit may wait once more
    # (under emulation the kernel's scheduler clock and BPF's disagree: only a bound)
    low=$((kernel * 98 / 100)) high=$((kernel * 102 / 100 + 20000000 * TIME_SCALE))
    [ "$TIME_SCALE" -gt 1 ] && low=$((kernel / 2))
    [ "$sum" -ge $low ] && [ "$sum" -le $high ] ||
        fail "thread $tid waited $sum ns in the kernel's histogram, schedstat says $kernel ns: $line"
    # (after its reading it may wait a few more times, more under emulation: 32 for 28 runs in a 6.1 guest)
    [ "$count" -ge $((runs * 98 / 100)) ] && [ "$count" -le $((runs + 3 * TIME_SCALE)) ] ||
        fail "thread $tid: $count waits counted, schedstat says $runs runs: $line"
    # the buckets add up to the count
    total=$(grep -o '"count":[0-9]*,"high"' <<<"$line" | tr -dc '0-9\n' | awk '{ s += $1 } END { print s }')
    [ "$total" -eq "$count" ] || fail "thread $tid: buckets hold $total, count says $count: $line"
done

# runqlat.lua --cgroups --json, live, tracing the test's cgroup: the
# workload in cgroup a, then in b; each cgroup's summed wait within 2% of
# its two threads' schedstat run_delay (plus the main thread's few waits),
# its count their runs', and nothing else of the machine's.
"$KT" "$TOP/scripts/runqlat.lua" --cgroups --json -g "$CG" >"$WORK/g.out" 2>"$WORK/g.err" & tracer=$!
wait_for "$WORK/g.err" attached 30 || fail "runqlat.lua --cgroups did not attach: $(cat "$WORK/g.err")"
for sub in a b; do   # (exec'd inside the cgroup: every thread of it there)
    sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CGROOT/$CG/$sub" "$TB/wake" runq "$WORK/g$sub.m" ||
        fail "wake runq in $CG/$sub failed"
done
"$TOP/keytime-ctl" -F -I $tracer >/dev/null
wait_pid $tracer 30 || fail "runqlat.lua --cgroups did not end"
[ $status -eq 0 ] || fail "runqlat.lua --cgroups exited $status: $(cat "$WORK/g.err")"
[ "$(wc -l <"$WORK/g.out")" -eq 2 ] || fail "runqlat.lua --cgroups: not two histograms: $(cat "$WORK/g.out")"
for sub in a b; do
    kernel=$(($(m "$WORK/g$sub.m" a_run_delay_ns) + $(m "$WORK/g$sub.m" b_run_delay_ns)))
    runs=$(($(m "$WORK/g$sub.m" a_runs) + $(m "$WORK/g$sub.m" b_runs)))
    line=$(grep "^{\"time\":[0-9]*,\"cgroup\":\"/$CG/$sub\",\"count\":" "$WORK/g.out") ||
        fail "no histogram for cgroup /$CG/$sub: $(cat "$WORK/g.out")"
    sum=$(sed -n 's/.*"sum_ns":\([0-9]*\).*/\1/p' <<<"$line") count=$(sed -n 's/.*"count":\([0-9]*\),"sum_ns".*/\1/p' <<<"$line")
    low=$((kernel * 98 / 100)) high=$((kernel * 102 / 100 + 40000000 * TIME_SCALE))
    [ "$TIME_SCALE" -gt 1 ] && low=$((kernel / 2))
    [ "$sum" -ge $low ] && [ "$sum" -le $high ] ||
        fail "cgroup /$CG/$sub waited $sum ns, its threads' schedstat says $kernel ns: $line"
    [ "$count" -ge $((runs * 98 / 100)) ] && [ "$count" -le $((runs + 10 * TIME_SCALE)) ] ||
        fail "cgroup /$CG/$sub: $count waits counted, its threads' schedstat says $runs runs: $line"
done

# The same events, both ways: the kernel's histograms and those made from
# onCPU's runq_latency in one run hold the same waits, bucket for bucket.
for spec in "thread:runq" "process:runq" "cgroup:runq" "thread:wakers" "process:wakers" "cgroup:wakers"; do
    by=${spec%%:*} mode=${spec#*:}
    "$KT" "$TOP/tests/lib/runq_hist_agree.lua" "$by" --follow -c "$TB/wake $mode $WORK/a.m" >"$WORK/a.out" 2>"$WORK/a.err" ||
        fail "runq_hist_agree.lua $by on wake $mode: $(cat "$WORK/a.err")"
    grep -qE '^keys=[1-9][0-9]* waits=[1-9][0-9]* lost=0 not_counted=0 differ=0$' "$WORK/a.out" ||
        fail "kernel and onCPU histograms by $by differ on wake $mode: $(cat "$WORK/a.out")"
done

# Live, runqlat.lua has no onCPU/offCPU records sent up at all; --events
# (the histograms made from them) has.
"$KT" "$TOP/bench/counted.lua" scripts/runqlat.lua -c "$TB/wake runq $WORK/c.m" >/dev/null 2>"$WORK/c.err" ||
    fail "counted runqlat.lua: $(cat "$WORK/c.err")"
read -r events lifecycle < <(sed -n 's/^bench: events=\([0-9]*\) lost=0 lifecycle=\([0-9]*\)$/\1 \2/p' "$WORK/c.err")
[ -n "${events:-}" ] && [ "$events" -eq "$lifecycle" ] || fail "runqlat.lua took switch records: $(cat "$WORK/c.err")"
"$KT" "$TOP/bench/counted.lua" scripts/runqlat.lua --events -c "$TB/wake runq $WORK/c.m" >/dev/null 2>"$WORK/c.err" ||
    fail "counted runqlat.lua --events: $(cat "$WORK/c.err")"
read -r events lifecycle < <(sed -n 's/^bench: events=\([0-9]*\) lost=0 lifecycle=\([0-9]*\)$/\1 \2/p' "$WORK/c.err")
runs=$(($(m "$WORK/c.m" a_runs) + $(m "$WORK/c.m" b_runs)))   # an onCPU record each at least
[ -n "${events:-}" ] && [ "$events" -ge $((lifecycle + runs * 98 / 100)) ] ||
    fail "runqlat.lua --events took fewer onCPU records than the $runs runs: $(cat "$WORK/c.err")"

# A full map: what had no room is counted and said, not dropped silently
# (one entry, taken by the first thread to wait: at least one of the two
# contending threads finds none)
KEYTIME_TEST_RUNQ_HIST_ENTRIES=1 "$KT" "$TOP/scripts/runqlat.lua" --threads -c "$TB/wake runq $WORK/f.m" >"$WORK/f.out" 2>"$WORK/f.err" ||
    fail "runqlat.lua with a full map: $(cat "$WORK/f.err")"
n=$(sed -n 's/^runqlat.lua: \([0-9]*\) run-queue waits not counted: the kernel.s histogram map was full$/\1/p' "$WORK/f.err")
a=$(m "$WORK/f.m" a_runs) b=$(m "$WORK/f.m" b_runs)
runs=$((a < b ? a : b))
[ -n "$n" ] && [ "$n" -ge $((runs * 98 / 100)) ] || fail "a full map: $a and $b runs, not said or not counted: $(cat "$WORK/f.err")"
[ "$(grep -c '^@usecs\[' "$WORK/f.out")" -eq 1 ] || fail "a full map of one entry, not one histogram: $(cat "$WORK/f.out")"

# Recording: the histograms come from the recorded onCPU events, live and
# in the replay alike, and agree with schedstat too.
"$KT" --record "$WORK/r.kt" "$TOP/scripts/runqlat.lua" --threads --json -c "$TB/wake runq $WORK/r.m" >"$WORK/r.live" 2>"$WORK/r.err" ||
    fail "runqlat.lua --record: $(cat "$WORK/r.err")"
"$KT" --replay "$WORK/r.kt" "$TOP/scripts/runqlat.lua" --threads --json >"$WORK/r.replay" 2>"$WORK/r.rerr" ||
    fail "runqlat.lua --replay: $(cat "$WORK/r.rerr")"
cmp -s "$WORK/r.live" "$WORK/r.replay" || fail "the replay differs: $(diff "$WORK/r.live" "$WORK/r.replay" | head -5)"
tid=$(m "$WORK/r.m" a_tid) kernel=$(m "$WORK/r.m" a_run_delay_ns)
sum=$(grep "\"pid\":$tid," "$WORK/r.live" | sed -n 's/.*"sum_ns":\([0-9]*\).*/\1/p')
low=$((kernel * 98 / 100)); [ "$TIME_SCALE" -gt 1 ] && low=$((kernel / 2))
[ -n "$sum" ] && [ "$sum" -ge $low ] && [ "$sum" -le $((kernel * 102 / 100 + 20000000 * TIME_SCALE)) ] ||
    fail "recorded: thread $tid waited ${sum:-nothing} ns, schedstat says $kernel: $(cat "$WORK/r.live")"

# bad input: refused, saying why (a script's error: with its traceback)
refused() {   # what, script, message
    printf '%s\n' "$2" >"$WORK/bad.lua"
    "$KT" "$WORK/bad.lua" -c true >"$WORK/bad.out" 2>"$WORK/bad.err" && fail "$1 was accepted"
    grep -q "bad.lua:1: $3" "$WORK/bad.err" || fail "$1: $(cat "$WORK/bad.err")"
}
refused "runq_hist = \"container\"" 'kt.filter.runq_hist = "container"' 'kt.filter.runq_hist: "process", "thread", "cgroup" or false, not container'
refused "runq_hist(\"clear\")" 'kt.filter.runq_hist = "thread"; kt.runq_hist("clear")' "bad argument #1 to 'runq_hist' (invalid option 'clear')"
printf 'kt.filter.runq_hist = "thread"\n' >"$WORK/rep.lua"
"$KT" --replay "$WORK/r.kt" "$WORK/rep.lua" >"$WORK/bad.out" 2>"$WORK/bad.err" && fail "kt.filter.runq_hist in a replay was accepted"
grep -q "rep.lua:1: kt.filter.runq_hist: no kernel histograms in a replay" "$WORK/bad.err" ||
    fail "kt.filter.runq_hist in a replay: $(cat "$WORK/bad.err")"
# read back as set
printf 'kt.filter.runq_hist = "thread"\nprint(kt.filter.runq_hist)\nkt.filter.runq_hist = "cgroup"\nprint(kt.filter.runq_hist)\nkt.filter.runq_hist = false\nprint(kt.filter.runq_hist)\n' >"$WORK/rb.lua"
"$KT" "$WORK/rb.lua" -c true >"$WORK/rb.out" 2>"$WORK/rb.err" || fail "kt.filter.runq_hist read back: $(cat "$WORK/rb.err")"
[ "$(tr '\n' ' ' <"$WORK/rb.out")" = "thread cgroup false " ] || fail "kt.filter.runq_hist read back: $(cat "$WORK/rb.out")"
assert_no_probes_left
