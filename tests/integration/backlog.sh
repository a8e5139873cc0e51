# SPDX-License-Identifier: GPL-2.0-or-later
# kt.backlog: a script slower than its events sees them late rather than
# losing them. Checked against the workload's own wait statuses (known_ends
# prints what the kernel said of each child): with a ring buffer the slow
# script overflows without it, every child's end arrives, none is lost; over
# its limit, what is dropped is counted and reported, not hidden.
source "$(dirname "$0")/../lib/common.sh"
cat >"$WORK/slow.lua" <<'LUA'
-- kt.args: "backlog" or "none"; the handler's cost in microseconds.
local mode, us = kt.args[1], tonumber(kt.args[2])
if mode == "backlog" then kt.backlog() end
local ends = { exit0 = 0, segv = 0, exit3 = 0, other = 0 }
local seen = 0
kt.on("*", function(e)
  seen = seen + 1
  if e.kind == "fork_exit" then
    local k = e.signal == 11 and "segv" or e.exit_code == 0 and e.signal == 0 and "exit0"
              or e.exit_code == 3 and "exit3" or "other"
    ends[k] = ends[k] + 1
  end
  local t = kt.now() + us * 1000
  while kt.now() < t do end
end)
kt.on("end", function(s)
  print(("seen=%d events=%d lost=%d exit0=%d segv=%d exit3=%d other=%d"):format(
    seen, s.events, s.lost, ends.exit0, ends.segv, ends.exit3, ends.other))
end)
LUA
summary() { sed -nE 's/^seen=([0-9]+) events=([0-9]+) lost=([0-9]+) exit0=([0-9]+) segv=([0-9]+) exit3=([0-9]+) other=([0-9]+)$/\1 \2 \3 \4 \5 \6 \7/p' "$1"; }
truth() { sed -nE 's/^forks=([0-9]+) exit0=([0-9]+) segv=([0-9]+) exit3=([0-9]+)$/\2 \3 \4/p' "$1"; }
WL="$TB/known_ends kt_bl 300 20 30"

# Without the backlog, a 64 KiB ring buffer (about 600 records) and 2 ms an
# event lose some unless the workload takes over 4 s (it takes 0.3 s here;
# under emulation it may be slow enough to keep up). Lost events cost no
# handler time, so this run stays short.
KEYTIME_RINGBUF_KB=64 "$KT" "$WORK/slow.lua" none 2000 --follow -c "$WL" \
    >"$WORK/out0" 2>"$WORK/err0" || fail "keytime-run failed: $(cat "$WORK/err0")"
read -r seen events lost exit0 segv exit3 other < <(summary "$WORK/out0")
[ -n "${other:-}" ] || fail "no summary line: $(cat "$WORK/out0")"
if [ "$TIME_SCALE" = 1 ]; then
    [ "$lost" -gt 0 ] || fail "the slow script without a backlog lost nothing: the test shows nothing (events=$events)"
fi

# With it: the same, nothing lost, every child's end as the kernel told its parent.
KEYTIME_RINGBUF_KB=64 "$KT" "$WORK/slow.lua" backlog 500 --follow -c "$WL" \
    >"$WORK/out" 2>"$WORK/err" || fail "keytime-run failed: $(cat "$WORK/err")"
read -r want0 wantsegv want3 < <(truth "$WORK/out")
[ -n "${want3:-}" ] || fail "the workload said nothing: $(cat "$WORK/out")"
[ "$want0 $wantsegv $want3" = "300 20 30" ] || fail "the workload's children ended otherwise: $want0 $wantsegv $want3"
read -r seen events lost exit0 segv exit3 other < <(summary "$WORK/out")
[ -n "${other:-}" ] || fail "no summary line: $(cat "$WORK/out")"
[ "$lost" -eq 0 ] || fail "$lost events lost with kt.backlog: $(cat "$WORK/err")"
grep -q "events lost" "$WORK/err" && fail "a loss reported with kt.backlog: $(cat "$WORK/err")"
[ "$seen" -eq "$events" ] || fail "the script saw $seen events, the host took $events"
[ "$exit0 $segv $exit3 $other" = "$want0 $wantsegv $want3 0" ] ||
    fail "children's ends seen: exit0=$exit0 segv=$segv exit3=$exit3 other=$other; the kernel said $want0 $wantsegv $want3"

# Over its limit: the backlog drops, counts and says so. The handler is slow
# (5 ms) until the script sees the first drop in kt.stats().lost, then fast.
cat >"$WORK/limit.lua" <<'LUA'
kt.backlog(1)
local seen, fast = 0, false
kt.on("*", function(e)
  seen = seen + 1
  if fast then return end
  if kt.stats().lost > 0 then fast = true return end
  local t = kt.now() + 5000000
  while kt.now() < t do end
end)
local hooked = 0
kt.on("lost", function(new, total) hooked = total end)
kt.on("end", function(s) print(("seen=%d events=%d lost=%d hooked=%d"):format(seen, s.events, s.lost, hooked)) end)
LUA
"$KT" "$WORK/limit.lua" --follow -c "$TB/known_ends kt_bl 4000 0 0" >"$WORK/out" 2>"$WORK/err" ||
    fail "keytime-run failed: $(cat "$WORK/err")"
read -r seen events lost hooked < <(sed -nE 's/^seen=([0-9]+) events=([0-9]+) lost=([0-9]+) hooked=([0-9]+)$/\1 \2 \3 \4/p' "$WORK/out")
[ -n "${lost:-}" ] || fail "no summary line: $(cat "$WORK/out")"
[ "$lost" -gt 0 ] || fail "a 1 MB backlog behind a 5 ms handler dropped nothing (events=$events)"
grep -qE "^keytime-run: $lost events dropped: kt.backlog's limit of 1 MB was reached" "$WORK/err" ||
    fail "no report of the $lost dropped: $(cat "$WORK/err")"
[ $((seen + lost)) -eq "$events" ] || fail "seen $seen + dropped $lost is not the $events taken from the ring buffer"
# Drops are losses like the ring buffer's: the lost handlers hear of them,
# and the run says so while it happens.
[ "$hooked" -eq "$lost" ] || fail "the lost handler was told of $hooked of the $lost dropped"
grep -q "events lost in the last second; the script is the bottleneck" "$WORK/err" ||
    fail "no line while it happened: $(cat "$WORK/err")"

# A bad limit is one clear line.
echo 'kt.backlog(0)' >"$WORK/bad.lua"
"$KT" "$WORK/bad.lua" -c /bin/true >/dev/null 2>"$WORK/err" && fail "kt.backlog(0) accepted"
grep -q "megabytes from 1 to" "$WORK/err" || fail "bad limit message: $(cat "$WORK/err")"
assert_no_probes_left
