# SPDX-License-Identifier: GPL-2.0-or-later
# Who each event's thread is: a workload in a new pid namespace (unshare),
# run as uid 65534, in a cgroup named as podman names a container's. Its
# events carry the ids its own getpid() gave (nspid), the namespace's inode,
# the uid and gid, the cgroup's id and path, and the container id in it;
# the same in keytime.lua --json and the Lua event. Ground truth: what the
# workload wrote, /proc and stat.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/cgroup.sh"
require_probes
command -v unshare >/dev/null || { echo "no unshare"; exit 77; }
# unshare --mount-proc makes / private, which needs / to be a mount point:
# not so in a plain chroot (tools/fresh-machine.sh); a machine's root is one.
mountpoint -q / || { echo "/ is not a mount point (a chroot): unshare --mount-proc cannot run here"; exit 77; }

use_cgroup2
ID=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')   # a podman container's id
[ ${#ID} -eq 64 ] || fail "could not make an id: $ID"
make_test_cgroup libpod-$ID
CG=$CG/libpod-$ID

cat >"$WORK/ident.lua" <<'EOF2'
-- exit events: who the thread is, one line each; also e:json() agrees.
local cjson = require "cjson"
kt.on("exit", function(e)
  local j = cjson.decode(e:json())
  for _, k in ipairs({ "uid", "gid", "cgroup_id", "cgroup", "container_id", "nspid", "nstgid", "pidns" }) do
    if j[k] ~= e[k] then print("DISAGREE " .. k .. " " .. tostring(j[k]) .. " " .. tostring(e[k])) end
  end
  print(("exit pid=%d nspid=%d nstgid=%d pidns=%d uid=%d gid=%d cgroup_id=%d cgroup=%s container=%s"):format(
    e.pid, e.nspid, e.nstgid, e.pidns, e.uid, e.gid, e.cgroup_id, tostring(e.cgroup), tostring(e.container_id)))
  io.stdout:flush()
end)
-- switch events (their ids are read by the switch probe, apart from the exit's):
-- each distinct identity of a thread once
local seen = {}
local function switched(e)
  local line = ("switch pid=%d nspid=%d nstgid=%d pidns=%d uid=%d gid=%d cgroup_id=%d"):format(
    e.pid, e.nspid, e.nstgid, e.pidns, e.uid, e.gid, e.cgroup_id)
  if not seen[line] then seen[line] = true; print(line); io.stdout:flush() end
end
kt.on("offcpu", switched)
kt.on("oncpu", switched)
EOF2

chmod o+x "$WORK"
mkdir -m 777 "$WORK/shared"
: >"$WORK/err"
"$KT" -k1 "$WORK/ident.lua" --cgroup "kt-test-$$" >"$WORK/out" 2>"$WORK/err" & tracer=$!
wait_for "$WORK/err" attached 30 || fail "tracer did not attach"
unshare --pid --fork --mount-proc sh -c \
    "echo \$\$ >'$CGROOT/$CG/cgroup.procs' && exec setpriv --reuid=65534 --regid=65534 --clear-groups '$TB/cgmember' '$WORK/shared/ns' '$WORK/shared/go'" &
wait_for "$WORK/shared/ns" "^pid" 10 || fail "the workload did not start"
host_pid=$(cat "$CGROOT/$CG/cgroup.procs")
[ -n "$host_pid" ] || fail "nothing in $CG"
pidns=$(stat -L -c %i /proc/$host_pid/ns/pid)
[ "$pidns" != "$(stat -L -c %i /proc/self/ns/pid)" ] || fail "unshare made no pid namespace"
touch "$WORK/shared/go"
wait_for "$WORK/shared/ns" "^child" 10 || fail "the workload did not finish"
ns_pid=$(awk '$1 == "pid" {print $2}' "$WORK/shared/ns")
ns_child=$(awk '$1 == "child" {print $2}' "$WORK/shared/ns")
cg_id=$(stat -c %i "$CGROOT/$CG")
wait_for "$WORK/out" "^exit pid=$host_pid " 10 || fail "no exit of $host_pid"
"$TOP/keytime-ctl" -F -I $tracer >/dev/null
wait_pid $tracer 30 || fail "tracer did not end"

! grep -q DISAGREE "$WORK/out" || fail "e:json() and e disagree: $(grep DISAGREE "$WORK/out")"
want="exit pid=$host_pid nspid=$ns_pid nstgid=$ns_pid pidns=$pidns uid=65534 gid=65534 cgroup_id=$cg_id cgroup=/$CG container=$ID"
grep -qxF "$want" "$WORK/out" || fail "the workload's exit: wanted
    $want
got $(cat "$WORK/out")"
grep -qE "^exit pid=[0-9]+ nspid=$ns_child nstgid=$ns_child pidns=$pidns uid=65534 gid=65534 cgroup_id=$cg_id cgroup=/$CG container=$ID$" "$WORK/out" ||
    fail "its child's exit (nspid $ns_child): $(cat "$WORK/out")"
# its switches: the same namespace ids every time (the uid was root's
# until setpriv changed it)
switches=$(grep "^switch pid=$host_pid " "$WORK/out")
grep -qxF "switch pid=$host_pid nspid=$ns_pid nstgid=$ns_pid pidns=$pidns uid=65534 gid=65534 cgroup_id=$cg_id" <<<"$switches" &&
    ! grep -v "^switch pid=$host_pid nspid=$ns_pid nstgid=$ns_pid pidns=$pidns uid=\(0\|65534\) gid=\(0\|65534\) cgroup_id=$cg_id$" <<<"$switches" ||
    fail "the workload's switch events: $switches"

# The idle tasks (pid 0, one per CPU) switch too: ids 0 in the initial pid
# namespace, whose inode the kernel fixes (PROC_PID_INIT_INO, 0xEFFFFFFC;
# include/linux/proc_ns.h). A probe that took a zeroed record or
# another task's ids for theirs fails this.
cat >"$WORK/idle.lua" <<'EOF2'
kt.filter.all = true
local seen = {}
kt.on("offcpu", function(e)
  if e.pid ~= 0 then return end
  local line = ("idle nspid=%d nstgid=%d pidns=%d"):format(e.nspid, e.nstgid, e.pidns)
  if not seen[line] then seen[line] = true; print(line) end
end)
kt.after(300, function() kt.stop() end)
EOF2
"$KT" "$WORK/idle.lua" >"$WORK/idle" 2>"$WORK/err" || fail "all tasks: $(cat "$WORK/err")"
[ "$(cat "$WORK/idle")" = "idle nspid=0 nstgid=0 pidns=$((0xEFFFFFFC))" ] ||
    fail "the idle tasks' ids: $(cat "$WORK/idle")"

# keytime.lua's columns, targeting the container by a prefix of its id
: >"$WORK/err"
"$KT" -k0 "$TOP/scripts/keytime.lua" --container "${ID:0:12}" --show-cgroup --show-container >"$WORK/table" 2>"$WORK/err" & tracer=$!
wait_for "$WORK/err" attached 30 || fail "keytime.lua did not attach"
sh -c "echo \$\$ >'$CGROOT/$CG/cgroup.procs' && exec /bin/true"
"$TOP/keytime-ctl" -F -I $tracer >/dev/null
wait_pid $tracer 30 || fail "keytime.lua did not end"
grep -q "CGROUP .* CONTAINER .* EVENT" "$WORK/table" || fail "no CGROUP/CONTAINER headings: $(head -3 "$WORK/table")"
grep -qE " ${ID:0:12} +exit " "$WORK/table" || fail "no container column: $(cat "$WORK/table")"
echo ok
