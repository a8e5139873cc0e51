#!/usr/bin/env bash
# keytime's test suite: builds what it needs (installing missing Debian
# packages first), runs the unit tests and the integration tests that load
# the real probes, and ends with "N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.."
make -s all >/dev/null && make -s tests >/dev/null || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0 failed=0 skipped=0
run_one() {   # name, command...
    local name=$1 out rc
    shift
    out=$("$@" 2>&1); rc=$?
    if [ $rc -eq 0 ]; then
        passed=$((passed + 1)); echo "PASS $name"
    elif [ $rc -eq 77 ]; then
        skipped=$((skipped + 1)); echo "SKIP $name: $(tail -n1 <<<"$out")"
    else
        failed=$((failed + 1)); echo "FAIL $name"; sed 's/^/    /' <<<"$out"
    fi
}

only=${1:-}
for t in tests/build/unit_*; do
    [ -x "$t" ] && [[ -z $only || $t == *$only* ]] && run_one "$(basename "$t")" "$t"
done
for t in tests/unit/*.lua; do
    [[ -z $only || $t == *$only* ]] && run_one "$(basename "$t")" lua5.4 "$t"
done
for t in tests/integration/*.sh; do
    [[ -z $only || $t == *$only* ]] && run_one "$(basename "$t" .sh)" bash "$t"
done
echo "$passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
