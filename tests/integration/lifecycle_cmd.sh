# SPDX-License-Identifier: GPL-2.0-or-later
# keytime.lua --json -c WORKLOAD --follow: every lifecycle event of the
# workload and its descendants, with pids, links, statuses and argv.
source "$(dirname "$0")/../lib/common.sh"
for w in lifecycle lifecycle-static; do
    "$KT" "$TOP/scripts/keytime.lua" --json -x --follow -c "$TB/$w $WORK/$w.manifest" \
        >"$WORK/$w.jsonl" 2>"$WORK/$w.err"
    rc=$?
    [ $rc -eq 7 ] || fail "$w: keytime-run should return the command's status 7, got $rc: $(cat "$WORK/$w.err")"
    check check_lifecycle.lua "$WORK/$w.jsonl" "$WORK/$w.manifest" cmd-follow "$TB/$w" || fail "$w: events differ"
done
assert_no_probes_left
