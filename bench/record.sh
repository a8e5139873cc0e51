#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What --record adds: keytime.lua --follow (output to /dev/null) on each
# workload mode, children and threads traced too, with and without --record,
# the two taking turns, medians of BENCH_ROUNDS (3). Run by hand: bash bench/record.sh (after make bench).
set -u
cd "$(dirname "$0")/.."
ROUNDS=${BENCH_ROUNDS:-3}
W=build/bench/workload
[ -x "$W" ] || { echo "record: build the workload first (make bench)" >&2; exit 1; }
tmp=$(mktemp -d /tmp/keytime-record.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
exec 9>/tmp/keytime-tests.lock; flock 9

elapsed() {   # the workload's own elapsed_ns from its key=value line
    sed -nE 's/.*elapsed_ns=([0-9]+).*/\1/p' "$1"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

printf '| mode | keytime.lua (ms) | with --record (ms) | ratio | recording size |\n|---|---|---|---|---|\n'
for spec in "fork 4000" "exec 1000" "thread 20000" "pingpong 40000"; do
    set -- $spec
    : >"$tmp/plain"; : >"$tmp/rec"
    for ((r = 0; r < ROUNDS; r++)); do
        ./keytime-run scripts/keytime.lua --follow -c "$W $1 $2 --cpu 1 --out $tmp/o1" >/dev/null 2>&1
        elapsed "$tmp/o1" >>"$tmp/plain"
        ./keytime-run --record "$tmp/t.kt" scripts/keytime.lua --follow -c "$W $1 $2 --cpu 1 --out $tmp/o2" >/dev/null 2>&1
        elapsed "$tmp/o2" >>"$tmp/rec"
    done
    a=$(median <"$tmp/plain"); b=$(median <"$tmp/rec")
    awk -v m="$1 $2" -v a="$a" -v b="$b" -v size="$(du -h "$tmp/t.kt" | cut -f1)" \
        'BEGIN { printf "| %s | %.1f | %.1f | %.2fx | %s |\n", m, a / 1e6, b / 1e6, b / a, size }'
done
