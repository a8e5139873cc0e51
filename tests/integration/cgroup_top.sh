# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/cgtop.lua: per cgroup, processes started, ended and crashed,
# execs, CPU and off-CPU time. Two cgroups the test makes: in one, a
# workload that forks a child exiting 3 and one that burns CPU (its
# threads' own schedstat is the truth); in the other, one killed by
# SIGSEGV. Checks the --json end report and the table.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/cgroup.sh"
require_probes

use_cgroup2
make_test_cgroup a b

run_in() {   # cgroup, command...: exec'd inside it (one exec counted there)
    local cg=$1
    shift
    sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CGROOT/$CG/$cg" "$@"
}

for mode in json table; do
    : >"$WORK/err"
    flag=; [ $mode = json ] && flag=--json
    "$KT" "$TOP/scripts/cgtop.lua" -g "$CG" --interval 0 $flag >"$WORK/$mode" 2>"$WORK/err" & tracer=$!
    wait_for "$WORK/err" attached 30 || fail "cgtop.lua did not attach"
    rm -f "$WORK/m" "$WORK/busy.$mode" "$WORK/go"
    run_in a "$TB/cgmember" "$WORK/m"
    run_in a "$TB/busy" "$WORK/busy.$mode"
    # not through run_in: $! must be the process that becomes cgmember
    sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CGROOT/$CG/b" "$TB/cgmember" "$WORK/m2" "$WORK/go" & victim=$!
    wait_for "$WORK/m2" "^pid" 10 || fail "the victim did not start"
    kill -SEGV $victim
    wait $victim 2>/dev/null
    "$TOP/keytime-ctl" -F -I $tracer >/dev/null
    wait_pid $tracer 30 || fail "cgtop.lua did not end"
    [ $status -eq 0 ] || fail "cgtop.lua exited $status: $(cat "$WORK/err")"
    rm -f "$WORK/m2"
done

# The busy workload's threads' own count of their CPU time, in ns.
truth=$(awk -F= '/_schedstat_ns=/ {s += $2} END {print s}' "$WORK/busy.json")
[ "${truth:-0}" -gt 0 ] || fail "no schedstat in $WORK/busy.json"
cat >"$WORK/check.lua" <<'EOF2'
local cjson = require "cjson"
local path, cg, truth, scale = arg[1], arg[2], tonumber(arg[3]), tonumber(arg[4])
local rows, bad = {}, 0
for line in io.lines(path) do
  local r = cjson.decode(line)
  if r.report == "total" then rows[r.cgroup] = r end
end
local function want(what, ok, got)
  if not ok then bad = bad + 1; print("FAIL: " .. what .. ": got " .. tostring(got)) end
end
local a, b = rows["/" .. cg .. "/a"], rows["/" .. cg .. "/b"]
want("a row for /" .. cg .. "/a", a ~= nil, cjson.encode(rows))
want("a row for /" .. cg .. "/b", b ~= nil, cjson.encode(rows))
if a and b then
  -- a: cgmember's fork; its child (exit 3), itself, busy; two execs
  want("a started", a.started == 1, a.started)
  want("a ended", a.ended == 3, a.ended)
  want("a crashed", a.crashed == 1, a.crashed)
  want("a execs", a.execs == 2, a.execs)
  want("a cpu_ns near busy's own count " .. truth, a.cpu_ns >= truth * 0.9 and a.cpu_ns <= truth + 2e8 * scale, a.cpu_ns)
  want("a off-CPU sleeping", (a.offcpu_ns.S or 0) > 0, cjson.encode(a.offcpu_ns))
  -- b: one process, killed
  want("b started", b.started == 0, b.started)
  want("b ended", b.ended == 1, b.ended)
  want("b crashed", b.crashed == 1, b.crashed)
  want("b execs", b.execs == 1, b.execs)
  want("b below a", b.cpu_ns < a.cpu_ns, b.cpu_ns)
end
for k in pairs(rows) do
  want("only the test's cgroups", k:find("^/" .. cg:gsub("%-", "%%-") .. "/") ~= nil, k)
end
os.exit(bad == 0 and 0 or 1)
EOF2
lua5.4 "$WORK/check.lua" "$WORK/json" "$CG" "$truth" "$TIME_SCALE" || fail "cgtop.lua --json: $(cat "$WORK/json")"
# The table: the busy cgroup first, its counts in the row.
grep -qE "^CGROUP +CPU_MS +STARTED +ENDED +CRASHED +EXECS +OFF-CPU MS BY STATE$" "$WORK/table" || fail "table heading: $(cat "$WORK/table")"
sed -n 3p "$WORK/table" | grep -qE "^/$CG/a +[0-9.]+ +1 +3 +1 +2  .*S:" || fail "table's first row: $(cat "$WORK/table")"
sed -n 4p "$WORK/table" | grep -qE "^/$CG/b +[0-9.]+ +0 +1 +1 +1  " || fail "table's second row: $(cat "$WORK/table")"
echo ok
