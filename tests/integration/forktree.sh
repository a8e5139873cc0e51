# SPDX-License-Identifier: GPL-2.0-or-later
# forktree.lua on the generations workload (root -> middle with two threads
# -> three grandchildren, one exec'ing twice, one living a millisecond):
# the exact tree from --json, run with -c and attached with --tgid (neither
# passes --follow: the script follows descendants itself), then the text
# tree, and --threads --live.
source "$(dirname "$0")/../lib/common.sh"
FT="$TOP/scripts/forktree.lua"
W="$TB/generations"

# run NAME ARGS...: forktree.lua -c the workload; the output in $WORK/NAME.out.
run() {
    local name=$1 rc
    shift
    "$KT" "$FT" "$@" -c "$W $WORK/$name.manifest" >"$WORK/$name.out" 2>"$WORK/$name.err"
    rc=$?
    [ $rc -eq 3 ] || fail "$name: keytime-run should return the workload's status 3, got $rc: $(cat "$WORK/$name.err")"
}

run json --json
check check_forktree.lua json-cmd "$WORK/json.out" "$WORK/json.manifest" "$W" "$WORK/json.manifest" ||
    fail "--json -c: the tree differs"

run text
check check_forktree.lua text "$WORK/text.out" "$WORK/text.manifest" "$W" "$WORK/text.manifest" ||
    fail "text: the tree differs"

run live --threads --live
check check_forktree.lua threads-live "$WORK/live.out" "$WORK/live.manifest" "$W" "$WORK/live.manifest" ||
    fail "--threads --live: the output differs"

# Kernel stacks (one per switch-out, a cost to the traced task) only for
# --json, the one output that shows them (longest_off.kstack).
for out in text json; do
    args=(); [ $out = json ] && args=(--json)
    "$KT" --record "$WORK/stacks_$out.kt" "$FT" "${args[@]}" -c "$W $WORK/stacks_$out.manifest" \
        >/dev/null 2>"$WORK/stacks_$out.err"
    [ $? -eq 3 ] || fail "stacks, $out: the recorded run failed: $(cat "$WORK/stacks_$out.err")"
    "$KT" --replay "$WORK/stacks_$out.kt" "$TOP/tests/lib/count_stacks.lua" >"$WORK/stacks_$out.count" 2>&1 ||
        fail "stacks, $out: replay: $(cat "$WORK/stacks_$out.count")"
done
# stack_counts OUT: "OFFCPU STACKED" from count_stacks.lua's line.
stack_counts() { sed -n 's/^offcpu=\([0-9]*\) stacked=\([0-9]*\)$/\1 \2/p' "$WORK/stacks_$1.count"; }
read -r off stacked < <(stack_counts text)
[ "${off:-0}" -gt 0 ] || fail "the text run recorded no offCPU event: $(cat "$WORK/stacks_text.count")"
[ "$stacked" -eq 0 ] || fail "the text tree took $stacked kernel stacks of $off switch-outs: it shows none"
read -r off stacked < <(stack_counts json)
[ "${stacked:-0}" -gt 0 ] || fail "--json took no kernel stack for longest_off: $(cat "$WORK/stacks_json.count")"

# Attached to a running process by --tgid: its command line comes from /proc.
mkfifo "$WORK/gate"
"$W" "$WORK/tgid.manifest" --gate "$WORK/gate" &
workload=$!
"$KT" "$FT" --json --tgid "$workload" >"$WORK/tgid.out" 2>"$WORK/tgid.err" &
tracer=$!
wait_for "$WORK/tgid.err" "attached" || { kill "$workload" "$tracer"; fail "--tgid: tracer did not attach"; }
echo go >"$WORK/gate"
wait_pid "$workload" || fail "--tgid: the workload did not end"
[ "$status" -eq 3 ] || fail "--tgid: the workload's status should be 3, got $status"
wait_pid "$tracer" 30 || fail "--tgid: the tracer did not end when its target did"
[ "$status" -eq 0 ] || fail "--tgid: keytime-run failed ($status): $(cat "$WORK/tgid.err")"
check check_forktree.lua json-tgid "$WORK/tgid.out" "$WORK/tgid.manifest" "$W" "$WORK/tgid.manifest" --gate "$WORK/gate" ||
    fail "--json --tgid: the tree differs"

# Bad options: one clear line, a non-zero status.
"$KT" "$FT" --live --json -c /bin/true >"$WORK/bad.out" 2>"$WORK/bad.err"
rc=$?
[ $rc -ne 0 ] || fail "--live --json together should fail"
grep -q -- "--live.*--json\|--json.*--live" "$WORK/bad.err" || fail "--live --json: no clear error: $(cat "$WORK/bad.err")"
"$KT" "$FT" --help >"$WORK/help.out" 2>&1 || fail "--help should succeed"
grep -q -- "--threads" "$WORK/help.out" || fail "--help does not list --threads: $(cat "$WORK/help.out")"

assert_no_probes_left
