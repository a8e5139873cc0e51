# SPDX-License-Identifier: GPL-2.0-or-later
# Targeting options and run control: --all, -k 0, -m, -t, no target (waiting),
# targets set by the script, -o, -q, -v, bundled and attached short options,
# -p/--pid (a thread) and -P/--tgid (a process), a script's usage error,
# --version, --help, no BTF.
source "$(dirname "$0")/../lib/common.sh"

# --all for a moment: events of other processes, none of our own without -m.
cat >"$WORK/count.lua" <<'LUA'
local own, others = 0, 0
kt.on("*", function(e) if e.tgid == kt.pid then own = own + 1 else others = others + 1 end end)
kt.on("end", function(s) print(("own=%d others=%d"):format(own, others)) end)
LUA
start=$(date +%s%N)
"$KT" "$WORK/count.lua" --all -t 0.5 >"$WORK/out" 2>"$WORK/err" || fail "--all -t: $(cat "$WORK/err")"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
[ $elapsed_ms -lt 10000 ] || fail "-t 0.5 ran ${elapsed_ms} ms"
grep -qE "^own=0 others=[1-9]" "$WORK/out" || fail "--all: $(cat "$WORK/out")"
"$KT" "$WORK/count.lua" --all -m -t "$(awk -v s="$TIME_SCALE" 'BEGIN { print 0.5 * s }')" >"$WORK/out" 2>"$WORK/err" || fail "--all -m: $(cat "$WORK/err")"
grep -qE "^own=[1-9]" "$WORK/out" || fail "-m did not trace our own process: $(cat "$WORK/out")"

# -k 0: lifecycle events only.
"$KT" "$TOP/scripts/keytime.lua" --json -k 0 -c "$TB/lifecycle $WORK/m" >"$WORK/k0.jsonl" 2>"$WORK/err"
[ $? -eq 7 ] || fail "-k 0 run: $(cat "$WORK/err")"
grep -q '"event":"forkP_enter"' "$WORK/k0.jsonl" || fail "-k 0: no lifecycle events"
! grep -qE '"event":"(onCPU|offCPU)"' "$WORK/k0.jsonl" || fail "-k 0: on/off-CPU events came"

# Without -k, the sched_switch probe is attached only while the script
# handles oncpu/offcpu (or "*") events: an exit-only script costs context
# switches nothing. Counted against the links there before (another tracer
# may have its own).
switch_links() { bpftool link show 2>/dev/null | grep -c "tp 'sched_switch'"; }
sleep 600 & idle=$!   # killed below; outlives five slow attaches under emulation
printf 'kt.on("exit", function() end)\n' >"$WORK/exit_only.lua"
printf 'kt.on("exit", function() end)\nkt.after(1000, function() kt.on("oncpu", function() end) end)\n' >"$WORK/later.lua"
links_with() {   # expected-extra-links script args...: after attaching, then 1.5 s later
    local want=$1 base; shift
    base=$(switch_links)
    : >"$WORK/links.err"
    "$KT" "$@" --tgid $idle >/dev/null 2>"$WORK/links.err" & local t=$!
    wait_for "$WORK/links.err" attached || fail "$*: did not attach"
    echo $(($(switch_links) - base)) >"$WORK/links.now"
    sleep 1.5
    echo $(($(switch_links) - base)) >>"$WORK/links.now"
    kill -INT $t; wait_pid $t 10
    [ "$(paste -sd' ' "$WORK/links.now")" = "$want" ] ||
        fail "$*: sched_switch links (at attach, 1.5 s later): $(paste -sd' ' "$WORK/links.now"), expected $want"
}
links_with "0 0" "$WORK/exit_only.lua"
links_with "1 1" "$WORK/exit_only.lua" -k 1
links_with "1 1" "$WORK/count.lua"
links_with "0 0" "$WORK/count.lua" -k 0
links_with "0 1" "$WORK/later.lua"
kill $idle

# No target: attached, waiting, collecting nothing.
"$KT" "$WORK/count.lua" -t 0.3 >"$WORK/out" 2>"$WORK/err" || fail "no target: $(cat "$WORK/err")"
grep -q "no target yet" "$WORK/err" || fail "no 'waiting' notice: $(cat "$WORK/err")"
grep -qE "^own=0 others=0$" "$WORK/out" || fail "untargeted run collected events: $(cat "$WORK/out")"

# The script chooses its target through the filter map object.
mkfifo "$WORK/gate"
"$TB/lifecycle" "$WORK/m3" --gate "$WORK/gate" & wl=$!
cat >"$WORK/script_target.lua" <<LUA
kt.filter:add_tgid($wl)
local l = kt.filter:list()
assert(#l == 1 and l[1].type == "tgid" and l[1].id == $wl and l[1].follow == false, "list() shows the target")
assert(kt.filter.active == true, "adding a target activates")
local ok, err = pcall(kt.filter.add_pid, kt.filter, 0x7ffffffe)
assert(not ok and err:find("no such process"), "unknown pid refused: " .. tostring(err))
local forks = 0
kt.on("fork", function(e) forks = forks + 1 end)
kt.on("exit", function(e) if e.pid == $wl then print("exit " .. e.exit_code .. " forks " .. forks) end end)
LUA
: >"$WORK/err"   # empty first: wait_for must not read the last run's "attached"
"$KT" "$WORK/script_target.lua" >"$WORK/out" 2>"$WORK/err" & tracer=$!
wait_for "$WORK/err" "attached" || fail "script-targeted tracer did not attach"
echo go >"$WORK/gate"
wait_pid $wl 60; wl_status=$status
wait_pid $tracer 30 || fail "script-targeted tracer did not end with its target"
[ $status -eq 0 ] || fail "script-targeted run: $(cat "$WORK/err") (the workload exited with status $wl_status)"
grep -qx "exit 7 forks 3" "$WORK/out" || fail "script-targeted run saw: $(cat "$WORK/out")"

# -o FILE: the script's output goes to FILE; the -c command's stays on
# keytime-run's stdout. -q: no "attached" line. -k0 bundled, -q too.
"$KT" "$TOP/scripts/keytime.lua" --json -qk0 -o "$WORK/o.jsonl" \
    -c "sh -c 'echo \$\$ >$WORK/o.pid; echo from-the-\$((1 + 1)); exit 3'" >"$WORK/o.out" 2>"$WORK/o.err"
rc=$?
[ $rc -eq 3 ] || fail "-o run: exit $rc, expected the command's 3: $(cat "$WORK/o.err")"
sh_pid=$(cat "$WORK/o.pid")
[ "$(cat "$WORK/o.out")" = from-the-2 ] || fail "-o: stdout should hold the command's output alone: $(head -3 "$WORK/o.out")"
grep -qE "^\{\"event\":\"exit\",\"time\":[0-9]+,\"pid\":$sh_pid,\"tgid\":$sh_pid,.*\"exit_code\":3[,}]" "$WORK/o.jsonl" ||
    fail "-o: no exit of $sh_pid with code 3 in the file: $(cat "$WORK/o.jsonl")"
grep -q from-the-2 "$WORK/o.jsonl" && fail "-o: the command's output went into the file"
grep -q attached "$WORK/o.err" && fail "-q: the attached line was printed: $(cat "$WORK/o.err")"
"$KT" "$TOP/scripts/keytime.lua" -o /nonexistent-dir/x -c true 2>"$WORK/err"
[ $? -eq 1 ] || fail "an unwritable -o was accepted"
grep -qx "keytime-run: cannot write /nonexistent-dir/x: No such file or directory" "$WORK/err" || fail "unwritable -o: $(cat "$WORK/err")"

# Bundled and attached: -fqc CMD (-f: the command's children are traced:
# their own exits come), -t60, -o after the script.
cat >"$WORK/exits.lua" <<'LUA'
kt.on("exit", function(e) if e.group_dead then print("exit " .. e.tgid .. " " .. e.exit_code) end end)
LUA
"$KT" "$WORK/exits.lua" -fqc "$TB/lifecycle $WORK/b.m" -t60 -o "$WORK/b.out" 2>"$WORK/b.err"
rc=$?
[ $rc -eq 7 ] || fail "-fqc: exit $rc, expected 7: $(cat "$WORK/b.err")"
for key_code in fork_child:3 vfork_child:0 spawn_child:0 clone_child:5; do
    key=${key_code%:*} code=${key_code#*:}
    child=$(sed -n "s/^$key=//p" "$WORK/b.m")
    grep -qx "exit $child $code" "$WORK/b.out" || fail "-fqc: the $key ($child, exit $code) was not followed: $(cat "$WORK/b.out")"
done
main=$(sed -n 's/^main_pid=//p' "$WORK/b.m")
grep -qx "exit $main 7" "$WORK/b.out" || fail "-fqc: no exit 7 of $main: $(cat "$WORK/b.out")"
grep -q attached "$WORK/b.err" && fail "-fqc: -q was not taken"

# -p is a thread, -P a process (unlike perf and bpftrace): on the same
# gated workload, -p$main sees none of its threads' exits, -P$main all.
cat >"$WORK/threads.lua" <<'LUA'
io.stderr:write("ready\n")
kt.on("exit", function(e) print("exit " .. e.pid .. " " .. e.tgid) end)
LUA
for how in -p -P --pid= --tgid=; do
    rm -f "$WORK/gate"; mkfifo "$WORK/gate"
    "$TB/lifecycle" "$WORK/t.m" --gate "$WORK/gate" & wl=$!
    : >"$WORK/t.err"
    "$KT" "$WORK/threads.lua" -q "$how$wl" >"$WORK/t.out" 2>"$WORK/t.err" & tracer=$!
    wait_for "$WORK/t.err" "^ready$" || fail "$how: tracer did not start"
    echo go >"$WORK/gate"
    wait_pid $wl 60
    wait_pid $tracer 30 || fail "$how: the tracer did not end with its target"
    t1=$(sed -n 's/^thread1=//p' "$WORK/t.m")
    grep -qx "exit $wl $wl" "$WORK/t.out" || fail "$how$wl: no exit of the main thread: $(cat "$WORK/t.out")"
    case $how in
        -p|--pid=) grep -q "^exit $t1 " "$WORK/t.out" && fail "$how$wl: thread $t1's exit came: a thread target took its process";;
        *) grep -qx "exit $t1 $wl" "$WORK/t.out" || fail "$how$wl: thread $t1's exit missing: $(cat "$WORK/t.out")";;
    esac
done

# -v: libbpf's warnings, as KEYTIME_DEBUG=1 (a refused optional program
# makes some); -vv: its whole log, on any load. Without: none.
KEYTIME_TEST_BREAK=kt_sched_switch "$KT" -vk1 "$WORK/exits.lua" -c true >/dev/null 2>"$WORK/v.err"
grep -q "^libbpf: " "$WORK/v.err" || fail "-v: no libbpf warning: $(cat "$WORK/v.err")"
"$KT" "$WORK/exits.lua" -vv -c true >/dev/null 2>"$WORK/vv.err"
[ "$(grep -c "^libbpf: " "$WORK/vv.err")" -gt 10 ] || fail "-vv: no libbpf log: $(head -5 "$WORK/vv.err")"
"$KT" "$WORK/exits.lua" -c true >/dev/null 2>"$WORK/v0.err"
grep -q "^libbpf: " "$WORK/v0.err" && fail "libbpf's messages without -v: $(head -3 "$WORK/v0.err")"

# A stock script's usage error: one line, exit status 2, as keytime-run's own.
for script in keytime.lua forktree.lua timeline.lua alerts/crashes.lua alerts/offcpu.lua demos/zombie.lua; do
    "$KT" "$TOP/scripts/$script" --no-such-flag -c true >/dev/null 2>"$WORK/u.err"
    rc=$?
    [ $rc -eq 2 ] || fail "$script --no-such-flag: exit $rc, expected 2: $(cat "$WORK/u.err")"
    grep -qx "$(basename $script): unknown option '--no-such-flag' (see --help)" "$WORK/u.err" ||
        fail "$script usage error: $(cat "$WORK/u.err")"
done
"$KT" "$TOP/scripts/alerts/forkrate.lua" --top 0 -c true 2>"$WORK/u.err"
[ $? -eq 2 ] || fail "forkrate.lua --top 0: not exit 2"
grep -qx "forkrate.lua: --top needs a whole number >= 1 (see --help)" "$WORK/u.err" || fail "forkrate usage: $(cat "$WORK/u.err")"

# Version, help, a kernel without BTF.
"$KT" --version | grep -qE "^keytime-run [0-9]+\.[0-9]+" || fail "--version"
"$KT" --help | grep -q -- "--tgid" || fail "--help"
"$KT" --help | grep -q -- "-p, --pid TID .*a thread id, unlike perf" || fail "--help does not say -p is a thread"
KEYTIME_BTF=/nonexistent "$KT" "$TOP/scripts/keytime.lua" --all 2>"$WORK/err" && fail "no BTF accepted"
grep -q "^keytime-run: this kernel has no BTF" "$WORK/err" || fail "no-BTF message: $(cat "$WORK/err")"
assert_no_probes_left
