#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make fuzz: runs each libFuzzer target of build-fuzz/ for SECONDS, starting
# from its regression corpus (tests/fuzz/corpus/NAME, left untouched) plus
# what earlier runs found (build-fuzz/corpus/NAME). Crashes are kept in
# build-fuzz/crashes/; the figures go to build-fuzz/summary.txt.
#   tools/fuzz.sh SECONDS NAME...   fuzz
#   tools/fuzz.sh merge NAME...     add the new inputs that reach new code to
#                                   the regression corpus (minimized)
set -u
cd "$(dirname "$0")/.."
B=build-fuzz
mode=$1
shift

if [ "$mode" = merge ]; then
    for name in "$@"; do
        [ -d "$B/corpus/$name" ] || continue
        before=$(ls tests/fuzz/corpus/"$name" | wc -l)
        "$B/fuzz_$name" -merge=1 -max_len=8192 tests/fuzz/corpus/"$name" "$B/corpus/$name" \
            >"$B/merge-$name.log" 2>&1 || { echo "merge $name failed: see $B/merge-$name.log"; exit 1; }
        echo "$name: $before -> $(ls tests/fuzz/corpus/"$name" | wc -l) inputs in tests/fuzz/corpus/$name"
    done
    exit 0
fi

secs=$mode
mkdir -p "$B/crashes"
: >"$B/summary.txt"
found=0
for name in "$@"; do
    mkdir -p "$B/corpus/$name"
    dict=()
    [ -f "tests/fuzz/$name.dict" ] && dict=(-dict="tests/fuzz/$name.dict")
    log="$B/fuzz-$name.log"
    echo "fuzz $name: ${secs}s"
    "$B/fuzz_$name" -max_total_time="$secs" -max_len=8192 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$B/crashes/$name-" "${dict[@]}" \
        "$B/corpus/$name" tests/fuzz/corpus/"$name" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -n1 | cut -d' ' -f2)
    crashes=$(ls "$B/crashes" | grep -c "^$name-" || true)
    line="$name: ${execs:-0} executions in ${secs}s, coverage ${cov:-?} edges, corpus $(ls "$B/corpus/$name" | wc -l) (+$(ls tests/fuzz/corpus/"$name" | wc -l) regression), findings $crashes"
    echo "$line" | tee -a "$B/summary.txt"
    if [ $rc -ne 0 ] || [ "$crashes" -gt 0 ]; then
        found=1
        grep -m1 -A15 -E 'ERROR: (AddressSanitizer|libFuzzer)|runtime error|property failed' "$log" | sed 's/^/    /'
        echo "    log: $log; inputs: $B/crashes/$name-*"
    fi
done
if [ $found -ne 0 ]; then
    echo "fuzz: findings above; once fixed, copy each input into tests/fuzz/corpus/NAME/ as a regression test"
    exit 1
fi
echo "fuzz: no findings (summary in $B/summary.txt)"
