#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make soak: keytime-run traces storms for minutes, its RSS sampled as it
# goes. Not part of the test suite (it takes SECONDS x 2 and more).
#   1. a fork/exec storm (tests/soak/forkstorm.c), --follow, every event
#      through a Lua handler (count.lua)
#   2. a context-switch storm (switchstorm.c): onCPU/offCPU events
#   3. the fork/exec storm again, scripts/keytime.lua printing every event
#      into a pipe read slowly: the traced workload must not slow down with
#      the reader (the kernel drops events instead; they are counted)
# Fails when keytime-run fails, its RSS grows, its loop stalls (a heartbeat
# timer's gap), or the workload is held up by the slow output.
#   tests/soak/run.sh [SECONDS]   (default 180 per storm; SOAK_SAMPLE=5 s)
source "$(dirname "$0")/../lib/common.sh"
flock -u 9   # the test lock is taken per storm, so other tests may run between
secs=${1:-180}
sample=${SOAK_SAMPLE:-5}
slow_secs=$((secs / 3 < 60 ? secs / 3 : 60))
[ $slow_secs -ge 5 ] || slow_secs=5
OUT=${SOAK_OUT:-$TOP/build/soak}
rm -rf "$OUT"
mkdir -p "$OUT"
summary="$OUT/summary.txt"
failures=0

note() { echo "$*" | tee -a "$summary"; }
problem() { note "  PROBLEM: $*"; failures=$((failures + 1)); }

# rss_of PID: resident set in KiB, empty once the process is gone.
rss_of() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }

# storm NAME WORKLOAD_REGEX COMMAND [keytime-run args...]: runs keytime-run
# with count.lua on COMMAND, sampling its RSS; checks and reports.
storm() {
    local name=$1 rate_re=$2 cmd=$3 start t rss first warm last max rc line
    shift 3
    flock -w 1800 9 || { problem "$name: could not get the test lock"; return; }
    start=$(date +%s)
    "$KT" "$TOP/tests/soak/count.lua" "$@" -c "$cmd" >"$OUT/$name.out" 2>"$OUT/$name.err" &
    local tracer=$!
    wait_for "$OUT/$name.err" "attached" 60 || { problem "$name: did not attach"; kill $tracer; flock -u 9; return; }
    : >"$OUT/$name.rss"
    while rss=$(rss_of $tracer) && [ -n "$rss" ]; do
        echo "$(($(date +%s) - start)) $rss" >>"$OUT/$name.rss"
        sleep "$sample"
    done
    wait $tracer; rc=$?
    assert_no_probes_left
    flock -u 9

    # RSS: the first sample, the first after a warm-up (a sixth of the run,
    # once Lua's tables and the ring buffer are in use), the last one while
    # the storm still ran (not one taken as keytime-run tears down), the max.
    first=$(awk 'NR == 1 { print $2 }' "$OUT/$name.rss")
    warm=$(awk -v w=$((secs / 6)) '$1 >= w { print $2; exit }' "$OUT/$name.rss")
    last=$(awk -v end=$secs '$1 < end { v = $2 } END { print v }' "$OUT/$name.rss")
    max=$(awk '$2 > m { m = $2 } END { print m }' "$OUT/$name.rss")
    line=$(grep '^soak-end' "$OUT/$name.out")
    note "$(grep -oE "$rate_re" "$OUT/$name.err")"
    note "  keytime-run: exit $rc; ${line#soak-end }"
    note "  RSS KiB: first $first, after warm-up ${warm:-?}, last $last, max $max ($(wc -l <"$OUT/$name.rss") samples every ${sample}s)"
    note "  stderr: $(grep -E 'events lost' "$OUT/$name.err" | tail -n1 | grep . || echo 'no events lost')"

    [ $rc -eq 0 ] || problem "$name: keytime-run exited $rc: $(grep -v soak-beat "$OUT/$name.err" | tail -n5)"
    [ -n "$line" ] || { problem "$name: no end summary"; return; }
    local events lost gap
    events=$(sed -nE 's/.*events=([0-9]+).*/\1/p' <<<"$line")
    lost=$(sed -nE 's/.* lost=([0-9]+).*/\1/p' <<<"$line")
    gap=$(sed -nE 's/.*max_gap_ms=([0-9]+).*/\1/p' <<<"$line")
    [ "$events" -gt 0 ] || problem "$name: no events"
    # Flat: after the warm-up, at most 10% or 4 MiB more.
    if [ -n "$warm" ] && [ "$last" -gt $((warm + (warm / 10 > 4096 ? warm / 10 : 4096))) ]; then
        problem "$name: RSS grew from $warm KiB to $last KiB"
    fi
    # Timers every second: a gap over 2 s means the loop was stuck.
    [ "$gap" -le 2000 ] || problem "$name: the loop stalled: ${gap} ms between heartbeats"
    # Lost events are reported on stderr, and the same count as kt.stats().
    if [ "$lost" -gt 0 ]; then
        grep -qE "^keytime-run: $lost events lost \(ring buffer full\)" "$OUT/$name.err" \
            || problem "$name: $lost lost events not reported as such on stderr"
    fi
}

note "soak: $(date -u '+%F %T') UTC, $(nproc) CPUs, kernel $(uname -r), ${secs}s per storm"
"$TB/soak_forkstorm" 10 2>"$OUT/baseline.err" >/dev/null
base=$(sed -nE 's/.*\(([0-9]+)\/s\)$/\1/p' "$OUT/baseline.err")
note "untraced: $(cat "$OUT/baseline.err")"

storm forkstorm 'forkstorm: .*' "$TB/soak_forkstorm $secs" --follow
storm switchstorm 'switchstorm: .*' "$TB/soak_switchstorm $secs"

# 3. Slow output: the reader takes at most ~4000 lines a second.
traced=$(sed -nE 's/.*\(([0-9]+)\/s\)$/\1/p' "$OUT/forkstorm.err")
flock -w 1800 9
"$KT" "$TOP/scripts/keytime.lua" --follow -c "$TB/soak_forkstorm $slow_secs" 2>"$OUT/slow.err" |
    { n=0; while IFS= read -r _; do n=$((n + 1)); ((n % 200 == 0)) && sleep 0.05; done; echo "$n" >"$OUT/slow.lines"; }
rc=${PIPESTATUS[0]}
assert_no_probes_left
flock -u 9
slow=$(sed -nE 's/.*\(([0-9]+)\/s\)$/\1/p' "$OUT/slow.err")
note "slow output (${slow_secs}s): $(grep -oE 'forkstorm: .*' "$OUT/slow.err"); reader took $(cat "$OUT/slow.lines") lines"
note "  keytime-run: exit $rc; $(grep -E 'events lost' "$OUT/slow.err" | tail -n1)"
[ $rc -eq 0 ] || problem "slow output: keytime-run exited $rc: $(tail -n3 "$OUT/slow.err")"
# Traced with output blocked, the storm runs at least half as fast as traced
# with output flowing: the kernel never waits for the reader.
if [ -n "$slow" ] && [ -n "$traced" ]; then
    [ $((slow * 2)) -ge "$traced" ] || problem "slow output held the workload up: $slow/s vs $traced/s"
else
    problem "slow output: no workload rate"
fi
note "forkstorm rates: untraced ${base:-?}/s, traced ${traced:-?}/s, traced with slow output ${slow:-?}/s"

if [ $failures -gt 0 ]; then
    note "soak: $failures problems (files in $OUT)"
    exit 1
fi
note "soak: no problem (files in $OUT)"
