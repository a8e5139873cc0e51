# SPDX-License-Identifier: GPL-2.0-or-later
# The probes load on the tracepoint shapes of older kernels (chosen from the
# kernel's BTF at load time), and a program the kernel refuses is named
# with the verifier's reason: an optional one is turned off with one line,
# a core one ends the run with one line.
source "$(dirname "$0")/../lib/common.sh"

# The variants older kernels load (sched_process_exit without group_dead,
# sched_switch without prev_state), run on this kernel: the same events.
cat >"$WORK/features.lua" <<'LUA'
kt.on("end", function()
  local f = kt.features
  print(string.format("features cpu=%s exec_calls=%s group_dead=%s switch_state=%s",
    f.cpu_events, f.exec_calls, f.group_dead, f.switch_state))
end)
LUA
KEYTIME_OLD_SHAPES=1 "$KT" "$WORK/features.lua" -c true >"$WORK/f.out" 2>"$WORK/f.err" || fail "old shapes: $(cat "$WORK/f.err")"
grep -qx "features cpu=true exec_calls=true group_dead=derived switch_state=task" "$WORK/f.out" ||
    fail "kt.features with the old shapes: $(cat "$WORK/f.out")"
# On this kernel: what its BTF declares, as bpftool prints it.
protos=$(bpftool btf dump file /sys/kernel/btf/vmlinux format c | grep -E "btf_trace_sched_(process_exit|switch)\)")
group_dead=derived switch_state=task
grep -q "btf_trace_sched_process_exit)(void \*, struct task_struct \*, bool);" <<<"$protos" && group_dead=tracepoint
grep -q "btf_trace_sched_switch)(void \*, bool, struct task_struct \*, struct task_struct \*, unsigned int);" <<<"$protos" &&
    switch_state=tracepoint
"$KT" "$WORK/features.lua" -c true >"$WORK/f.out" 2>"$WORK/f.err" || fail "features: $(cat "$WORK/f.err")"
grep -qx "features cpu=true exec_calls=true group_dead=$group_dead switch_state=$switch_state" "$WORK/f.out" ||
    fail "kt.features on this kernel ($protos): $(cat "$WORK/f.out")"

KEYTIME_OLD_SHAPES=1 "$KT" "$TOP/scripts/keytime.lua" --json -x -k 1 --follow \
    -c "$TB/lifecycle $WORK/old.manifest" >"$WORK/old.jsonl" 2>"$WORK/old.err"
rc=$?
[ $rc -eq 7 ] || fail "old shapes: exit $rc, expected 7: $(cat "$WORK/old.err")"
check check_lifecycle.lua "$WORK/old.jsonl" "$WORK/old.manifest" cmd-follow "$TB/lifecycle" ||
    fail "old shapes: events differ"
# The switch variant reads the state from the task: the workload's 50 ms
# sleep leaves in S.
grep -q '"event":"offCPU".*"state":"S"' "$WORK/old.jsonl" || fail "old shapes: no offCPU in state S"

# An optional program refused: one line naming it and what is lost; the
# rest of the run goes on.
KEYTIME_TEST_BREAK=kt_sched_switch "$KT" "$TOP/scripts/keytime.lua" -k 1 --follow \
    -c "$TB/lifecycle $WORK/b.manifest" >"$WORK/b.out" 2>"$WORK/b.err"
rc=$?
[ $rc -eq 7 ] || fail "switch refused: exit $rc, expected 7: $(cat "$WORK/b.err")"
[ "$(grep -c "^keytime-run: this kernel cannot run kt_sched_switch[a-z_]* (.*): no onCPU/offCPU events in this run$" "$WORK/b.err")" -eq 1 ] ||
    fail "switch refused: no single line naming it: $(cat "$WORK/b.err")"
grep -q " exit  *exit_code:7" "$WORK/b.out" || fail "switch refused: the lifecycle events stopped too: $(cat "$WORK/b.out")"
grep -qE "onCPU|offCPU" "$WORK/b.out" && fail "switch refused, yet switch events came"
KEYTIME_TEST_BREAK=kt_sched_switch "$KT" "$WORK/features.lua" -c true >"$WORK/f.out" 2>/dev/null
grep -q "features cpu=false exec_calls=true" "$WORK/f.out" || fail "kt.features after a refused switch probe: $(cat "$WORK/f.out")"

# A core program refused (whichever variant this kernel loads): one line
# with the program and the reason, exit 1.
for prog in kt_process_exit kt_task_newtask; do
    KEYTIME_TEST_BREAK=$prog "$KT" "$TOP/scripts/keytime.lua" -c true >"$WORK/c.out" 2>"$WORK/c.err"
    rc=$?
    [ $rc -eq 1 ] || fail "$prog refused: exit $rc"
    [ "$(wc -l <"$WORK/c.err")" -eq 1 ] || fail "$prog refused: more than one line: $(cat "$WORK/c.err")"
    grep -q "^keytime-run: cannot load the probes: the kernel rejected $prog[a-z_]*: ." "$WORK/c.err" ||
        fail "$prog refused: $(cat "$WORK/c.err")"
done
assert_no_probes_left
