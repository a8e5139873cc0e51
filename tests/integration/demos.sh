# The teaching demos (scripts/demos/): each runs end to end on its workload
# and its output shows the facts it teaches (check_demos.lua says which).
source "$(dirname "$0")/../lib/common.sh"

for pair in fork_vfork_thread:demo_fork_vfork_thread exec_image:demo_exec zombie:demo_zombie \
            offcpu_reasons:demo_offcpu cpu_vs_wall:demo_cpu_wall; do
    demo=${pair%%:*} workload=${pair##*:}
    # The workload's stderr says what it did; keytime-run's goes there too.
    "$KT" "$TOP/scripts/demos/$demo.lua" -c "$TB/$workload" >"$WORK/$demo.out" 2>"$WORK/$demo.err"
    rc=$?
    [ $rc -eq 0 ] || fail "$demo: keytime-run returned $rc: $(cat "$WORK/$demo.err")"
    check check_demos.lua "$demo" "$WORK/$demo.out" "$WORK/$demo.err" || fail "$demo did not show what it teaches"
done

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
