# SPDX-License-Identifier: GPL-2.0-or-later
# forktree.lua marks a process whose cgroup differs from its parent's: a
# workload stays in one cgroup v2 the test makes (a) and starts children
# that each write their own pid into a cgroup (a again, a plain one, one
# named as a systemd unit, one named as podman names a container's) and
# then fork a grandchild there. The text tree marks exactly the three that
# moved ([cgroup ...], [unit ...], [container ...]); --json has each node's
# cgroup and differs_from_parent. Ground truth: the pids and cgroups the
# workload wrote.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/cgroup.sh"
require_probes
use_cgroup2
ID=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')   # a podman container's id
[ ${#ID} -eq 64 ] || fail "could not make an id: $ID"
SUBS="a b kt-demo.service libpod-$ID"
make_test_cgroup $SUBS

cat >"$WORK/workload.sh" <<'EOF2'
# workload.sh MANIFEST CGDIR SUB...: this shell moves into CGDIR/a and stays;
# for each SUB a child writes its own pid into CGDIR/SUB, then forks a
# grandchild there. Each writes "ROLE PID SUB" to MANIFEST.
m=$1 cg=$2
shift 2
echo $$ >"$cg/a/cgroup.procs" || exit 1
echo "parent $$ a" >>"$m"
for sub in "$@"; do
    sh -c 'echo $$ >"$1/$2/cgroup.procs" || exit 1; echo "child $$ $2" >>"$3"; /bin/true & echo "grandchild $! $2" >>"$3"; wait' \
        sh "$cg" "$sub" "$m" || exit 1
done
EOF2

for mode in text json; do
    flag=; [ $mode = json ] && flag=--json
    "$KT" "$TOP/scripts/forktree.lua" $flag -c "sh $WORK/workload.sh $WORK/$mode.m $CGROOT/$CG $SUBS" \
        >"$WORK/$mode" 2>"$WORK/$mode.err" || fail "forktree.lua $flag failed: $(cat "$WORK/$mode.err")"
    [ "$(grep -c '^child ' "$WORK/$mode.m")" -eq 4 ] || fail "$mode: the workload did not run: $(cat "$WORK/$mode.m")"
done

# The text tree: a marker on each child that moved, none elsewhere.
marker() {   # SUB: the marker a child that moved there gets ("" for a)
    case $1 in
        a) echo "" ;;
        b) echo "[cgroup /$CG/b]" ;;
        kt-demo.service) echo "[unit kt-demo.service]" ;;
        libpod-*) echo "[container ${ID:0:12}]" ;;
    esac
}
kind_of() { sed -E 's/^[^(]*[(][0-9]+[)] \[([a-z]+)\].*/\1/' <<<"$1"; }
while read -r role pid sub; do
    line=$(grep -E "[(]$pid[)] \[" "$WORK/text") || fail "no line for $role $pid: $(cat "$WORK/text")"
    want=
    [ "$role" = child ] && want=$(marker "$sub")
    if [ -n "$want" ]; then
        grep -qF "($pid) [$(kind_of "$line")] $want " <<<"$line" || fail "$role $pid (moved to $sub): wanted $want in: $line"
    else
        grep -qE "[(]$pid[)] \[[a-z]+\] (exec|cmd):" <<<"$line" || fail "$role $pid (in $sub with its parent): a marker: $line"
    fi
done <"$WORK/text.m"
n=$(grep -cE '[(][0-9]+[)] \[[a-z]+\] \[' "$WORK/text")
[ "$n" -eq 3 ] || fail "$n lines with a marker, wanted 3: $(cat "$WORK/text")"

# --json: each node's cgroup, and differs_from_parent on exactly the movers.
cat >"$WORK/check.lua" <<'EOF2'
local cjson = require "cjson"
local out, manifest, cg = arg[1], arg[2], arg[3]
local f = assert(io.open(out))
local doc = cjson.decode(f:read("a"))
f:close()
local nodes = {}
local function walk(n)
  nodes[n.pid] = n
  for _, c in ipairs(n.children) do walk(c) end
end
for _, r in ipairs(doc.roots) do walk(r) end
local WANT = { a = cjson.null, b = "cgroup", ["kt-demo.service"] = "unit" }
local bad = 0
local function want(what, ok, got)
  if not ok then bad = bad + 1; print("FAIL: " .. what .. ": got " .. tostring(got)) end
end
for line in io.lines(manifest) do
  local role, pid, sub = line:match("^(%a+) (%d+) (%S+)$")
  local n = nodes[tonumber(pid)]
  want(line .. ": a node", n ~= nil, cjson.encode(doc))
  if n then
    want(line .. ": its cgroup", n.cgroup == "/" .. cg .. "/" .. sub, n.cgroup)
    local differs = role == "child" and (WANT[sub] or "container") or cjson.null
    if differs == cjson.null then differs = nil end
    want(line .. ": differs_from_parent", n.differs_from_parent == differs, n.differs_from_parent)
    local id = sub:match("^libpod%-(%x+)$")
    want(line .. ": container_id", n.container_id == id, n.container_id)
    want(line .. ": unit", n.unit == (sub == "kt-demo.service" and sub or nil), n.unit)
  end
end
os.exit(bad == 0 and 0 or 1)
EOF2
lua5.4 "$WORK/check.lua" "$WORK/json" "$WORK/json.m" "$CG" || fail "--json: $(cat "$WORK/json")"
assert_no_probes_left
echo ok
