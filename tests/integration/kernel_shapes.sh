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
  print(string.format("features cpu=%s exec_calls=%s group_dead=%s switch_state=%s rdonly_cast=%s",
    f.cpu_events, f.exec_calls, f.group_dead, f.switch_state, f.rdonly_cast))
end)
LUA
KEYTIME_OLD_SHAPES=1 "$KT" "$WORK/features.lua" -c true >"$WORK/f.out" 2>"$WORK/f.err" || fail "old shapes: $(cat "$WORK/f.err")"
grep -qx "features cpu=true exec_calls=true group_dead=derived switch_state=task rdonly_cast=false" "$WORK/f.out" ||
    fail "kt.features with the old shapes: $(cat "$WORK/f.out")"
# On this kernel: what its BTF declares, as bpftool prints it.
protos=$(bpftool btf dump file /sys/kernel/btf/vmlinux format c | grep -E "btf_trace_sched_(process_exit|switch)\)")
group_dead=derived switch_state=task rdonly_cast=false
grep -q "btf_trace_sched_process_exit)(void \*, struct task_struct \*, bool);" <<<"$protos" && group_dead=tracepoint
grep -q "btf_trace_sched_switch)(void \*, bool, struct task_struct \*, struct task_struct \*, unsigned int);" <<<"$protos" &&
    switch_state=tracepoint
# The probes' cast build (task pointers followed read-only, quick to
# verify) where the kernel has the kfunc it needs (6.2 on), else the plain
# one; the old shapes above took the plain one here.
bpftool btf dump file /sys/kernel/btf/vmlinux | grep -q "^\[[0-9]*\] FUNC 'bpf_rdonly_cast' " && rdonly_cast=true
"$KT" "$WORK/features.lua" -c true >"$WORK/f.out" 2>"$WORK/f.err" || fail "features: $(cat "$WORK/f.err")"
grep -qx "features cpu=true exec_calls=true group_dead=$group_dead switch_state=$switch_state rdonly_cast=$rdonly_cast" "$WORK/f.out" ||
    fail "kt.features on this kernel ($protos): $(cat "$WORK/f.out")"

# The cast build refused (as a kernel might that has the kfunc): the plain
# one is loaded instead, the same events.
if [ "$rdonly_cast" = true ]; then
    KEYTIME_TEST_BREAK=cast "$KT" -q "$WORK/features.lua" -c true >"$WORK/f.out" 2>"$WORK/f.err" ||
        fail "cast build refused: $(cat "$WORK/f.err")"
    grep -qx "features cpu=true exec_calls=true group_dead=$group_dead switch_state=$switch_state rdonly_cast=false" "$WORK/f.out" ||
        fail "kt.features after the cast build was refused: $(cat "$WORK/f.out")"
    [ -s "$WORK/f.err" ] && fail "cast build refused: said on stderr without -v: $(cat "$WORK/f.err")"
    KEYTIME_TEST_BREAK=cast "$KT" "$TOP/scripts/keytime.lua" --json -x -k 1 --follow \
        -c "$TB/lifecycle $WORK/plain.manifest" >"$WORK/plain.jsonl" 2>"$WORK/plain.err"
    rc=$?
    [ $rc -eq 7 ] || fail "plain build: exit $rc, expected 7: $(cat "$WORK/plain.err")"
    check check_lifecycle.lua "$WORK/plain.jsonl" "$WORK/plain.manifest" cmd-follow "$TB/lifecycle" ||
        fail "plain build: events differ"
fi

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
