#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# keytime's test suite: builds what it needs (installing missing Debian
# packages first), runs the unit tests and the integration tests that load
# the real probes, and ends with "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
make -s all >/dev/null && make -s tests >/dev/null || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0 skipped=0
# Each test in a session of its own, output to a file: whatever it leaves
# running (a workload blocked on a FIFO, say) is killed afterwards and
# cannot hold the runner up; one that runs too long fails (TEST_TIMEOUT s).
# KEYTIME_TEST_RETRIES=N (the kernel-matrix guests set 1: software emulation,
# about 8x slower, stretches the timing of a few tests): a failed test runs
# again up to N times; each failure before a pass is printed in full.
attempt() {   # command...: sets out and rc
    local pid log
    log=$(mktemp /tmp/keytime-run.XXXXXX)
    setsid timeout -k 10 "${TEST_TIMEOUT:-900}" "$@" >"$log" 2>&1 </dev/null &
    pid=$!
    wait $pid; rc=$?
    kill -KILL -- -$pid 2>/dev/null
    out=$(cat "$log"); rm -f "$log"
    [ $rc -eq 124 ] && out+=$'\n'"timed out after ${TEST_TIMEOUT:-900} s"
}
run_one() {   # name, command...
    local name=$1 out rc try start=$SECONDS took
    shift
    attempt "$@"
    for ((try = 1; try <= ${KEYTIME_TEST_RETRIES:-0}; try++)); do
        [ $rc -eq 0 ] || [ $rc -eq 77 ] && break
        echo "RETRY $name (attempt $try failed):"; sed 's/^/    /' <<<"$out"
        attempt "$@"
    done
    took="($((SECONDS - start)) s)"   # retries included: what sets TEST_TIMEOUT
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1)); echo "PASS $name $took"
    elif [ $rc -eq 77 ]; then
        skipped=$((skipped + 1)); echo "SKIP $name $took: $(tail -n1 <<<"$out")"
    else
        failed=$((failed + 1)); echo "FAIL $name $took"; sed 's/^/    /' <<<"$out"
    fi
}

# tests/run.sh [NAME[,NAME...]]: only the tests whose file name contains one of them.
IFS=, read -ra only <<<"${1:-}"
wanted() {
    local name
    [ ${#only[@]} -eq 0 ] && return 0
    for name in "${only[@]}"; do [[ $1 == *$name* ]] && return 0; done
    return 1
}
for t in tests/build/unit_*; do
    [ -x "$t" ] && wanted "$t" && run_one "$(basename "$t")" "$t"
done
for t in tests/unit/*.lua; do
    wanted "$t" && run_one "$(basename "$t")" lua5.4 "$t"
done
for t in tests/integration/*.sh; do
    wanted "$t" && run_one "$(basename "$t" .sh)" bash "$t"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
