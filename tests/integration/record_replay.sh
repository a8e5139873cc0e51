# SPDX-License-Identifier: GPL-2.0-or-later
# --record then --replay: the stock scripts print the same bytes on a
# recording as they did live, compressed (the default) or not; replay needs
# no root; --pid/--tgid filter it; timers run on recorded time; broken
# recordings give the documented errors. Long runs: parts by size or time
# (--record-size, --record-time, --record-keep) that replay alone and hold
# every event between them; a killed recorder leaves a replayable file;
# replay memory does not grow with the recording; version-1 files replay.
source "$(dirname "$0")/../lib/common.sh"
chmod 755 "$WORK"
# nobody CMD...: CMD as user nobody, on a copy of keytime-run, scripts/ and lua/
# it can read (the checkout may sit in a folder only root can enter).
# KT_BIN (make asan) keeps its place under the checkout, with the links to
# scripts/ and lua/ beside it.
STAGE="$WORK/stage"
rel=${KT#"$TOP"/}
mkdir -p "$STAGE/$(dirname "$rel")" && cp -r "$TOP/scripts" "$TOP/lua" "$STAGE/" && cp "$KT" "$STAGE/$rel" ||
    fail "cannot stage keytime-run for user nobody"
if [ "$(dirname "$rel")" != . ]; then
    for d in scripts lua; do [ -L "$(dirname "$KT")/$d" ] && cp -P "$(dirname "$KT")/$d" "$STAGE/$(dirname "$rel")/"; done
fi
nobody() {
    local args=() a
    for a in "$@"; do args+=("${a/#$TOP\//$STAGE/}"); done
    setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "${args[@]}"
}

# live_and_replay NAME SCRIPT ARGS...: record a live run, replay it as nobody,
# compare. RECORD_OPTS: more options for the recording run.
live_and_replay() {
    local name=$1 rc; shift
    "$KT" --record "$WORK/$name.kt" ${RECORD_OPTS:-} "$@" --follow -c "$TB/lifecycle $WORK/$name.manifest" \
        >"$WORK/$name.live" 2>"$WORK/$name.err"
    rc=$?; [ $rc -eq 7 ] || fail "$name: live run exited $rc: $(cat "$WORK/$name.err")"
    chmod 644 "$WORK/$name.kt"
    nobody "$KT" --replay "$WORK/$name.kt" "$@" >"$WORK/$name.replay" 2>"$WORK/$name.rerr" ||
        fail "$name: replay as nobody failed: $(cat "$WORK/$name.rerr")"
    cmp -s "$WORK/$name.live" "$WORK/$name.replay" ||
        fail "$name: replay differs from live: $(diff "$WORK/$name.live" "$WORK/$name.replay" | head -10)"
    [ -s "$WORK/$name.live" ] || fail "$name: no output at all"
}

live_and_replay json "$TOP/scripts/keytime.lua" --json -x
RECORD_OPTS="--record-compress 0" live_and_replay plain "$TOP/scripts/keytime.lua" --json -x
check check_lifecycle.lua "$WORK/plain.replay" "$WORK/plain.manifest" cmd-follow "$TB/lifecycle" ||
    fail "the replayed events of the uncompressed recording do not describe the workload"
# The header says how the rest is stored: zstd (1) by default, else none (0).
compression_of() { local n; n=$(od -An -tu4 -j12 -N4 "$1" | tr -d ' '); od -An -tu4 -j$((16 + n)) -N4 "$1" | tr -d ' '; }
[ "$(compression_of "$WORK/json.kt")" = 1 ] || fail "the default recording is not zstd-compressed"
[ "$(compression_of "$WORK/plain.kt")" = 0 ] || fail "--record-compress 0 still compressed"
# The same workload, compressed and not: zstd makes it several times smaller.
[ $(($(stat -c %s "$WORK/json.kt") * 2)) -lt "$(stat -c %s "$WORK/plain.kt")" ] ||
    fail "compressed $(stat -c %s "$WORK/json.kt") B, uncompressed $(stat -c %s "$WORK/plain.kt") B"
live_and_replay table "$TOP/scripts/keytime.lua" --stack
grep -q "^        .*schedule" "$WORK/table.replay" || fail "replayed stacks lack symbols"
if [ -f "$TOP/scripts/forktree.lua" ]; then
    live_and_replay forktree "$TOP/scripts/forktree.lua"
    live_and_replay forktree_json "$TOP/scripts/forktree.lua" --json
fi

# The recording is a faithful copy: every event the live run printed.
check check_lifecycle.lua "$WORK/json.replay" "$WORK/json.manifest" cmd-follow "$TB/lifecycle" ||
    fail "the replayed events do not describe the workload"

# --tgid / --pid filter the recording.
child=$(sed -n 's/^vexec_child=//p' "$WORK/json.manifest")
nobody "$KT" --replay "$WORK/json.kt" "$TOP/scripts/keytime.lua" --json --tgid "$child" >"$WORK/filtered" ||
    fail "filtered replay failed"
[ "$(wc -l <"$WORK/filtered")" -ge 3 ] || fail "filtered replay: too few events: $(cat "$WORK/filtered")"
grep -v "\"tgid\":$child[,}]" "$WORK/filtered" && fail "filtered replay let other processes through"

# Timers run on recorded time: the same ticks on every replay, as many as
# the recording lasted.
cat >"$WORK/ticks.lua" <<'LUA'
local ticks, first, last = 0, nil, nil
kt.every(5, function() ticks = ticks + 1 end)
kt.on("*", function(e) first = first or e.time; last = e.time end)
kt.on("end", function(s) print(("ticks=%d span_ms=%d duration_ms=%d"):format(ticks, (last - first) // 1000000, s.duration // 1000000)) end)
LUA
nobody "$KT" --replay "$WORK/json.kt" "$WORK/ticks.lua" >"$WORK/t1" || fail "ticks replay"
nobody "$KT" --replay "$WORK/json.kt" "$WORK/ticks.lua" >"$WORK/t2" || fail "ticks replay 2"
cmp -s "$WORK/t1" "$WORK/t2" || fail "two replays differ: $(cat "$WORK/t1" "$WORK/t2")"
read -r ticks span duration < <(sed -E 's/ticks=([0-9]+) span_ms=([0-9]+) duration_ms=([0-9]+)/\1 \2 \3/' "$WORK/t1")
[ "$ticks" -ge $((span / 5 - 1)) ] && [ "$ticks" -le $((duration / 5 + 1)) ] ||
    fail "replayed 5 ms timer ticked $ticks times over a ${span}-${duration} ms recording"

# --duration on recorded time: stops early.
nobody "$KT" --replay "$WORK/json.kt" "$TOP/scripts/keytime.lua" --json -t 0.000001 >"$WORK/short" ||
    fail "replay with -t"
[ "$(wc -l <"$WORK/short")" -lt "$(wc -l <"$WORK/json.replay")" ] || fail "-t did not cut the replay short"

# The recording names the keytime that made it (the version of
# debian/changelog's first line, the one place it is kept).
version=$(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$TOP/debian/changelog")
head -c 200 "$WORK/json.kt" | grep -aq "keytime=$version\$" ||
    fail "the recording's header does not say keytime=$version: $(head -c 120 "$WORK/json.kt" | tr -c '[:print:]\n' .)"

# Broken recordings.
size=$(stat -c %s "$WORK/plain.kt")
head -c $((size - 100)) "$WORK/plain.kt" >"$WORK/truncated.kt"
"$KT" --replay "$WORK/truncated.kt" "$TOP/scripts/keytime.lua" --json >"$WORK/partial" 2>"$WORK/err" &&
    fail "a truncated recording replayed without error"
grep -qE "^keytime-run: $WORK/truncated.kt: truncated at byte offset [0-9]+" "$WORK/err" ||
    fail "truncation message: $(cat "$WORK/err")"
# Every complete event before the cut was delivered: all but the last few.
[ "$(wc -l <"$WORK/partial")" -ge $(($(wc -l <"$WORK/plain.replay") - 3)) ] ||
    fail "a truncated recording lost complete events: $(wc -l <"$WORK/partial") of $(wc -l <"$WORK/plain.replay")"
# Compressed, cut or with bytes changed inside the stream: one line naming
# the file, exit status 1 (not a crash).
size=$(stat -c %s "$WORK/json.kt")
head -c $((size * 2 / 3)) "$WORK/json.kt" >"$WORK/ztrunc.kt"
cp "$WORK/json.kt" "$WORK/zbad.kt"
printf '\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$WORK/zbad.kt" bs=1 seek=$((size / 2)) conv=notrunc status=none
for f in ztrunc zbad; do
    "$KT" --replay "$WORK/$f.kt" "$TOP/scripts/keytime.lua" --json >/dev/null 2>"$WORK/err"
    rc=$?; [ $rc -eq 1 ] || fail "$f.kt: replay exited $rc: $(cat "$WORK/err")"
    [ "$(wc -l <"$WORK/err")" -eq 1 ] && grep -qE "^keytime-run: $WORK/$f.kt: (truncated|corrupt)" "$WORK/err" ||
        fail "$f.kt: not one clear line: $(cat "$WORK/err")"
done
printf 'not a trace at all' >"$WORK/garbage.kt"
"$KT" --replay "$WORK/garbage.kt" "$TOP/scripts/keytime.lua" 2>"$WORK/err" && fail "garbage accepted"
grep -q "not a keytime trace" "$WORK/err" || fail "garbage message: $(cat "$WORK/err")"
cp "$WORK/json.kt" "$WORK/newer.kt"
printf '\xff' | dd of="$WORK/newer.kt" bs=1 seek=8 conv=notrunc status=none
"$KT" --replay "$WORK/newer.kt" "$TOP/scripts/keytime.lua" 2>"$WORK/err" && fail "a newer format accepted"
grep -q "format version 255 is newer than this keytime-run reads (4)" "$WORK/err" || fail "version message: $(cat "$WORK/err")"
# A bad chunk type right after the header (and its compression field).
cp "$WORK/plain.kt" "$WORK/corrupt.kt"
info_len=$(od -An -tu4 -j12 -N4 "$WORK/plain.kt" | tr -d ' ')
printf '\x63' | dd of="$WORK/corrupt.kt" bs=1 seek=$((20 + info_len)) conv=notrunc status=none
"$KT" --replay "$WORK/corrupt.kt" "$TOP/scripts/keytime.lua" 2>"$WORK/err" && fail "a corrupt chunk accepted"
grep -q "corrupt chunk at byte offset $((20 + info_len)) (unknown type 99)" "$WORK/err" || fail "corrupt-chunk message: $(cat "$WORK/err")"
printf '\x63' | dd of="$WORK/corrupt.kt" bs=1 seek=$((16 + info_len)) conv=notrunc status=none
"$KT" --replay "$WORK/corrupt.kt" "$TOP/scripts/keytime.lua" 2>"$WORK/err" && fail "an unknown compression accepted"
grep -q "corrupt header at byte offset $((16 + info_len)) (unknown compression 99)" "$WORK/err" ||
    fail "compression message: $(cat "$WORK/err")"
"$KT" --replay /nonexistent.kt "$TOP/scripts/keytime.lua" 2>"$WORK/err" && fail "a missing recording accepted"
grep -q "cannot read /nonexistent.kt" "$WORK/err" || fail "missing-file message: $(cat "$WORK/err")"
# ---- Long runs ----------------------------------------------------------
# Version 1 (whole exec records, no compression) replays as it did, to the byte.
"$KT" --replay "$TOP/tests/fixtures/v1-lifecycle.kt" "$TOP/tests/lib/trace_dump.lua" >"$WORK/v1.dump" 2>"$WORK/err" ||
    fail "the version-1 fixture did not replay: $(cat "$WORK/err")"
cmp -s "$WORK/v1.dump" "$TOP/tests/fixtures/v1-lifecycle.dump" ||
    fail "the version-1 fixture replays differently: $(diff "$TOP/tests/fixtures/v1-lifecycle.dump" "$WORK/v1.dump" | head -5)"

# part N FILE: the name of part N of a rotated recording FILE (x.kt -> x.000001.kt).
part() { printf '%s.%06u.kt' "${2%.kt}" "$1"; }
# replay_parts FILE FIRST LAST OUT: each part replayed alone (as nobody), the outputs one after the other.
replay_parts() {
    local i f
    : >"$4"
    for ((i = $2; i <= $3; i++)); do
        f=$(part $i "$1")
        [ -f "$f" ] || fail "part $i missing: $(ls "$WORK")"
        chmod 644 "$f"
        nobody "$KT" --replay "$f" "$TOP/scripts/keytime.lua" --json -x >>"$4" 2>"$WORK/perr" ||
            fail "part $f does not replay alone: $(cat "$WORK/perr")"
    done
}

# --record-size: parts of about that size (uncompressed here, so exactly
# past it), each a recording of its own; together, in order, every event
# the live run printed, which describe the workload.
"$KT" --record "$WORK/sized.kt" --record-compress 0 --record-size 4K "$TOP/scripts/keytime.lua" --json -x \
    --follow -c "$TB/lifecycle $WORK/sized.manifest" >"$WORK/sized.live" 2>"$WORK/err"
rc=$?; [ $rc -eq 7 ] || fail "sized: live run exited $rc: $(cat "$WORK/err")"
[ ! -e "$WORK/sized.kt" ] || fail "sized: the unsplit name was written too"
n=$(ls "$WORK"/sized.*.kt | wc -l)
[ "$n" -ge 2 ] || fail "sized: $n parts of 4K for $(cat "$WORK"/sized.*.kt | wc -c) bytes"
for ((i = 1; i < n; i++)); do
    [ "$(stat -c %s "$(part $i "$WORK/sized.kt")")" -ge 4096 ] || fail "sized: part $i ended before 4K"
done
head -c 300 "$(part 2 "$WORK/sized.kt")" | grep -aq "^part=2$" || fail "sized: part 2's header does not say part=2"
replay_parts "$WORK/sized.kt" 1 "$n" "$WORK/sized.replay"
cmp -s "$WORK/sized.live" "$WORK/sized.replay" ||
    fail "sized: the parts replayed differ from live: $(diff "$WORK/sized.live" "$WORK/sized.replay" | head -5)"
check check_lifecycle.lua "$WORK/sized.replay" "$WORK/sized.manifest" cmd-follow "$TB/lifecycle" ||
    fail "sized: the parts' events do not describe the workload"

# --record-time with --record-keep 2 (compressed): a part every 20 ms of
# events, only the newest two left, which hold the live run's last events.
"$KT" --record "$WORK/timed.kt" --record-time 0.02 --record-keep 2 "$TOP/scripts/keytime.lua" --json -x \
    --follow -c "$TB/lifecycle $WORK/timed.manifest" >"$WORK/timed.live" 2>"$WORK/err"
rc=$?; [ $rc -eq 7 ] || fail "timed: live run exited $rc: $(cat "$WORK/err")"
parts=$(ls "$WORK"/timed.*.kt | sed -E 's/.*\.0*([0-9]+)\.kt$/\1/' | sort -n | tr '\n' ' ')
set -- $parts
[ $# -eq 2 ] && [ "$2" -eq $(($1 + 1)) ] && [ "$1" -ge 2 ] ||
    fail "timed: want the newest two of three or more parts, left: $parts"
replay_parts "$WORK/timed.kt" "$1" "$2" "$WORK/timed.replay"
[ -s "$WORK/timed.replay" ] || fail "timed: the kept parts hold no event"
tail -n "$(wc -l <"$WORK/timed.replay")" "$WORK/timed.live" | cmp -s - "$WORK/timed.replay" ||
    fail "timed: the kept parts are not the live run's last events"

# A recorder killed (SIGKILL) loses at most its last 2 s or so: the file
# replays up to there, then says it stops short. The events printed live
# 3 s (times TIME_SCALE) before the kill are all in it.
"$KT" --record "$WORK/killed.kt" "$TOP/scripts/keytime.lua" --json --follow -c "$TB/ticker" \
    >"$WORK/killed.live" 2>"$WORK/err" & tracer=$!
wait_for "$WORK/killed.live" '"exit_code":20,' 60 || fail "killed: the ticker's children were not seen"
early=$(wc -l <"$WORK/killed.live")
sleep $((3 * TIME_SCALE))
kill -KILL $tracer
wait_pid $tracer 10 || fail "killed: the tracer is still running"
"$TOP/keytime-ctl" -l >/dev/null   # its pins: cleaned by the next tool to look
"$KT" --replay "$WORK/killed.kt" "$TOP/scripts/keytime.lua" --json >"$WORK/killed.replay" 2>"$WORK/err"
rc=$?; [ $rc -eq 1 ] || fail "killed: replay exited $rc: $(cat "$WORK/err")"
# (the flush ends a zstd frame at a chunk's end or in the middle of one)
grep -qE "truncated at byte offset [0-9]+ \((the compressed stream stops before its end|a chunk( header)? (of [0-9]+ bytes )?needs [0-9]+ bytes, [0-9]+ left in the compressed stream)" "$WORK/err" ||
    fail "killed: message: $(cat "$WORK/err")"
[ "$(wc -l <"$WORK/killed.replay")" -ge "$early" ] ||
    fail "killed: $(wc -l <"$WORK/killed.replay") events replayed, $early were printed 3 s before the kill"
head -n "$(wc -l <"$WORK/killed.replay")" "$WORK/killed.live" | cmp -s - "$WORK/killed.replay" ||
    fail "killed: the replayed events are not the live run's first ones"

# Bad --record-* values: one line naming the option, exit status 2, nothing traced.
bad_record_option() {   # pattern, options...
    local pattern=$1 rc; shift
    "$KT" "$@" "$TOP/scripts/keytime.lua" -c /bin/true >/dev/null 2>"$WORK/err"
    rc=$?; [ $rc -eq 2 ] || fail "$*: exit $rc, expected 2: $(cat "$WORK/err")"
    [ "$(wc -l <"$WORK/err")" -eq 1 ] && grep -qE "^keytime-run: $pattern" "$WORK/err" ||
        fail "$*: not one clear line: $(cat "$WORK/err")"
}
bad_record_option "--record-size needs a size" --record "$WORK/b.kt" --record-size 100
bad_record_option "--record-size needs a size" --record "$WORK/b.kt" --record-size 10X
bad_record_option "--record-size needs a size" --record "$WORK/b.kt" --record-size -5M
bad_record_option "--record-time needs a number of seconds" --record "$WORK/b.kt" --record-time 0
bad_record_option "--record-time needs a number of seconds" --record "$WORK/b.kt" --record-time soon
bad_record_option "--record-keep needs a number of parts" --record "$WORK/b.kt" --record-size 1M --record-keep 0
bad_record_option "--record-keep needs --record-size or --record-time" --record "$WORK/b.kt" --record-keep 3
bad_record_option "--record-compress needs a zstd level" --record "$WORK/b.kt" --record-compress 20
bad_record_option "--record-compress, --record-size, --record-time and --record-keep need --record FILE" --record-size 1M
ls "$WORK"/b*.kt 2>/dev/null && fail "a refused command line wrote a recording"

# Replay streams: 10 times the events, the same memory (max RSS), every
# event delivered (trace_repeat: the recording's events N times over).
cat >"$WORK/hwm.lua" <<'LUA'
local n = 0
kt.on("*", function() n = n + 1 end)
kt.on("end", function()
    local hwm = io.open("/proc/self/status"):read("a"):match("VmHWM:%s*(%d+)")
    print(n, hwm)
end)
LUA
one=$("$KT" --replay "$WORK/json.kt" "$WORK/hwm.lua" | cut -f1)
for k in 100 1000; do
    "$TB/trace_repeat" "$WORK/json.kt" "$WORK/x$k.kt" $k 3 || fail "trace_repeat $k"
    # ASan's quarantine would hold freed memory: not the replay's.
    ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}quarantine_size_mb=0" \
        "$KT" --replay "$WORK/x$k.kt" "$WORK/hwm.lua" >"$WORK/hwm$k" 2>"$WORK/err" || fail "replay x$k: $(cat "$WORK/err")"
    read -r events hwm <"$WORK/hwm$k"
    [ "$events" -eq $((one * k)) ] || fail "x$k: $events events replayed, want $((one * k))"
    eval "hwm$k=$hwm"
done
[ "$hwm1000" -le $((hwm100 + 4096)) ] ||
    fail "replay memory grows with the recording: ${hwm100} kB for 100 copies, ${hwm1000} kB for 1000"
assert_no_probes_left
