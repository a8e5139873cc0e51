# SPDX-License-Identifier: GPL-2.0-or-later
# A tracer with nothing to read sleeps (no 50 ms drain timer, no watchdog
# tick) and still wakes at once for the first event, for keytime-ctl and
# for the end of its -c command.
source "$(dirname "$0")/../lib/common.sh"
CTL="$TOP/keytime-ctl"

woken() { awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status"; }

# A target that does nothing for 2.5 s, then one exec, then ends.
"$KT" "$TOP/scripts/keytime.lua" --json --follow -c "sh -c 'sleep 2.5; exec /bin/true done'" \
    >"$WORK/out" 2>"$WORK/err" & tracer=$!
wait_for "$WORK/err" "attached" 10 || fail "the tracer did not attach"
sleep 1      # the start's events drained; asleep from here
w0=$(woken $tracer)
sleep 1      # the interval measured, not a wait for something
w1=$(woken $tracer)
# Awake every 50 ms this would be 20; asleep, the net under a lost wake-up
# (once a second) and scheduling noise.
[ $((w1 - w0)) -le 4 ] || fail "an idle tracer woke $((w1 - w0)) times in 1 s"
wait_pid $tracer 10 || fail "the tracer did not end with its command"
[ $status -eq 0 ] || fail "the command's status was not returned: $status; $(cat "$WORK/err")"
grep -q '"event":"exec".*"argv":\["/bin/true","done"\]' "$WORK/out" ||
    fail "the exec after the idle time was not delivered: $(tail -3 "$WORK/out")"
grep -q '"event":"exit"' "$WORK/out" || fail "the exit was not delivered"

# keytime-ctl reaches a sleeping tracer at once: it pokes it (SIGUSR1).
sleep 30 & idle=$!
"$KT" "$TOP/scripts/keytime.lua" --tgid $idle >"$WORK/out2" 2>"$WORK/err2" & tracer=$!
wait_for "$WORK/err2" "attached" 10 || fail "the second tracer did not attach"
sleep 1.5
start=$(date +%s%N)
"$CTL" -I $tracer -F || fail "keytime-ctl -F failed"
wait_pid $tracer 5 || fail "the tracer did not finish"
ms=$((($(date +%s%N) - start) / 1000000))
[ $ms -lt $((400 * TIME_SCALE)) ] || fail "keytime-ctl -F took $ms ms to end a sleeping tracer"
[ $status -eq 0 ] || fail "finished tracer exit status $status: $(cat "$WORK/err2")"
kill $idle
assert_no_probes_left
