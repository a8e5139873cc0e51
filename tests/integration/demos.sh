# SPDX-License-Identifier: GPL-2.0-or-later
# The teaching demos (scripts/demos/): each runs end to end on its workload
# and its output shows the facts it teaches (check_demos.lua says which).
source "$(dirname "$0")/../lib/common.sh"

for pair in fork_vfork_thread:demo_fork_vfork_thread exec_image:demo_exec zombie:demo_zombie \
            offcpu_reasons:demo_offcpu cpu_vs_wall:demo_cpu_wall; do
    demo=${pair%%:*} workload=${pair##*:}
    # The workload's stderr says what it did; keytime-run's goes there too.
    before=$(stolen_ms)
    "$KT" "$TOP/scripts/demos/$demo.lua" -c "$TB/$workload" >"$WORK/$demo.out" 2>"$WORK/$demo.err"
    rc=$?
    export KEYTIME_TEST_STOLEN_MS=$(stolen_since "$before")   # cpu_vs_wall's check allows it
    [ $rc -eq 0 ] || fail "$demo: keytime-run returned $rc: $(cat "$WORK/$demo.err")"
    # keytime-run's end lines (events lost, if any) say whether a missing step was dropped
    check check_demos.lua "$demo" "$WORK/$demo.out" "$WORK/$demo.err" ||
        fail "$demo did not show what it teaches; keytime-run's stderr ends: $(tail -n 5 "$WORK/$demo.err")"
done

# --json: each step and each summary row a JSON line; the facts are the
# workload's (it tells them on stderr).
"$KT" "$TOP/scripts/demos/zombie.lua" --json -c "$TB/demo_zombie" >"$WORK/zj.out" 2>"$WORK/zj.err" || fail "zombie --json: $(cat "$WORK/zj.err")"
read -r parent child < <(sed -n 's/^demo_zombie: parent \([0-9]*\) forked child \([0-9]*\);.*/\1 \2/p' "$WORK/zj.err")
[ -n "$child" ] || fail "zombie --json: the workload did not say its pids: $(cat "$WORK/zj.err")"
grep -qE "^\{\"event\":\"step\",\"time\":[0-9]+,\"text\":\"parent $parent forked child $child\"\}$" "$WORK/zj.out" ||
    fail "zombie --json: no fork step: $(cat "$WORK/zj.out")"
grep -qE "^\{\"event\":\"zombie\",\"exit_code\":7,\"parent\":$parent,\"pid\":$child,\"ran_ns\":[0-9]+,\"zombie_ns\":[0-9]+\}$" "$WORK/zj.out" ||
    fail "zombie --json: no summary row: $(cat "$WORK/zj.out")"
"$KT" "$TOP/scripts/demos/fork_vfork_thread.lua" --json -c "$TB/demo_fork_vfork_thread" >"$WORK/fj.out" 2>"$WORK/fj.err" || fail "fork_vfork_thread --json"
for kind_call in fork:fork vfork:vfork thread:pthread_create; do
    kind=${kind_call%:*} call=${kind_call#*:}
    made=$(sed -n "s/^demo_fork_vfork_thread: pid [0-9]*: $call made \([0-9]*\)$/\1/p" "$WORK/fj.err")
    grep -qE "^\{\"event\":\"task\",.*\"kind\":\"$kind\",.*\"pid\":$made," "$WORK/fj.out" ||
        fail "fork_vfork_thread --json: no $kind row for task $made: $(cat "$WORK/fj.out")"
done
grep -v '^{"event":"\(step\|detail\|task\)",' "$WORK/fj.out" | grep -q . && fail "fork_vfork_thread --json: a line not JSON: $(grep -v '^{' "$WORK/fj.out" | head -3)"

# --help says what a demo shows and how to run it; without a target, a
# demo says how to run it.
for demo in fork_vfork_thread exec_image zombie offcpu_reasons cpu_vs_wall; do
    "$KT" "$TOP/scripts/demos/$demo.lua" --help >"$WORK/help" 2>&1 || fail "$demo --help: $(cat "$WORK/help")"
    grep -q "^Usage: $demo.lua" "$WORK/help" && grep -q "Run it with its workload: .* -c tests/build/demo_" "$WORK/help" ||
        fail "$demo --help: $(cat "$WORK/help")"
done
"$KT" "$TOP/scripts/demos/zombie.lua" >"$WORK/none.out" 2>"$WORK/none.err"
rc=$?
[ $rc -eq 2 ] || fail "a demo without a target returned $rc, expected 2"
grep -q -- "-c tests/build/demo_zombie" "$WORK/none.err" || fail "no hint how to run: $(cat "$WORK/none.err")"
assert_no_probes_left
