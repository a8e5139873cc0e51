# SPDX-License-Identifier: GPL-2.0-or-later
# Off-CPU time by (wakee, waker) kept in the kernel (kt.filter.offwake,
# kt.offwake, offwake.lua live) against the workload and against the same
# pairs summed from the offCPU, wakeup and onCPU events of the same run
# (tests/workload/wake.c wakers: a pipe ping-pong between two processes,
# a mutex handoff, a timer sleep): who woke whom and for how long; no
# switch or wake-up record sent up for them; a full map counted and said;
# stacks the stack map could not keep counted, said and shown so; bad input
# refused.
source "$(dirname "$0")/../lib/common.sh"
require_probes

# agree FILE NOT_COUNTED STACKS_NOT_KEPT: offwake_agree.lua's summary says
# both ways agree pair for pair (ns and spells; but for at most three pairs
# off by a few short spells, wake-ups racing the switch-out: see there),
# with the kernel's spells and those not counted adding up to the events'.
agree() {
    local line k e nc
    line=$(grep -E "^pairs=[1-9][0-9]* spells=[0-9]+ event_spells=[0-9]+ lost=0 not_counted=$2 differ=0 raced=[0-3] stacks_not_kept=$3\$" "$1") ||
        return 1
    read -r k e nc < <(sed 's/^pairs=[0-9]* spells=\([0-9]*\) event_spells=\([0-9]*\) lost=0 not_counted=\([0-9]*\) .*/\1 \2 \3/' <<<"$line")
    spells_add_up "$k" "$nc" "$e"
}

# spells_add_up KERNEL NOT_COUNTED EVENTS: the kernel's spells and those not
# counted are the events' spells, but for 3 or 5% (wake-ups racing the
# switch-out).
spells_add_up() {
    local d=$(($1 + $2 - $3))
    d=${d#-}
    [ "$d" -le 3 ] || [ "$d" -le $(($3 / 20)) ]
}

# The same events, both ways, pair for pair (ns and spells), with and
# without user stacks; the kernel's pairs against the workload.
for extra in "" ustack; do
    "$KT" "$TOP/tests/lib/offwake_agree.lua" "$WORK/p.jsonl" $extra --follow -c "$TB/wake wakers $WORK/a.m" \
        >"$WORK/a.out" 2>"$WORK/a.err" || fail "offwake_agree.lua $extra: $(cat "$WORK/a.err")"
    # (stacks the maps could not keep show as -17 on both sides: user stacks
    # walked past libc's last frame end in garbage that differs from spell
    # to spell, and now and then two such stacks want one slot)
    agree "$WORK/a.out" 0 '[0-9]+' || fail "kernel and event pairs differ ($extra): $(cat "$WORK/a.out" "$WORK/a.err")"
    check check_offwake.lua "$WORK/p.jsonl" "$WORK/a.m" || fail "the kernel's pairs ($extra) against the workload"
done

# offwake.lua live: the mutex wait of at least the main thread's 50 ms sleep, woken by its unlock
"$KT" "$TOP/scripts/offwake.lua" --folded -c "$TB/wake wakers $WORK/ow.m" >"$WORK/ow.out" 2>"$WORK/ow.err" ||
    fail "offwake.lua: $(cat "$WORK/ow.err")"
us=$(grep -E '^wake;.*futex_wait[^-]*;--;([^;]+;)*futex_wake;([^;]+;)*wake [0-9]+$' "$WORK/ow.out" | grep -v do_exit | awk '{ s += $NF } END { print s + 0 }')
[ "$us" -ge 50000 ] || fail "offwake.lua: the mutex wait summed to $us us, expected 50000 or more: $(cat "$WORK/ow.out")"
grep -qE '^wake;.*do_nanosleep;--;try_to_wake_up;hrtimer_wakeup;.*_\(irq\) [0-9]+$' "$WORK/ow.out" ||
    fail "offwake.lua: no sleep ended by the timer interrupt: $(cat "$WORK/ow.out")"
# the top list, and --events (the same pairs from events) in the same format
"$KT" "$TOP/scripts/offwake.lua" --top 3 -c "$TB/wake wakers $WORK/ow2.m" >"$WORK/ow2.out" 2>"$WORK/ow2.err" ||
    fail "offwake.lua (top list): $(cat "$WORK/ow2.err")"
[ "$(grep -cE '^ *[0-9.]+ ms in [0-9]+ spells?: wake blocked in  .*(futex|nanosleep|pipe)' "$WORK/ow2.out")" -ge 1 ] &&
    [ "$(grep -c '^    woken by ' "$WORK/ow2.out")" -eq 3 ] || fail "offwake.lua --top 3: $(cat "$WORK/ow2.out")"

# Live, offwake.lua has no switch or wake-up records sent up at all; --events has.
"$KT" "$TOP/bench/counted.lua" scripts/offwake.lua -c "$TB/wake wakers $WORK/c.m" >/dev/null 2>"$WORK/c.err" ||
    fail "counted offwake.lua: $(cat "$WORK/c.err")"
read -r events lifecycle < <(sed -n 's/^bench: events=\([0-9]*\) lost=0 lifecycle=\([0-9]*\)$/\1 \2/p' "$WORK/c.err")
[ -n "${events:-}" ] && [ "$events" -eq "$lifecycle" ] || fail "offwake.lua took switch or wake-up records: $(cat "$WORK/c.err")"
"$KT" "$TOP/bench/counted.lua" scripts/offwake.lua --events -c "$TB/wake wakers $WORK/c.m" >/dev/null 2>"$WORK/c.err" ||
    fail "counted offwake.lua --events: $(cat "$WORK/c.err")"
read -r events lifecycle < <(sed -n 's/^bench: events=\([0-9]*\) lost=0 lifecycle=\([0-9]*\)$/\1 \2/p' "$WORK/c.err")
[ -n "${events:-}" ] && [ "$events" -ge $((lifecycle + $(sed -n 's/^rounds=//p' "$WORK/c.m"))) ] ||
    fail "offwake.lua --events took fewer switch records than the ping-pong's rounds: $(cat "$WORK/c.err")"

# A full map (one pair): every spell is either in the kernel's pair or counted
# as not counted, as many as the events saw; offwake.lua says it.
KEYTIME_TEST_OFFWAKE_ENTRIES=1 "$KT" "$TOP/tests/lib/offwake_agree.lua" "$WORK/f.jsonl" --follow -c "$TB/wake wakers $WORK/f.m" \
    >"$WORK/f.out" 2>"$WORK/f.err" || fail "offwake_agree.lua with a full map: $(cat "$WORK/f.err")"
read -r k e nc < <(sed -n 's/^pairs=1 spells=\([0-9]*\) event_spells=\([0-9]*\) lost=0 not_counted=\([0-9]*\) .*/\1 \2 \3/p' "$WORK/f.out")
[ -n "${k:-}" ] && [ "$nc" -gt 0 ] && spells_add_up "$k" "$nc" "$e" ||
    fail "a full map: not counted, or not all: $(tail -1 "$WORK/f.out")"
KEYTIME_TEST_OFFWAKE_ENTRIES=1 "$KT" "$TOP/scripts/offwake.lua" --folded -c "$TB/wake wakers $WORK/f.m" >"$WORK/f.out" 2>"$WORK/f.err" ||
    fail "offwake.lua with a full map: $(cat "$WORK/f.err")"
grep -qE '^offwake.lua: [1-9][0-9]* off-CPU spells not counted: the kernel.s map of pairs was full$' "$WORK/f.err" ||
    fail "offwake.lua with a full map: not said: $(cat "$WORK/f.err")"
[ "$(wc -l <"$WORK/f.out")" -eq 1 ] || fail "a full map of one pair, not one line: $(cat "$WORK/f.out")"

# Stacks not kept (a stack map of one slot: every other stack finds it
# taken): counted, said at the end, and shown as such; both ways still agree.
KEYTIME_TEST_STACK_ENTRIES=1 "$KT" "$TOP/tests/lib/offwake_agree.lua" "$WORK/s.jsonl" --follow -c "$TB/wake wakers $WORK/s.m" \
    >"$WORK/s.out" 2>"$WORK/s.err" || fail "offwake_agree.lua with a stack map of one slot: $(cat "$WORK/s.err")"
n=$(sed -n 's/^pairs=.* stacks_not_kept=\([1-9][0-9]*\)$/\1/p' "$WORK/s.out")
[ -n "$n" ] && agree "$WORK/s.out" 0 "$n" || fail "a stack map of one slot: $(cat "$WORK/s.out")"
grep -qx "keytime-run: $n stacks not kept (a slot of the stack map held another stack): kernel $n user 0" "$WORK/s.err" ||
    fail "stacks not kept: kt.stats() says $n, the end of the run: $(cat "$WORK/s.err")"
# (the one slot holds one stack: every stack kept has the same id, though
# several pairs may share it; the others are -EEXIST)
kept=$(grep -oE '"(waker_)?stack_id":[0-9]+' "$WORK/s.jsonl" | sed 's/.*://' | sort -u | wc -l)
[ "$kept" -le 1 ] && grep -q '"stack_id":-17,' "$WORK/s.jsonl" ||
    fail "a stack map of one slot: $kept stacks kept: $(cat "$WORK/s.jsonl")"
KEYTIME_TEST_STACK_ENTRIES=1 "$KT" "$TOP/scripts/offwake.lua" --folded -c "$TB/wake wakers $WORK/s.m" >"$WORK/s.out" 2>"$WORK/s.err" ||
    fail "offwake.lua with a stack map of one slot: $(cat "$WORK/s.err")"
grep -qE '^wake;\(stack_not_kept\);--;' "$WORK/s.out" && grep -qE '^keytime-run: [1-9][0-9]* stacks not kept' "$WORK/s.err" ||
    fail "offwake.lua: stacks not kept not shown or not said: $(cat "$WORK/s.out" "$WORK/s.err")"
# a run that keeps them all says nothing
grep -q "stacks not kept" "$WORK/ow.err" && fail "stacks not kept said when all were: $(cat "$WORK/ow.err")"

# Recording: the pairs come from the recorded events (kt.recording), and the replay prints the same bytes.
"$KT" --record "$WORK/r.kt" "$TOP/scripts/offwake.lua" --folded -c "$TB/wake wakers $WORK/r.m" >"$WORK/r.live" 2>"$WORK/r.err" ||
    fail "offwake.lua --record: $(cat "$WORK/r.err")"
"$KT" --replay "$WORK/r.kt" "$TOP/scripts/offwake.lua" --folded >"$WORK/r.replay" 2>"$WORK/r.rerr" ||
    fail "offwake.lua --replay: $(cat "$WORK/r.rerr")"
grep -q "futex_wake" "$WORK/r.live" && cmp -s "$WORK/r.live" "$WORK/r.replay" ||
    fail "offwake.lua: the replay differs: $(diff "$WORK/r.live" "$WORK/r.replay" | head -5)"

# bad input: refused, saying why (a script's error: with its traceback)
refused() {   # what, script, message
    printf '%s\n' "$2" >"$WORK/bad.lua"
    "$KT" "$WORK/bad.lua" -c true >"$WORK/bad.out" 2>"$WORK/bad.err" && fail "$1 was accepted"
    grep -q "bad.lua:1: $3" "$WORK/bad.err" || fail "$1: $(cat "$WORK/bad.err")"
}
refused 'offwake = "yes"' 'kt.filter.offwake = "yes"' 'kt.filter.offwake: true or false, not yes'
refused 'offwake = 1' 'kt.filter.offwake = 1' 'kt.filter.offwake: true or false, not 1'
refused 'offwake("clear")' 'kt.filter.offwake = true; kt.offwake("clear")' "bad argument #1 to 'offwake' (invalid option 'clear')"
printf 'kt.filter.offwake = true\n' >"$WORK/rep.lua"
"$KT" --replay "$WORK/r.kt" "$WORK/rep.lua" >"$WORK/bad.out" 2>"$WORK/bad.err" && fail "kt.filter.offwake in a replay was accepted"
grep -q "rep.lua:1: kt.filter.offwake: no kernel totals in a replay" "$WORK/bad.err" ||
    fail "kt.filter.offwake in a replay: $(cat "$WORK/bad.err")"
"$KT" "$TOP/scripts/offwake.lua" --events=yes -c true >"$WORK/bad.out" 2>"$WORK/bad.err" && fail "offwake.lua --events=yes was accepted"
[ "$(wc -l <"$WORK/bad.err")" -eq 1 ] || fail "offwake.lua --events=yes: not one line: $(cat "$WORK/bad.err")"
# read back as set
printf 'kt.filter.offwake = true\nprint(kt.filter.offwake)\nkt.filter.offwake = false\nprint(kt.filter.offwake)\n' >"$WORK/rb.lua"
"$KT" "$WORK/rb.lua" -c true >"$WORK/rb.out" 2>"$WORK/rb.err" || fail "kt.filter.offwake read back: $(cat "$WORK/rb.err")"
[ "$(tr '\n' ' ' <"$WORK/rb.out")" = "true false " ] || fail "kt.filter.offwake read back: $(cat "$WORK/rb.out")"
assert_no_probes_left
