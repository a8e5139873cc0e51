# SPDX-License-Identifier: GPL-2.0-or-later
# docs/lua-api.md against the runtime, both ways: every name the runtime
# exposes to Lua (kt, kt.filter, kt.opts, kt.stats(), kt.on's names, each
# event kind's fields on real events, lua/keytime modules) is documented,
# and every documented name exists.
source "$(dirname "$0")/../lib/common.sh"

# Every event kind, from the lifecycle workload and its descendants.
"$KT" "$TOP/tests/lib/api_names.lua" "$WORK/full" "$TOP" full --follow \
    -c "$TB/lifecycle $WORK/manifest" >/dev/null 2>"$WORK/err"
rc=$?
[ $rc -eq 7 ] || fail "api_names.lua under -c lifecycle: status $rc (expected the workload's 7): $(cat "$WORK/err")"

# kt.opts shows pid, tgid and output only when given: one short run with each.
sleep 60 & sleeper=$!
"$KT" "$TOP/tests/lib/api_names.lua" "$WORK/tgid" "$TOP" --tgid $sleeper -o "$WORK/tgid.out" 2>"$WORK/err" \
    || fail "api_names.lua --tgid: $(cat "$WORK/err")"
"$KT" "$TOP/tests/lib/api_names.lua" "$WORK/pid" "$TOP" --pid $sleeper 2>"$WORK/err" \
    || fail "api_names.lua --pid: $(cat "$WORK/err")"
kill $sleeper; wait $sleeper 2>/dev/null

lua5.4 "$TOP/tests/lib/check_docs.lua" "$TOP/docs/lua-api.md" "$WORK/full" "$WORK/tgid" "$WORK/pid" \
    || fail "docs/lua-api.md and the runtime differ (above)"
assert_no_probes_left
