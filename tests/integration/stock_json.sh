# SPDX-License-Identifier: GPL-2.0-or-later
# The JSON of the stock scripts: keytime.lua --json follows its schema
# (documented keys, in their fixed order, typed; every line valid UTF-8),
# e:json() writes the bytes the Lua encoder wrote, a replay prints what the
# live run printed (timeline.lua too), and an argument with control
# characters and bytes that are not UTF-8 comes out escaped and replaced,
# as the workload passed it. (Exact numbers at a large clock: json_exact.sh.)
source "$(dirname "$0")/../lib/common.sh"

"$KT" --record "$WORK/run.kt" "$TOP/scripts/keytime.lua" --json --stack -x --follow -c "$TB/lifecycle $WORK/manifest" \
    >"$WORK/live.jsonl" 2>"$WORK/err"
rc=$?; [ $rc -eq 7 ] || fail "live run exited $rc: $(cat "$WORK/err")"
check check_stock_json.lua "$WORK/live.jsonl" || fail "keytime.lua --json: schema (above)"
grep -q '"kstack":\["' "$WORK/live.jsonl" || fail "keytime.lua --json --stack: no offCPU with a kstack"
# Without --stack no stack is taken (each costs a switch-out in the kernel).
"$KT" "$TOP/scripts/keytime.lua" --json -k 1 -c "sleep 0.05" >"$WORK/nostack.jsonl" 2>"$WORK/err" ||
    fail "keytime.lua --json -c sleep: $(cat "$WORK/err")"
grep -q '"event":"offCPU"' "$WORK/nostack.jsonl" || fail "keytime.lua --json -k 1: no offCPU line"
grep -q '"kstack"' "$WORK/nostack.jsonl" && fail "keytime.lua --json without --stack wrote a kstack"
check check_lifecycle.lua "$WORK/live.jsonl" "$WORK/manifest" cmd-follow "$TB/lifecycle" ||
    fail "keytime.lua --json does not describe the workload"

"$KT" --replay "$WORK/run.kt" "$TOP/scripts/keytime.lua" --json --stack -x >"$WORK/replay.jsonl" 2>"$WORK/rerr" ||
    fail "replay: $(cat "$WORK/rerr")"
cmp -s "$WORK/live.jsonl" "$WORK/replay.jsonl" || fail "the replay differs: $(diff "$WORK/live.jsonl" "$WORK/replay.jsonl" | head)"

"$KT" --replay "$WORK/run.kt" "$TOP/tests/lib/json_agree.lua" -x >"$WORK/agree" 2>"$WORK/aerr" ||
    fail "json_agree.lua: $(cat "$WORK/aerr")"
grep -qx "agree=$(wc -l <"$WORK/live.jsonl") differ=0" "$WORK/agree" ||
    fail "e:json() and keytime.json differ ($(cat "$WORK/agree") of $(wc -l <"$WORK/live.jsonl")): $(cat "$WORK/aerr")"

# keytime.lua's table, written in C (kt.emit), against format.lua's rows
# in Lua, on the same recording: the same bytes, stacks included.
"$KT" --replay "$WORK/run.kt" "$TOP/scripts/keytime.lua" --stack -x >"$WORK/table.c" 2>"$WORK/rerr" ||
    fail "table replay: $(cat "$WORK/rerr")"
"$KT" --replay "$WORK/run.kt" "$TOP/tests/lib/table_lua.lua" --stack -x >"$WORK/table.lua" 2>"$WORK/rerr" ||
    fail "table_lua.lua: $(cat "$WORK/rerr")"
[ "$(grep -c 'forkP_enter\|vforkP_enter\|createT_enter' "$WORK/table.lua")" -gt 0 ] &&
    grep -q '^        ' "$WORK/table.lua" || fail "the Lua table has no creations or no stacks: $(head "$WORK/table.lua")"
cmp -s "$WORK/table.c" "$WORK/table.lua" || fail "the C rows differ from format.lua's: $(diff "$WORK/table.c" "$WORK/table.lua" | head)"

# timeline.lua: the same file from the live run and from its replay.
"$KT" --record "$WORK/tl.kt" "$TOP/scripts/timeline.lua" -o "$WORK/tl.live" -x --follow \
    -c "$TB/lifecycle $WORK/tl.manifest" >/dev/null 2>"$WORK/err"
rc=$?; [ $rc -eq 7 ] || fail "timeline live run exited $rc: $(cat "$WORK/err")"
"$KT" --replay "$WORK/tl.kt" "$TOP/scripts/timeline.lua" -o "$WORK/tl.replay" -x >/dev/null 2>"$WORK/rerr" ||
    fail "timeline replay: $(cat "$WORK/rerr")"
[ -s "$WORK/tl.live" ] || fail "timeline.lua wrote nothing"
cmp -s "$WORK/tl.live" "$WORK/tl.replay" || fail "timeline.lua: the replay wrote another file"

# Every other stock script's --json (and offwake's folded stacks): each line
# a JSON object with no float where an integer belongs, and a replay that
# prints the same bytes as the live run. Each must print something here:
# the workload crashes children, forks, sleeps and waits for a CPU.
for spec in "forktree.lua --json" "alerts/crashes.lua --json" "alerts/forkrate.lua --json --max-per-sec 1" \
            "alerts/offcpu.lua --json --threshold-ms 1" "cgtop.lua --json" "runqlat.lua --json" "offwake.lua --folded"; do
    read -r script args <<<"$spec"
    name=${script//\//_}
    "$KT" --record "$WORK/$name.kt" "$TOP/scripts/$script" $args --follow -c "$TB/lifecycle $WORK/$name.manifest" \
        >"$WORK/$name.live" 2>"$WORK/$name.err"
    rc=$?; [ $rc -eq 7 ] || fail "$spec: live run exited $rc: $(cat "$WORK/$name.err")"
    [ -s "$WORK/$name.live" ] || fail "$spec printed nothing on the lifecycle workload"
    "$KT" --replay "$WORK/$name.kt" "$TOP/scripts/$script" $args >"$WORK/$name.replay" 2>"$WORK/$name.rerr" ||
        fail "$spec --replay: $(cat "$WORK/$name.rerr")"
    cmp -s "$WORK/$name.live" "$WORK/$name.replay" ||
        fail "$spec: the replay differs: $(diff "$WORK/$name.live" "$WORK/$name.replay" | head -5)"
    [ "$args" = --folded ] && continue
    lua5.4 - "$WORK/$name.live" <<'LUA' || fail "$spec: not JSON lines as documented (above)"
local cjson = require "cjson"
for line in io.lines(arg[1]) do
  local ok, v = pcall(cjson.decode, line)
  if not ok or type(v) ~= "table" then io.stderr:write("not a JSON object: ", line, "\n") os.exit(1) end
  -- integers stay integers at any size: no exponent, no fraction
  if line:find(':%-?%d+%.?%d*[eE][+-]?%d') or line:find('"time":%d+%.') then
    io.stderr:write("a number written as a float: ", line, "\n") os.exit(1)
  end
end
LUA
done

# Bytes a comm or an argument may hold: a control character, a quote, a
# backslash, a lone 0xff, a cut UTF-8 sequence, and valid UTF-8.
"$KT" "$TOP/scripts/keytime.lua" --json -k 0 --follow \
    -c "sh -c '/bin/echo \"\$(printf \"a\\001\\\"\\\\\\\\\\377\\342\\202b\")\" é >/dev/null'" >"$WORK/bytes.jsonl" 2>"$WORK/err" ||
    fail "keytime.lua --json on odd bytes: $(cat "$WORK/err")"
lua5.4 - "$WORK/bytes.jsonl" <<'LUA' || fail "odd bytes: $(grep '"exec"' "$WORK/bytes.jsonl")"
local cjson = require "cjson"
local want = "a\1\"\\\u{FFFD}\u{FFFD}\u{FFFD}b"
for line in io.lines(arg[1]) do
  assert(utf8.len(line), "a line that is not UTF-8: " .. line)
  local e = cjson.decode(line)
  if e.kind == "exec" and e.filename == "/bin/echo" then
    assert(e.argv[2] == want and e.argv[3] == "é" and #e.argv == 3,
      ("argv %q %q, wanted %q"):format(e.argv[2], tostring(e.argv[3]), want))
    assert(line:find('"a\\u0001\\"\\\\\\ufffd\\ufffd\\ufffdb"', 1, true), "not escaped as documented: " .. line)
    os.exit(0)
  end
end
error("no exec of /bin/echo")
LUA
assert_no_probes_left
