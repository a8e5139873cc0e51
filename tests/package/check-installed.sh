#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Runs inside a fresh Debian 12 root (tools/fresh-machine.sh --deb FILE):
# installs keytime's .deb with apt-get, as a user would, and checks that the
# installed tools run a stock script by name against a real workload.
# Prints "N passed, N failed".
set -u
deb=$1
passed=0 failed=0
check() {   # description, then a command that must succeed
    local what=$1; shift
    if "$@"; then passed=$((passed + 1)); echo "PASS $what"
    else failed=$((failed + 1)); echo "FAIL $what"; fi
}

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends "$deb" >/tmp/apt.log 2>&1 ||
    { tail -n 20 /tmp/apt.log; echo "0 passed, 1 failed"; exit 1; }
version=$(dpkg-deb -f "$deb" Version)

check "keytime-run is /usr/sbin/keytime-run" test "$(command -v keytime-run)" = /usr/sbin/keytime-run
check "keytime-ctl is installed" test -x /usr/sbin/keytime-ctl
check "--version says the package's version ($version)" \
    test "$(keytime-run --version)" = "keytime-run $version"
check "the man pages are installed" test -s /usr/share/man/man8/keytime-run.8.gz
check "the bash completion is installed" test -s /usr/share/bash-completion/completions/keytime-run
check "keytime-run lists the stock scripts from /usr/share/keytime" \
    sh -c 'keytime-run --list-scripts 2>&1 | grep -q forktree'

# A stock script by name on a real workload: a shell that records its own
# pid and exits with status 3. keytime.lua --json must report that pid's
# exit with code 3.
out=/tmp/keytime-installed.jsonl
rm -f /tmp/workload.pid
keytime-run keytime.lua --json -c "sh -c 'echo \$\$ >/tmp/workload.pid; exit 3'" >"$out" 2>/tmp/keytime.err
rc=$?
pid=$(cat /tmp/workload.pid 2>/dev/null)
check "keytime-run ends with the command's status, 3 (got $rc; $(head -c 300 /tmp/keytime.err))" test $rc -eq 3
check "the workload wrote its pid" test -n "$pid"
# The minimal root has no JSON tool: the keys come in a fixed order.
check "keytime.lua --json reports pid $pid exiting with code 3" \
    grep -qE "^\\{\"event\":\"exit\",.*\"pid\":$pid,.*\"exit_code\":3," "$out"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
