# SPDX-License-Identifier: GPL-2.0-or-later
# wakeup events and onCPU's run-queue latency against the kernel and the
# workload (tests/workload/wake.c): the sum of runq_latency of two threads
# contending for one CPU within 2% of schedstat's run-queue wait; who woke
# whom in a pipe ping-pong, a mutex handoff and a timer sleep; runqlat.lua
# and offwake.lua on them; bad input refused with one line.
source "$(dirname "$0")/../lib/common.sh"
require_probes

"$KT" "$TOP/tests/lib/wake_events.lua" -c "$TB/wake runq $WORK/runq.m" >"$WORK/runq.jsonl" 2>"$WORK/runq.err" ||
    fail "wake_events.lua on wake runq: $(cat "$WORK/runq.err")"
check check_wake.lua runq "$WORK/runq.jsonl" "$WORK/runq.m" || fail "runq_latency differs from schedstat"

"$KT" "$TOP/tests/lib/wake_events.lua" wakeups -c "$TB/wake wakers $WORK/wakers.m" >"$WORK/wakers.jsonl" 2>"$WORK/wakers.err" ||
    fail "wake_events.lua on wake wakers: $(cat "$WORK/wakers.err")"
check check_wake.lua wakers "$WORK/wakers.jsonl" "$WORK/wakers.m" || fail "wrong wakers"

# runqlat.lua --threads --json: a histogram per contending thread holding its waits
"$KT" "$TOP/scripts/runqlat.lua" --threads --json -c "$TB/wake runq $WORK/rl.m" >"$WORK/rl.out" 2>"$WORK/rl.err" ||
    fail "runqlat.lua: $(cat "$WORK/rl.err")"
m() { sed -n "s/^$2=//p" "$1"; }
for th in a b; do
    tid=$(m "$WORK/rl.m" ${th}_tid) kernel=$(m "$WORK/rl.m" ${th}_run_delay_ns)
    line=$(grep "\"pid\":$tid," "$WORK/rl.out") || fail "runqlat.lua --threads --json: no line for thread $tid: $(cat "$WORK/rl.out")"
    sum=$(sed -n 's/.*"sum_ns":\([0-9]*\).*/\1/p' <<<"$line")
    # at least the kernel's count up to the thread's reading of it (less 2%); its exit may wait a little more
    # (under emulation the kernel's scheduler clock and BPF's disagree: only a bound)
    low=$((kernel * 98 / 100)); [ "$TIME_SCALE" -gt 1 ] && low=$((kernel / 2))
    [ "$sum" -ge $low ] && [ "$sum" -le $((kernel + 100000000 * TIME_SCALE)) ] ||
        fail "runqlat.lua: thread $tid waited $sum ns, the kernel says $kernel ns: $line"
    grep -q '"buckets":\[{"count":[0-9]*,"high":[0-9]*,"low":[0-9]*}' <<<"$line" || fail "runqlat.lua: no buckets: $line"
done
"$KT" "$TOP/scripts/runqlat.lua" -c "$TB/wake runq $WORK/rl2.m" >"$WORK/rl2.out" 2>"$WORK/rl2.err" ||
    fail "runqlat.lua (text): $(cat "$WORK/rl2.err")"
grep -qE "^@usecs\[wake [0-9]+\]:$" "$WORK/rl2.out" && grep -qE '^\[[0-9]+[KM]?, [0-9]+[KM]?\) +[0-9]+ \|@+ *\|$' "$WORK/rl2.out" ||
    fail "runqlat.lua: no histogram: $(cat "$WORK/rl2.out")"

# --interval: a histogram per interval (the workload runs about 600 ms)
"$KT" "$TOP/scripts/runqlat.lua" --interval 0.1 --json -c "$TB/wake runq $WORK/rl3.m" >"$WORK/rl3.out" 2>"$WORK/rl3.err" ||
    fail "runqlat.lua --interval: $(cat "$WORK/rl3.err")"
[ "$(grep -c '"tgid":' "$WORK/rl3.out")" -ge 3 ] || fail "runqlat.lua --interval 0.1: fewer than 3 histograms: $(cat "$WORK/rl3.out")"

# offwake.lua --folded: the worker's 50 ms wait for the mutex, woken by the main thread's unlock
"$KT" "$TOP/scripts/offwake.lua" --folded -c "$TB/wake wakers $WORK/ow.m" >"$WORK/ow.out" 2>"$WORK/ow.err" ||
    fail "offwake.lua: $(cat "$WORK/ow.err")"
grep -qE '^wake;.*futex_wait[^-]*;--;([^;]+;)*futex_wake;.*;wake [0-9]+$' "$WORK/ow.out" ||
    fail "offwake.lua --folded: no mutex wait woken by futex_wake: $(cat "$WORK/ow.out")"
us=$(grep -E '^wake;.*futex_wait[^-]*;--;([^;]+;)*futex_wake;.*;wake [0-9]+$' "$WORK/ow.out" | awk '{ s += $NF } END { print s }')
[ "$us" -ge 45000 ] || fail "offwake.lua: the mutex wait summed to $us us, expected about 50000: $(cat "$WORK/ow.out" "$WORK/ow.m")"
"$KT" "$TOP/scripts/offwake.lua" -c "$TB/wake wakers $WORK/ow2.m" >"$WORK/ow2.out" 2>"$WORK/ow2.err" ||
    fail "offwake.lua (top list): $(cat "$WORK/ow2.err")"
grep -qE "^ *[0-9.]+ ms in [0-9]+ spells?: wake blocked in " "$WORK/ow2.out" && grep -q "woken by wake" "$WORK/ow2.out" ||
    fail "offwake.lua: no top list: $(cat "$WORK/ow2.out")"

# bad input: one line, non-zero status
for bad in "runqlat.lua --interval 0" "runqlat.lua --interval soon" "offwake.lua --top 0" "offwake.lua --depth -2" "runqlat.lua --bogus"; do
    "$KT" "$TOP/scripts/"$bad -c true >"$WORK/bad.out" 2>"$WORK/bad.err" && fail "$bad was accepted"
    [ "$(wc -l <"$WORK/bad.err")" -eq 1 ] || fail "$bad: not one line: $(cat "$WORK/bad.err")"
    grep -q traceback "$WORK/bad.err" && fail "$bad: a traceback: $(cat "$WORK/bad.err")"
done
printf 'kt.filter.runq = true\nkt.filter.bogus_runq = true\n' >"$WORK/bad.lua"
"$KT" "$WORK/bad.lua" -c true >"$WORK/bad.out" 2>"$WORK/bad.err" && fail "kt.filter.bogus_runq was accepted"
grep -q "kt.filter has no setting 'bogus_runq' (.*runq" "$WORK/bad.err" || fail "bad setting: $(cat "$WORK/bad.err")"

# a kernel that refuses the wake-up probes: one line, and the scripts run on without them
KEYTIME_TEST_BREAK=kt_wake_ "$KT" "$TOP/scripts/runqlat.lua" -c "$TB/wake wakers $WORK/nb.m" >"$WORK/nb.out" 2>"$WORK/nb.err" ||
    fail "runqlat.lua without the wake-up probes: $(cat "$WORK/nb.err")"
[ "$(grep -c "^keytime-run: this kernel cannot run kt_wake_[a-z_]* (.*): no wakeup events or run-queue latency in this run$" "$WORK/nb.err")" -eq 1 ] ||
    fail "the refused wake-up probes not said in one line: $(cat "$WORK/nb.err")"
printf 'print("wakeups=" .. tostring(kt.features.wakeups))\nkt.on("wakeup", function() end)\n' >"$WORK/nbf.lua"
KEYTIME_TEST_BREAK=kt_wake_ "$KT" "$WORK/nbf.lua" -c true >"$WORK/nbf.out" 2>/dev/null || fail "kt.on(\"wakeup\") without the probes failed"
grep -qx "wakeups=false" "$WORK/nbf.out" || fail "kt.features.wakeups after refused probes: $(cat "$WORK/nbf.out")"

# a recording keeps wakeup events and their stacks: offwake.lua replays to the same bytes
"$KT" --record "$WORK/ow.kt" "$TOP/scripts/offwake.lua" --folded -c "$TB/wake wakers $WORK/rec.m" >"$WORK/rec.live" 2>"$WORK/rec.err" ||
    fail "offwake.lua --record: $(cat "$WORK/rec.err")"
"$KT" --replay "$WORK/ow.kt" "$TOP/scripts/offwake.lua" --folded >"$WORK/rec.replay" 2>"$WORK/rec.rerr" ||
    fail "offwake.lua --replay: $(cat "$WORK/rec.rerr")"
grep -q "futex_wake" "$WORK/rec.live" && cmp -s "$WORK/rec.live" "$WORK/rec.replay" ||
    fail "offwake.lua: replay differs from live: $(diff "$WORK/rec.live" "$WORK/rec.replay" | head -5)"
# a version 1 recording (older onCPU records, fewer kinds) still replays, runq_latency absent
lua5.4 "$TOP/tests/lib/v1_trace.lua" "$WORK/v1.kt"
printf 'kt.on("oncpu", function(e) print(e:json()) end)\n' >"$WORK/oncpu.lua"
"$KT" --replay "$WORK/v1.kt" "$WORK/oncpu.lua" >"$WORK/v1.out" 2>"$WORK/v1.err" || fail "a version 1 recording: $(cat "$WORK/v1.err")"
# (from before events said who the thread is: uid and gid unknown, -1)
grep -qx '{"event":"onCPU","time":2000,"pid":42,"tgid":42,"ppid":1,"comm":"old","cpu":0,"kind":"oncpu","uid":4294967295,"gid":4294967295,"cgroup_id":0,"nspid":42,"nstgid":42,"pidns":0,"runtime":555}' "$WORK/v1.out" ||
    fail "a version 1 recording's onCPU: $(cat "$WORK/v1.out")"
assert_no_probes_left
