# SPDX-License-Identifier: GPL-2.0-or-later
# The reader is woken when a quarter of the ring buffer waits unread, not
# only by its 50 ms drain: a 16 KiB ring holds about 100 records, and a
# fork storm with its switches writes several times that in 50 ms, so
# without the wake-ups a fast script loses events (a build that never woke
# the reader lost 14,774-15,463 of about 18,100). It is never woken once per
# record either. Counted against the workload's own wait statuses.
# A woken reader still has to get a CPU before the other three quarters
# fill, about 75 records later: a scheduler that keeps it off for longer
# costs a few events now and then (3-262 in 9 of 65 runs on this quiet
# 2-CPU machine, 49 in a CI run), counted and said, so the bound is 2%
# and not 0.
source "$(dirname "$0")/../lib/common.sh"
cat >"$WORK/count.lua" <<'LUA'
kt.filter.cpu = true   -- the switches too: about 10 records a fork
local ends = 0
kt.on("fork_exit", function(e)
  if e.exit_code == 0 and e.signal == 0 then ends = ends + 1 end
end)
kt.on("end", function(s)
  -- keytime-run's own voluntary context switches: its sleeps, each ended
  -- by a wake-up, its timer or a signal
  local f = assert(io.open("/proc/self/status"))
  local woken = f:read("a"):match("\nvoluntary_ctxt_switches:%s*(%d+)")
  f:close()
  print(("events=%d lost=%d ends=%d woken=%s"):format(s.events, s.lost, ends, woken))
end)
LUA
N=3000
KEYTIME_RINGBUF_KB=16 "$KT" "$WORK/count.lua" --follow -c "$TB/known_ends kt_rw $N 0 0" \
    >"$WORK/out" 2>"$WORK/err" || fail "keytime-run failed: $(cat "$WORK/err")"
grep -qx "forks=$N exit0=$N segv=0 exit3=0" "$WORK/out" || fail "the workload's children ended otherwise: $(cat "$WORK/out")"
read -r events lost ends woken < <(sed -nE 's/^events=([0-9]+) lost=([0-9]+) ends=([0-9]+) woken=([0-9]+)$/\1 \2 \3 \4/p' "$WORK/out")
[ -n "${woken:-}" ] || fail "no summary line: $(cat "$WORK/out")"
[ $((lost * 50)) -le $((events + lost)) ] || fail "$lost of $((events + lost)) events lost by a fast script with a 16 KiB ring, over 2%: the reader was not woken in time ($(cat "$WORK/err"))"
if [ "$lost" -gt 0 ]; then   # nothing lost silently
    grep -q "^keytime-run: $lost events lost (ring buffer full)" "$WORK/err" || fail "$lost events lost but not said: $(cat "$WORK/err")"
fi
[ "$ends" -le $N ] && [ "$ends" -ge $((N - lost)) ] || fail "$ends children's ends seen ($lost events lost), the workload reaped $N"
# Three records a fork at least (creation, exit, the end its parent saw):
# a wake-up per record would be more sleeps than records.
[ "$events" -ge $((3 * N)) ] || fail "only $events events for $N forks"
[ "$woken" -lt $((events / 10)) ] || fail "the reader slept and woke $woken times for $events events"
assert_no_probes_left
echo "ring_wakeup: $N forks, $events events through a 16 KiB ring, $lost lost, $woken sleeps"
