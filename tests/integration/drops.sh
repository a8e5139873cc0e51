# SPDX-License-Identifier: GPL-2.0-or-later
# Nothing is lost silently: with a tiny ring buffer and a slow handler,
# events the kernel could not deliver are counted, shown to the script and
# reported on stderr at the end.
source "$(dirname "$0")/../lib/common.sh"
cat >"$WORK/slow.lua" <<'LUA'
local seen, lost_calls = 0, 0
kt.on("*", function(e)
  seen = seen + 1
  local t = kt.now() + 200000          -- 0.2 ms per event: far slower than the kernel
  while kt.now() < t do end
end)
kt.on("lost", function(new, total) lost_calls = lost_calls + 1 end)
kt.on("end", function(s)
  print(("seen=%d events=%d lost=%d lost_calls=%d"):format(seen, s.events, s.lost, lost_calls))
end)
LUA
t0=$(date +%s%N)
KEYTIME_RINGBUF_KB=4 "$KT" "$WORK/slow.lua" --follow -c "sh -c 'for i in \$(seq 300); do /bin/true; done'" \
    >"$WORK/out" 2>"$WORK/err" || fail "keytime-run failed: $(cat "$WORK/err")"
t1=$(date +%s%N)
read -r seen events lost calls < <(sed -nE 's/^seen=([0-9]+) events=([0-9]+) lost=([0-9]+) lost_calls=([0-9]+)$/\1 \2 \3 \4/p' "$WORK/out")
[ -n "${lost:-}" ] || fail "no summary line: $(cat "$WORK/out")"
[ "$seen" -eq "$events" ] || fail "the script saw $seen events, the host counted $events"
[ "$lost" -gt 0 ] || fail "a 4 KiB ring buffer with a slow handler lost nothing? events=$events"
[ "$calls" -gt 0 ] || fail "the lost handler was never called"
grep -qE "^keytime-run: $lost events lost \(ring buffer full\):" "$WORK/err" || fail "no final report of $lost lost events: $(cat "$WORK/err")"
# While it happens: a line at most once a second, each with the events lost
# since the one before (none counted twice).
grep -E "events lost in the last second" "$WORK/err" >"$WORK/rate"
lines=$(grep -cE "^keytime-run: [0-9]+ events lost in the last second; the script is the bottleneck$" "$WORK/rate")
[ "$lines" -ge 1 ] || fail "no line while the events were lost: $(cat "$WORK/err")"
[ "$lines" -eq "$(wc -l <"$WORK/rate")" ] || fail "a malformed line: $(cat "$WORK/rate")"
[ "$lines" -le $(((t1 - t0) / 1000000000 + 1)) ] || fail "$lines lines in $(((t1 - t0) / 1000000)) ms: more than one a second"
sum=$(sed -E 's/^keytime-run: ([0-9]+) .*/\1/' "$WORK/rate" | awk '{s += $1} END {print s}')
[ "$sum" -le "$lost" ] || fail "the lines say $sum events lost, the total is $lost"

# A bad ring-buffer size is refused plainly.
KEYTIME_RINGBUF_KB=5 "$KT" "$WORK/slow.lua" -c /bin/true >/dev/null 2>"$WORK/err" && fail "KEYTIME_RINGBUF_KB=5 accepted"
grep -q "power of two" "$WORK/err" || fail "bad size message: $(cat "$WORK/err")"
assert_no_probes_left
