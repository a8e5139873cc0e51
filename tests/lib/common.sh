# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the integration tests: paths, waiting with a timeout, failing
# with what was expected and what came.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KT="${KT_BIN:-$TOP/keytime-run}"   # KT_BIN: another build (make asan, make valgrind)
TB="$TOP/tests/build"
WORK=$(mktemp -d /tmp/keytime-test.XXXXXX)
# A failing test must not leave its tracers and workloads behind (they would
# also keep holding the test lock below).
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"' EXIT

# Tests that load probes run one at a time, even from several checkouts:
# they assert that nothing of keytime is left loaded afterwards.
exec 9>/tmp/keytime-tests.lock
flock -w 900 9 || { echo "could not get the test lock" >&2; exit 1; }

# KEYTIME_TIME_SCALE: how much slower than real hardware this machine runs
# (8 under software emulation, set by make vmtest). Only checks of absolute
# timing that emulation alone breaks scale by it; elsewhere it is 1.
TIME_SCALE=${KEYTIME_TIME_SCALE:-1}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# wait_for FILE PATTERN [SECONDS]: until a line of FILE matches PATTERN.
wait_for() {
    local file=$1 pattern=$2 secs=${3:-30} i
    for ((i = 0; i < secs * 20; i++)); do
        grep -qE "$pattern" "$file" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "timed out after ${secs}s waiting for /$pattern/ in $file; it holds:" >&2
    sed 's/^/    /' "$file" >&2
    return 1
}

# wait_pid PID [SECONDS]: until PID (a child of this shell) ends; sets $status.
wait_pid() {
    local pid=$1 secs=${2:-60} i
    for ((i = 0; i < secs * 20; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid"; status=$?
            return 0
        fi
        sleep 0.05
    done
    echo "timed out after ${secs}s waiting for pid $pid to end" >&2
    kill -KILL "$pid" 2>/dev/null
    return 1
}

# free_pid: the highest pid not in use (after the pids wrap around, even
# pid_max - 1 can be a live kworker).
free_pid() {
    local p=$(($(cat /proc/sys/kernel/pid_max) - 1))
    while [ -e /proc/$p ] && [ $p -gt 300 ]; do p=$((p - 1)); done
    echo $p
}

# No BPF program or link of ours is still loaded. The kernel frees programs
# shortly after their last reference goes, so give it a few seconds.
# Nor a pin: the last tracer to leave removes /sys/fs/bpf/keytime too.
assert_no_probes_left() {
    local left i
    for ((i = 0; i < 100; i++)); do
        left=$( (bpftool prog show; bpftool link show) 2>/dev/null | grep -E 'name kt_|prog_name kt_' || true)
        [ -z "$left" ] && break
        sleep 0.05
    done
    [ -z "$left" ] || fail "probes still loaded 5 s after keytime-run ended: $left"
    [ ! -e /sys/fs/bpf/keytime ] || fail "pins left: $(find /sys/fs/bpf/keytime)"
}

# require_probes: the probes load here, or the test fails now (a test
# that accepts a tracer's failure must not pass where nothing loads).
require_probes() {
    local err
    printf "kt.on(\"exit\", function() end)\n" >"$WORK/require_probes.lua"
    err=$("$KT" "$WORK/require_probes.lua" -c true 2>&1 >/dev/null) || fail "the probes do not load on this kernel: $err"
}

check() {
    lua5.4 "$TOP/tests/lib/$1" "${@:2}"
}

# Interrupt and stolen time, all CPUs, in ms (/proc/stat: irq, softirq,
# steal). The kernel leaves it out of a thread's CPU time, but a switch
# interval holds it: a check of keytime's on-CPU sums against the kernel's
# count allows what stolen_ms grew by over the run (a host busy with other
# VMs once put a thread 8% above its count).
stolen_ms() {
    awk -v hz="$(getconf CLK_TCK)" '/^cpu /{print int(($7 + $8 + $9) * 1000 / hz)}' /proc/stat
}
# stolen_since MS: what stolen_ms grew by since MS, and a tick of rounding
# for each of the three counters.
stolen_since() {
    echo $(($(stolen_ms) - $1 + 3 * 1000 / $(getconf CLK_TCK)))
}
