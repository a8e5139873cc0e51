# SPDX-License-Identifier: GPL-2.0-or-later
# keytime.lua's table: the original tool's heading and rows, --pid's
# narrower table, and --stack's kernel stacks under offCPU lines.
source "$(dirname "$0")/../lib/common.sh"
out="$WORK/table.txt"
# A second tracer on sched_switch, as bpftrace or perf may be: the kernel
# then calls the probes through the tracepoint's iterator, one more frame.
sleep 60 & idle=$!
"$KT" "$TOP/scripts/keytime.lua" --tgid $idle >/dev/null 2>"$WORK/other.err" & other=$!
wait_for "$WORK/other.err" attached || fail "the other tracer did not attach"
"$KT" "$TOP/scripts/keytime.lua" --stack -c "$TB/lifecycle $WORK/m" >"$out" 2>"$WORK/err"
[ $? -eq 7 ] || fail "keytime-run did not return the workload's status: $(cat "$WORK/err")"
kill $other $idle; wait_pid $other 10
m() { sed -n "s/^$1=//p" "$WORK/m"; }
main=$(m main_pid)

[ "$(sed -n 1p "$out")" = "KEYTIME -----------------------------------------------------------------" ] || fail "first line: $(sed -n 1p "$out")"
[ "$(sed -n 2p "$out")" = "TIME      TGID    PID     EVENT            ARGS/RET/OTHERS" ] || fail "heading: $(sed -n 2p "$out")"
row() {   # EVENT ARGS-regex: a row of the main thread
    grep -qE "^[0-9]{2}:[0-9]{2}:[0-9]{2}  $main +$main +$1 +$2\$" "$out" || fail "no row '$1 $2' in: $(grep -v '^        ' "$out" | head -40)"
}
row forkP_enter "child_pid:$(m fork_child)"
row forkP_exit "child_pid:$(m fork_child) exit_code:3"
row vforkP_enter "child_pid:$(m spawn_child)"
row forkP_exit "child_pid:$(m killed_child) exit_code:0 signal:9\\(SIGKILL\\)"
row vforkP_exit "child_pid:$(m missing_child) exit_code:42"
row createT_enter "child_pid:$(m thread1)"
row createT_exit "child_pid:$(m thread2) exit_code:0"
row exec "filename:$TB/lifecycle argv:$TB/lifecycle $WORK/m"
row onCPU "oncpu_time:[0-9]+"
row offCPU "offcpu_time:[0-9]+ state:S"
row exit "exit_code:7"
# The exec syscall probes (-x) slow every syscall on the machine: not by default.
! grep -qE " exec_(enter|exit) " "$out" || fail "exec_enter/exec_exit rows without -x"
# Under a sleeping offCPU line, its kernel stack, indented.
awk '/offCPU .*state:S/ { s = 1; next } s && /^        / { print; next } { s = 0 }' "$out" >"$WORK/stacks"
grep -q "schedule" "$WORK/stacks" || fail "no kernel stack under a sleeping offCPU line: $(head "$WORK/stacks")"
grep -q "nanosleep\|hrtimer" "$WORK/stacks" || fail "the sleep's stack does not show nanosleep: $(head -20 "$WORK/stacks")"
# Each stack starts at the scheduler, not in the tracing machinery.
awk '/offCPU/ { getline; print }' "$out" | grep -E "^        " | grep -vE "^        __schedule\+" | head -3 >"$WORK/tops"
[ ! -s "$WORK/tops" ] || fail "stacks that do not start at __schedule: $(cat "$WORK/tops")"

# --pid: the original's single-thread table (no TGID column).
mkfifo "$WORK/gate"
"$TB/lifecycle" "$WORK/m2" --gate "$WORK/gate" & wl=$!
: >"$WORK/err"   # empty first: wait_for must not read the last run's "attached"
"$KT" "$TOP/scripts/keytime.lua" --pid $wl -k 0 >"$WORK/pid.txt" 2>"$WORK/err" & tracer=$!
wait_for "$WORK/err" attached || fail "tracer did not attach"
echo go >"$WORK/gate"
wait_pid $wl 60; wait_pid $tracer 30 || fail "tracer did not end with its target"
[ "$(sed -n 2p "$WORK/pid.txt")" = "TIME      PID     EVENT            ARGS/RET/OTHERS" ] || fail "--pid heading: $(sed -n 2p "$WORK/pid.txt")"
grep -qE "^[0-9:]{8}  $wl +forkP_enter +child_pid:[0-9]+$" "$WORK/pid.txt" || fail "--pid rows: $(cat "$WORK/pid.txt")"
! grep -qE "onCPU|offCPU" "$WORK/pid.txt" || fail "-k 0 printed on/off-CPU events"
assert_no_probes_left
