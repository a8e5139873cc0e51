# SPDX-License-Identifier: GPL-2.0-or-later
# The process-tree model's on-CPU time of a busy thread (the sum of its
# onCPU-to-offCPU intervals, through forktree.lua --json) agrees with the
# kernel's own count (schedstat) within 2%: for a thread that burns CPU in
# one go, and for one that switches out hundreds of times.
source "$(dirname "$0")/../lib/common.sh"
before=$(stolen_ms)
"$KT" "$TOP/scripts/forktree.lua" --json -c "$TB/busy $WORK/busy.manifest" >"$WORK/busy.json" 2>"$WORK/busy.err"
rc=$?
export KEYTIME_TEST_STOLEN_MS=$(stolen_since "$before")
[ $rc -eq 0 ] || fail "keytime-run should return the workload's status 0, got $rc: $(cat "$WORK/busy.err")"
check check_oncpu.lua "$WORK/busy.json" "$WORK/busy.manifest" || fail "on-CPU times differ from schedstat"
assert_no_probes_left
