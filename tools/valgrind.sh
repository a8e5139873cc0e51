#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make valgrind: the unit tests, and the core integration tests with
# keytime-run, under valgrind memcheck. Fails on any memory error or
# definitely lost block. tools/valgrind.supp holds the only suppressions: the
# bpf() arguments libbpf leaves unset on purpose (see there).
#   tools/valgrind.sh [INTEGRATION_TEST...]   default: the core ones below
set -u
cd "$(dirname "$0")/.."
TOP=$PWD
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=(lifecycle_cmd cleanup errors drops)

logs=$(mktemp -d /tmp/keytime-valgrind.XXXXXX)
chmod 1777 "$logs"   # errors.sh runs keytime-run as nobody too
VG=(valgrind --tool=memcheck --error-exitcode=99 --leak-check=full
    --errors-for-leak-kinds=definite --show-leak-kinds=definite
    --suppressions="$TOP/tools/valgrind.supp" --child-silent-after-fork=yes
    --log-file="$logs/vg.%p.log")

# The tests run "$KT_BIN"; this one runs keytime-run under memcheck (the
# tool's /proc/self/exe stays keytime-run, so scripts are found as usual).
wrapper="$logs/keytime-run"
{
    echo '#!/bin/sh'
    printf 'exec'; printf ' %q' "${VG[@]}" "$TOP/keytime-run"; echo ' "$@"'
} >"$wrapper"
chmod 755 "$wrapper"

failed=0
run() {   # name, command...
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then
        echo "PASS valgrind $name"
    else
        failed=1
        echo "FAIL valgrind $name"
        sed 's/^/    /' <<<"$out" | tail -n 40
    fi
}
for t in tests/build/unit_*; do
    case $t in *unit_fuzz_*) continue;; esac   # built with ASan: not for valgrind
    [ -x "$t" ] && run "$(basename "$t")" "${VG[@]}" "$t"
done
for t in "${tests[@]}"; do
    run "$t" env KT_BIN="$wrapper" bash "tests/integration/$t.sh"
done

# Each keytime-run left a log: its error summary and leaks.
runs=0 bad=0
for log in "$logs"/vg.*.log; do
    [ -e "$log" ] || continue
    runs=$((runs + 1))
    if grep -qE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' "$log"; then
        bad=$((bad + 1))
        echo "---- $log"
        sed 's/^/    /' "$log"
    fi
done
echo "valgrind: $runs processes checked, $bad with errors or definite leaks"
[ $bad -eq 0 ] || failed=1
[ $runs -gt 0 ] || { echo "valgrind: nothing ran"; failed=1; }
[ $failed -eq 0 ] && rm -rf "$logs"
exit $failed
