# SPDX-License-Identifier: GPL-2.0-or-later
# JSON numbers are exact at any clock value: a recording of the lifecycle
# workload (switches and exec syscalls included), moved weeks and 2^53 ns later (a machine up
# for months: CLOCK_MONOTONIC past 10^14 ns, past what a double holds to the
# ns), replays through keytime.lua --json, forktree.lua --json and timeline.lua
# with each time exactly the recorded one plus the offset, every other
# number unchanged, and no number in exponent form.
source "$(dirname "$0")/../lib/common.sh"
SHIFT="$TB/trace_shift"
[ -x "$SHIFT" ] || fail "$SHIFT is not built (make tests)"
# 2^53 + 30 days + an odd number of ns: every digit must survive.
OFFSET=$(((1 << 53) + 30 * 86400 * 1000000000 + 123456789))

# Uncompressed, so that the sizes below compare.
"$KT" --record "$WORK/run.kt" --record-compress 0 -k 1 "$TOP/scripts/keytime.lua" -x --follow -c "$TB/lifecycle $WORK/manifest" \
    >"$WORK/live" 2>"$WORK/err"
rc=$?; [ $rc -eq 7 ] || fail "live run exited $rc: $(cat "$WORK/err")"
"$SHIFT" "$WORK/run.kt" "$WORK/moved.kt" "$OFFSET" || fail "trace_shift failed"
# Only the clock moved: the same size but for the header's longer numbers.
[ "$(stat -c %s "$WORK/moved.kt")" -gt "$(stat -c %s "$WORK/run.kt")" ] || fail "the moved recording is no longer"

replay() {   # NAME OUT SCRIPT ARGS...
    local name=$1 out=$2; shift 2
    "$KT" --replay "$WORK/$name.kt" "$@" >"$out" 2>"$WORK/rerr" ||
        fail "replay of $name.kt through $*: $(cat "$WORK/rerr")"
}
for name in run moved; do
    replay $name "$WORK/$name.jsonl" "$TOP/scripts/keytime.lua" --json -x
    replay $name "$WORK/$name.tree" "$TOP/scripts/forktree.lua" --json -x
    replay $name /dev/null "$TOP/scripts/timeline.lua" -x -o "$WORK/$name.timeline"
    replay $name "$WORK/$name.table" "$TOP/scripts/keytime.lua" -x
done

# The recording was read right: switches are in it, and the workload's events.
grep -q '"kind":"oncpu"' "$WORK/run.jsonl" || fail "no oncpu event recorded"
check check_lifecycle.lua "$WORK/run.jsonl" "$WORK/manifest" cmd-follow "$TB/lifecycle" ||
    fail "the recording does not describe the workload"
# The wall clock did not move (trace_shift keeps mono + mono_to_real): the
# table's HH:MM:SS column is the same.
cut -c1-10 "$WORK/run.table" >"$WORK/run.clock"; cut -c1-10 "$WORK/moved.table" >"$WORK/moved.clock"
cmp -s "$WORK/run.clock" "$WORK/moved.clock" || fail "the moved recording shows other wall-clock times"

check check_json_exact.lua lines "$OFFSET" "$WORK/run.jsonl" "$WORK/moved.jsonl" ||
    fail "keytime.lua --json: numbers not exact (above)"
check check_json_exact.lua doc "$OFFSET" "$WORK/run.tree" "$WORK/moved.tree" ||
    fail "forktree.lua --json: numbers not exact (above)"
check check_json_exact.lua timeline "$WORK/run.timeline" "$WORK/moved.timeline" "$WORK/moved.jsonl" ||
    fail "timeline.lua: numbers not exact (above)"
assert_no_probes_left
