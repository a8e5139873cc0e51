# Targeting options and run control: --all, -k 0, -m, -t, no target (waiting),
# targets set by the script, --version, --help, no BTF.
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
sleep 30 & idle=$!
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

# Version, help, a kernel without BTF.
"$KT" --version | grep -qE "^keytime-run [0-9]+\.[0-9]+" || fail "--version"
"$KT" --help | grep -q -- "--tgid" || fail "--help"
KEYTIME_BTF=/nonexistent "$KT" "$TOP/scripts/keytime.lua" --all 2>"$WORK/err" && fail "no BTF accepted"
grep -q "^keytime-run: this kernel has no BTF" "$WORK/err" || fail "no-BTF message: $(cat "$WORK/err")"
assert_no_probes_left
