# SPDX-License-Identifier: GPL-2.0-or-later
# keytime.lua --json --tgid / --pid on a running workload (held at a gate
# until the tracer is attached): only the target appears.
source "$(dirname "$0")/../lib/common.sh"
for w in lifecycle lifecycle-static; do
    for mode in tgid pid; do
        gate="$WORK/gate.$w.$mode"
        manifest="$WORK/$w.$mode.manifest"
        mkfifo "$gate"
        "$TB/$w" "$manifest" --gate "$gate" & wl=$!
        "$KT" "$TOP/scripts/keytime.lua" --json --$mode $wl >"$WORK/$w.$mode.jsonl" 2>"$WORK/$w.$mode.err" & tracer=$!
        wait_for "$WORK/$w.$mode.err" "attached" 30 || fail "$w $mode: tracer did not attach"
        echo go >"$gate"
        wait_pid $wl 60 || fail "$w $mode: workload hung"
        [ $status -eq 7 ] || fail "$w $mode: workload exited $status"
        wait_pid $tracer 30 || fail "$w $mode: tracer did not stop when its target ended"
        [ $status -eq 0 ] || fail "$w $mode: tracer exited $status: $(cat "$WORK/$w.$mode.err")"
        check check_lifecycle.lua "$WORK/$w.$mode.jsonl" "$manifest" $mode || fail "$w $mode: events differ"
    done
done
assert_no_probes_left
