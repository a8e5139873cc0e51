# SPDX-License-Identifier: GPL-2.0-or-later
# timeline.lua -o FILE -c lifecycle: a Chrome Trace Event file that follows
# the format (fields per phase, named tracks, no overlapping slices, matched
# flow arrows) and shows what the workload did (forks, execs, exits, naps).
source "$(dirname "$0")/../lib/common.sh"
TL="$TOP/scripts/timeline.lua"

"$KT" "$TL" -x -o "$WORK/trace.json" -c "$TB/lifecycle $WORK/manifest" >"$WORK/out" 2>"$WORK/err"
rc=$?
[ $rc -eq 7 ] || fail "keytime-run should return the workload's status 7, got $rc: $(cat "$WORK/err")"
[ -s "$WORK/trace.json" ] || fail "no trace file written: $(cat "$WORK/err")"
grep -q "written to $WORK/trace.json" "$WORK/err" || fail "no summary line on stderr: $(cat "$WORK/err")"
check check_timeline.lua "$WORK/trace.json" "$WORK/manifest" || fail "the trace differs (above)"

# Without -o the trace goes to standard output; the script's own --output
# writes the file as keytime-run's -o does.
"$KT" "$TL" -c /bin/true >"$WORK/stdout.json" 2>"$WORK/stdout.err" || fail "no -o: $(cat "$WORK/stdout.err")"
head -c 16 "$WORK/stdout.json" | grep -q '^{"traceEvents":' || fail "no -o: no trace on stdout: $(head -c 200 "$WORK/stdout.json")"
grep -q "written to standard output" "$WORK/stdout.err" || fail "no -o: summary line: $(cat "$WORK/stdout.err")"
"$KT" "$TL" --output "$WORK/own.json" -c /bin/true >"$WORK/own.out" 2>"$WORK/own.err" || fail "--output: $(cat "$WORK/own.err")"
head -c 16 "$WORK/own.json" | grep -q '^{"traceEvents":' || fail "--output: no trace in the file"
[ ! -s "$WORK/own.out" ] || fail "--output: the trace went to stdout too"

# Bad use: one clear line, a non-zero status, no probes needed to see it.
"$KT" "$TL" -o /nonexistent-dir/trace.json -c /bin/true >"$WORK/bad.out" 2>"$WORK/bad.err"
rc=$?
[ $rc -ne 0 ] || fail "an unwritable -o should fail"
grep -q "cannot write /nonexistent-dir/trace.json" "$WORK/bad.err" || fail "unwritable -o: no clear error: $(cat "$WORK/bad.err")"
"$KT" "$TL" --help >"$WORK/help.out" 2>&1 || fail "--help should succeed"
grep -q -- "--output" "$WORK/help.out" || fail "--help does not list --output: $(cat "$WORK/help.out")"

assert_no_probes_left
