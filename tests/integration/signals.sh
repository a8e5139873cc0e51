# SPDX-License-Identifier: GPL-2.0-or-later
# SIGINT, SIGTERM and SIGHUP at random moments (while the probes load, while
# they attach, while events flow, inside a slow handler, inside a slow main
# chunk), many times: after each, no BPF program or link of ours, no pins,
# no -c child left. SIGNALS_ITERATIONS (default 30), SIGNALS_SEED to replay.
source "$(dirname "$0")/../lib/common.sh"
PIN_ROOT=/sys/fs/bpf/keytime
iterations=${SIGNALS_ITERATIONS:-30}
seed=${SIGNALS_SEED:-$$}
RANDOM=$seed

# The -c command under a name of its own (this run's), so a left-over one
# is easy to find.
cmdname=sigtick$$
ln -s "$TB/ticker" "$WORK/$cmdname"
tracer=""
trap '[ -n "$tracer" ] && kill -KILL $tracer 2>/dev/null; kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT
require_probes

# alive PID: running, not a zombie (init reaps those of a dead tracer).
alive() {
    local st
    st=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $st != Z* ]]
}
# live NAME: pids of processes called NAME that are not zombies.
live() {
    local p
    for p in $(pgrep -x "$1"); do
        alive "$p" && echo -n "$p "
    done
}

# handles PID SIG: waits (up to 5 s) until PID has a handler for SIG.
handles() {
    local bit=$((1 << ($(kill -l "$2") - 1))) mask i
    for ((i = 0; i < 500; i++)); do
        mask=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2>/dev/null) || return 1
        [ -n "$mask" ] && (( 0x$mask & bit )) && return 0
        sleep 0.01
    done
    return 1
}

printf 'kt.on("*", function(e) end)\n' >"$WORK/quiet.lua"
# 20 ms of busy work per event: the signal mostly lands inside a handler.
cat >"$WORK/slow_handler.lua" <<'LUA'
kt.on("*", function(e)
  local t = kt.now() + 20000000
  while kt.now() < t do end
end)
LUA
# 200 ms in the main chunk: the signal lands before the -c child runs.
cat >"$WORK/slow_main.lua" <<'LUA'
local t = os.clock() + 0.2
while os.clock() < t do end
kt.on("*", function(e) end)
LUA
scripts=("$TOP/scripts/keytime.lua" "$WORK/quiet.lua" "$WORK/slow_handler.lua" "$WORK/slow_main.lua")
signals=(INT TERM HUP)
declare -A tried=()

for ((n = 1; n <= iterations; n++)); do
    script=${scripts[RANDOM % ${#scripts[@]}]}
    sig=${signals[RANDOM % ${#signals[@]}]}
    delay=$(printf '0.%03d' $((RANDOM % 300)))
    what="iteration $n (seed $seed): SIG$sig after ${delay}s, $(basename "$script")"

    : >"$WORK/err"   # empty first: wait_for must not read the last run's "attached"
    "$KT" "$script" --follow -c "$WORK/$cmdname" >"$WORK/out" 2>"$WORK/err" & tracer=$!
    # A background job starts with SIGINT ignored: the delay counts from
    # when keytime-run handles the signal (its first act), or the signal
    # could land in the exec, before keytime-run is there to take it.
    handles "$tracer" "$sig" || fail "$what: keytime-run never handled SIG$sig"
    sleep "$delay"
    children=$(pgrep -P $tracer || true)   # the -c child, maybe still at its gate
    kill -$sig $tracer 2>/dev/null
    tried[$sig]=$((${tried[$sig]:-0} + 1))
    wait_pid $tracer 20 || fail "$what: the tracer did not end: $(cat "$WORK/err")"
    pid=$tracer tracer=""   # reaped: nothing for the exit trap to kill

    # Ended by our handler (0, or 1 when a script call was interrupted), or
    # killed by the signal itself before the handlers were installed.
    case $status in
        0 | 1 | $((128 + $(kill -l $sig)))) ;;
        *) fail "$what: the tracer exited $status: $(cat "$WORK/err")" ;;
    esac
    ! grep -qE "cannot (load|attach|open)" "$WORK/err" || fail "$what: $(cat "$WORK/err")"
    ! grep -qE "AddressSanitizer|runtime error|Segmentation" "$WORK/err" \
        || fail "$what: the tracer crashed: $(cat "$WORK/err")"
    assert_no_probes_left
    [ ! -e "$PIN_ROOT/$pid" ] || fail "$what: pins left in $PIN_ROOT/$pid: $(ls "$PIN_ROOT/$pid")"
    for c in $children; do
        for ((i = 0; i < 40; i++)); do alive "$c" || break; sleep 0.05; done
        ! alive "$c" || fail "$what: the tracer's child $c is still running: $(ps -o pid,ppid,comm -p "$c")"
    done
    # The command's own short-lived children may outlive it by a moment,
    # and be zombies until init reaps them: those are gone already.
    for ((i = 0; i < 40; i++)); do
        left=$(live $cmdname)
        [ -z "$left" ] && break
        sleep 0.05
    done
    [ -z "$left" ] || fail "$what: the -c command is still running: $(left=${left% }; ps -o pid,ppid,stat,comm -p "${left// /,}")"
done
echo "signals: $iterations runs, SIGINT ${tried[INT]:-0}, SIGTERM ${tried[TERM]:-0}, SIGHUP ${tried[HUP]:-0}, seed $seed"
