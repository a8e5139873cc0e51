#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make asan: the unit tests built with AddressSanitizer + UndefinedBehavior-
# Sanitizer (build-asan/tests/), then the whole test suite with the sanitized
# keytime-run (KT_BIN=build-asan/keytime-run). Every sanitizer report, from
# any test, is written to a log folder and listed at the end: the run fails
# if there is one, even when the test that caused it passed.
set -u
cd "$(dirname "$0")/.."
TOP=$PWD
B=build-asan
[ -x "$B/keytime-run" ] || { echo "asan: $B/keytime-run is missing (run make asan)"; exit 1; }

# World-writable: a test runs keytime-run as nobody, and its report must land.
logs=$(mktemp -d /tmp/keytime-asan.XXXXXX)
chmod 1777 "$logs"
export ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:exitcode=86:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1:exitcode=86"
export LSAN_OPTIONS="exitcode=86:suppressions=$TOP/tools/lsan.supp:print_suppressions=0"

failed=0
for t in "$B"/tests/unit_*; do
    [ -x "$t" ] || continue
    if out=$("$t" 2>&1); then
        echo "PASS asan $(basename "$t")"
    else
        failed=1
        echo "FAIL asan $(basename "$t")"
        sed 's/^/    /' <<<"$out"
    fi
done

KT_BIN="$TOP/$B/keytime-run" bash tests/run.sh | tee "$logs/suite.txt"
[ "${PIPESTATUS[0]}" -eq 0 ] || failed=1

reports=$(find "$logs" -name 'asan.*' -o -name 'ubsan.*' | sort)
if [ -n "$reports" ]; then
    failed=1
    echo "asan: sanitizer reports:"
    for r in $reports; do
        echo "---- $r"
        sed 's/^/    /' "$r"
    done
else
    echo "asan: no sanitizer report ($(grep -E '^[0-9]+ passed' "$logs/suite.txt"))"
fi
[ $failed -eq 0 ] && rm -rf "$logs"
exit $failed
