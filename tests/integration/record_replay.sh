# SPDX-License-Identifier: GPL-2.0-or-later
# --record then --replay: the stock scripts print the same bytes on a
# recording as they did live; replay needs no root; --pid/--tgid filter it;
# timers run on recorded time; broken recordings give the documented errors.
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

# live_and_replay NAME SCRIPT ARGS...: record a live run, replay it as nobody, compare.
live_and_replay() {
    local name=$1 rc; shift
    "$KT" --record "$WORK/$name.kt" "$@" --follow -c "$TB/lifecycle $WORK/$name.manifest" \
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
size=$(stat -c %s "$WORK/json.kt")
head -c $((size - 100)) "$WORK/json.kt" >"$WORK/truncated.kt"
"$KT" --replay "$WORK/truncated.kt" "$TOP/scripts/keytime.lua" --json >"$WORK/partial" 2>"$WORK/err" &&
    fail "a truncated recording replayed without error"
grep -qE "^keytime-run: $WORK/truncated.kt: truncated at byte offset [0-9]+" "$WORK/err" ||
    fail "truncation message: $(cat "$WORK/err")"
# Every complete event before the cut was delivered: all but the last few.
[ "$(wc -l <"$WORK/partial")" -ge $(($(wc -l <"$WORK/json.replay") - 3)) ] ||
    fail "a truncated recording lost complete events: $(wc -l <"$WORK/partial") of $(wc -l <"$WORK/json.replay")"
printf 'not a trace at all' >"$WORK/garbage.kt"
"$KT" --replay "$WORK/garbage.kt" "$TOP/scripts/keytime.lua" 2>"$WORK/err" && fail "garbage accepted"
grep -q "not a keytime trace" "$WORK/err" || fail "garbage message: $(cat "$WORK/err")"
cp "$WORK/json.kt" "$WORK/newer.kt"
printf '\x03' | dd of="$WORK/newer.kt" bs=1 seek=8 conv=notrunc status=none
"$KT" --replay "$WORK/newer.kt" "$TOP/scripts/keytime.lua" 2>"$WORK/err" && fail "a newer format accepted"
grep -q "format version 3 is newer than this keytime-run reads (2)" "$WORK/err" || fail "version message: $(cat "$WORK/err")"
printf '\x01' | dd of="$WORK/newer.kt" bs=1 seek=8 conv=notrunc status=none
"$KT" --replay "$WORK/newer.kt" "$TOP/scripts/keytime.lua" 2>"$WORK/err" && fail "an older format accepted"
grep -q "format version 1, from a keytime-run before events said who the thread is" "$WORK/err" || fail "old version message: $(cat "$WORK/err")"
# A bad chunk type right after the header.
cp "$WORK/json.kt" "$WORK/corrupt.kt"
info_len=$(od -An -tu4 -j12 -N4 "$WORK/json.kt" | tr -d ' ')
printf '\x63' | dd of="$WORK/corrupt.kt" bs=1 seek=$((16 + info_len)) conv=notrunc status=none
"$KT" --replay "$WORK/corrupt.kt" "$TOP/scripts/keytime.lua" 2>"$WORK/err" && fail "a corrupt chunk accepted"
grep -q "corrupt chunk at byte offset $((16 + info_len)) (unknown type 99)" "$WORK/err" || fail "corrupt-chunk message: $(cat "$WORK/err")"
"$KT" --replay /nonexistent.kt "$TOP/scripts/keytime.lua" 2>"$WORK/err" && fail "a missing recording accepted"
grep -q "cannot read /nonexistent.kt" "$WORK/err" || fail "missing-file message: $(cat "$WORK/err")"
assert_no_probes_left
