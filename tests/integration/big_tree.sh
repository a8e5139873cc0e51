# SPDX-License-Identifier: GPL-2.0-or-later
# A followed tree wider than the filter map: every fork is still reported
# (the parent is a target), and the descendants that found no room are
# counted by reason and reported at once, in kt.stats(), to "lost"
# handlers and in the end summary, never silently dropped. The maps are
# sized from pid_max by default.
source "$(dirname "$0")/../lib/common.sh"
cap=1000 n=1500

"$KT" "$TOP/tests/lib/count_tree.lua" --max-targets $cap --follow -c "$TB/bomb $n $WORK/m" \
    >"$WORK/out" 2>"$WORK/err" || fail "bomb: $(cat "$WORK/err")"
grep -qx "children $n" "$WORK/m" || fail "the workload did not make its $n children: $(cat "$WORK/m")"
read -r _ forks _ exits _ last _ untraced _ full _ filter_error _ children_full _ reported _ lost <"$WORK/out"
# The -c command holds one entry; each traced child one more.
traced=$((cap - 1))
[ "$forks" -eq $((n + 1)) ] || fail "forks: $forks, expected $((n + 1)) (the parent is a target): $(cat "$WORK/out")"
# Full is -E2BIG on 6.18; Debian's 6.1 answers otherwise (filter_error).
[ $((full + filter_error)) -eq $((n + 1 - traced)) ] ||
    fail "filter_full + filter_error: $full + $filter_error, expected $((n + 1 - traced)): $(cat "$WORK/out")"
[ "$exits" -eq $((traced + 1)) ] || fail "exits: $exits, expected the $traced traced children and the command: $(cat "$WORK/out")"
# The children map (whose ends are told to the parent) has the same room.
[ "$children_full" -eq $((n + 1 - cap)) ] || fail "children_full: $children_full, expected $((n + 1 - cap)): $(cat "$WORK/out")"
[ "$untraced" -eq $((full + filter_error + children_full)) ] || fail "kt.stats().untraced: $untraced: $(cat "$WORK/out")"
[ "$reported" -gt 0 ] || fail "no \"lost\" handler call said so: $(cat "$WORK/out")"
[ "$lost" -eq 0 ] || fail "events lost: $lost"
grep -q "^keytime-run: so far [0-9]* new tasks not traced, [0-9]* children's ends not told to their parents (maps full at $cap entries: raise with --max-targets)$" "$WORK/err" ||
    fail "no line while it happened: $(cat "$WORK/err")"
grep -qE "^keytime-run: $untraced tasks not fully traced \(maps full at $cap entries: raise with --max-targets\):( filter_full $full)?( filter_error $filter_error)? children_full $children_full$" "$WORK/err" ||
    fail "no end summary: $(cat "$WORK/err")"

# With room for all (the default), the whole tree, and the exec its last
# child made while all the others lived.
"$KT" "$TOP/tests/lib/count_tree.lua" --follow -c "$TB/bomb $n $WORK/m2" >"$WORK/out" 2>"$WORK/err" ||
    fail "bomb, default size: $(cat "$WORK/err")"
grep -qx "forks $((n + 1)) exits $((n + 2)) last_exec yes untraced 0 filter_full 0 filter_error 0 children_full 0 reported 0 lost 0" "$WORK/out" ||
    fail "default size: $(cat "$WORK/out") $(cat "$WORK/err")"

# The default: room for every pid (pid_max), from 16384 to 131072.
pid_max=$(cat /proc/sys/kernel/pid_max)
want=$(( pid_max < 16384 ? 16384 : (pid_max > 131072 ? 131072 : pid_max) ))
printf 'kt.after(300, function() kt.stop() end)\n' >"$WORK/idle.lua"
printf 'kt.on("end", function() end)\n' >"$WORK/waiting.lua"   # runs until stopped
"$KT" "$WORK/waiting.lua" >/dev/null 2>"$WORK/err" & tracer=$!
wait_for "$WORK/err" "attached" 10 || fail "the tracer did not start"
sizes=$( (bpftool map show name kt_targets; bpftool map show name kt_children) 2>/dev/null |
    grep -o "max_entries [0-9]*" | sort | uniq -c | awk '{print $1, $2, $3}')
kill -TERM $tracer
wait $tracer
[ "$sizes" = "2 max_entries $want" ] || fail "map sizes: '$sizes', expected max_entries $want (pid_max $pid_max)"

"$KT" "$WORK/idle.lua" --max-targets 5 2>&1 | grep -q "^keytime-run: --max-targets needs a whole number from 16 to 4194304$" ||
    fail "--max-targets 5 was not refused"
assert_no_probes_left
