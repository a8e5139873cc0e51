# SPDX-License-Identifier: GPL-2.0-or-later
# Targets by cgroup v2, uid and command name, decided in the kernel: a
# workload moved into a cgroup the test makes (and its child, and a child
# cgroup made while tracing) is traced, the same workload outside is not;
# likewise for a task of another user (uid 65534) and a command name; the
# Lua API and keytime-ctl do the same; bad input is one line, non-zero, and
# leaves nothing loaded. Ground truth: the pids the workloads wrote.
source "$(dirname "$0")/../lib/common.sh"
source "$(dirname "$0")/../lib/cgroup.sh"
require_probes

use_cgroup2
make_test_cgroup early

cat >"$WORK/record.lua" <<'EOF2'
-- Every lifecycle event as "kind pid tgid", at the end; with an argument,
-- the script itself targets that cgroup and prints kt.filter:list().
local lines = {}
if kt.args[1] then
  kt.filter:add_cgroup(kt.args[1])
  for _, t in ipairs(kt.filter:list()) do
    print(("target %s %s %s"):format(t.type, tostring(t.path or t.name or t.id), tostring(t.id)))
  end
  io.stdout:flush()
end
kt.on("*", function(e) lines[#lines + 1] = ("%s %d %d"):format(e.kind, e.pid, e.tgid) end)
kt.on("end", function() for _, l in ipairs(lines) do print(l) end end)
EOF2

# start_tracer OUT ARGS...: a tracer, attached (its pid in $tracer).
start_tracer() {
    local out=$1
    shift
    : >"$WORK/err"
    "$KT" -k0 "$@" >"$out" 2>"$WORK/err" & tracer=$!
    wait_for "$WORK/err" "attached" 30 || fail "tracer did not attach"
}
stop_tracer() {
    "$TOP/keytime-ctl" -F -I $tracer >/dev/null || fail "keytime-ctl -F failed"
    wait_pid $tracer 30 || fail "tracer did not end"
    [ $status -eq 0 ] || fail "tracer exited $status: $(cat "$WORK/err")"
}
# pids_of FILE: the pid and child pid a cgmember wrote.
pids_of() { awk '{print $2}' "$1"; }
# seen OUT PID: an exit event of PID is in OUT.
seen() { grep -qE "^exit $2 " "$1"; }

# ---- --cgroup: moved in while traced, its child, a child cgroup made later
start_tracer "$WORK/out" "$WORK/record.lua" --cgroup "$CG"
"$TB/cgmember" "$WORK/in" "$WORK/go" & inside=$!
"$TB/cgmember" "$WORK/out_of" "$WORK/go" & outside=$!
wait_for "$WORK/in" "^pid" 10 && wait_for "$WORK/out_of" "^pid" 10 || fail "workloads did not start"
echo $inside >"$CGROOT/$CG/early/cgroup.procs" || fail "cannot move $inside into $CG/early"
mkdir "$CGROOT/$CG/later" || fail "cannot make $CG/later"
"$TB/cgmember" "$WORK/later" "$WORK/go" & later=$!
wait_for "$WORK/later" "^pid" 10 || fail "the third workload did not start"
echo $later >"$CGROOT/$CG/later/cgroup.procs" || fail "cannot move $later into $CG/later"
touch "$WORK/go"
wait $inside $outside $later
wait_for "$WORK/later" "^child" 10 || fail "the workload in $CG/later did not finish"
stop_tracer
for p in $(pids_of "$WORK/in") $(pids_of "$WORK/later"); do
    seen "$WORK/out" $p || fail "no exit of $p (in $CG): $(cat "$WORK/out")"
done
grep -qE "^fork_exit $inside " "$WORK/out" || fail "no fork_exit for $inside's child"
for p in $(pids_of "$WORK/out_of"); do
    grep -qE "^[a-z_]+ $p " "$WORK/out" && fail "$p, outside $CG, was traced: $(grep " $p " "$WORK/out")"
done
rm -f "$WORK/go"

# ---- kt.filter:add_cgroup from the script, and list()
start_tracer "$WORK/out2" "$WORK/record.lua" "$CGROOT/$CG"
wait_for "$WORK/out2" "^target cgroup" 10 || fail "list() shows no cgroup target"
id=$(stat -c %i "$CGROOT/$CG")
grep -qE "^target cgroup /$CG $id$" "$WORK/out2" || fail "list(): $(cat "$WORK/out2") (expected /$CG, id $id)"
sh -c "echo \$\$ >'$CGROOT/$CG/cgroup.procs'; exec '$TB/cgmember' '$WORK/lua'"
stop_tracer
for p in $(pids_of "$WORK/lua"); do seen "$WORK/out2" $p || fail "add_cgroup: no exit of $p"; done

# ---- --uid: a real other user
chmod o+x "$WORK"   # uid 65534 writes into shared/
mkdir -m 777 "$WORK/shared"
start_tracer "$WORK/out3" "$WORK/record.lua" --uid nobody
setpriv --reuid=65534 --regid=65534 --clear-groups "$TB/cgmember" "$WORK/shared/nobody" || fail "setpriv failed"
"$TB/cgmember" "$WORK/shared/root"
stop_tracer
for p in $(pids_of "$WORK/shared/nobody"); do seen "$WORK/out3" $p || fail "--uid nobody: no exit of $p"; done
for p in $(pids_of "$WORK/shared/root"); do
    grep -qE "^[a-z_]+ $p " "$WORK/out3" && fail "--uid nobody traced root's $p"
done

# ---- --comm, and keytime-ctl adding a uid target to a running tracer
cp "$TB/cgmember" "$WORK/ktcommtest"
start_tracer "$WORK/out4" "$WORK/record.lua" --comm ktcommtest
"$WORK/ktcommtest" "$WORK/named"
"$TB/cgmember" "$WORK/unnamed"
"$TOP/keytime-ctl" -a -u 65534 -I $tracer >/dev/null || fail "keytime-ctl -a -u failed"
"$TOP/keytime-ctl" -l | grep -E "^$tracer " | grep -q "uid:65534" || fail "keytime-ctl -l: $("$TOP/keytime-ctl" -l)"
setpriv --reuid=65534 --regid=65534 --clear-groups "$TB/cgmember" "$WORK/shared/nobody2"
stop_tracer
for p in $(pids_of "$WORK/named") $(pids_of "$WORK/shared/nobody2"); do
    seen "$WORK/out4" $p || fail "--comm/ctl -u: no exit of $p: $(cat "$WORK/out4")"
done
for p in $(pids_of "$WORK/unnamed"); do
    grep -qE "^[a-z_]+ $p " "$WORK/out4" && fail "--comm ktcommtest traced cgmember's $p"
done

# ---- bad input: one line, non-zero, nothing left loaded
check_refused() {   # what, command...
    local what=$1 rc
    shift
    "$@" >/dev/null 2>"$WORK/bad"; rc=$?
    [ $rc -ne 0 ] || fail "$what: exit status 0"
    [ "$(wc -l <"$WORK/bad")" -eq 1 ] || fail "$what: not one line: $(cat "$WORK/bad")"
}
check_refused "missing cgroup" "$KT" "$WORK/record.lua" --cgroup "$CG/no-such"
grep -q "no such cgroup" "$WORK/bad" || fail "missing cgroup: $(cat "$WORK/bad")"
check_refused "not a cgroup" "$KT" "$WORK/record.lua" --cgroup /etc/..
check_refused "unknown user" "$KT" "$WORK/record.lua" --uid no-such-user-kt
grep -q "no such user: no-such-user-kt" "$WORK/bad" || fail "unknown user: $(cat "$WORK/bad")"
check_refused "empty comm" "$KT" "$WORK/record.lua" --comm ""
check_refused "no such container" "$KT" "$WORK/record.lua" --container 0000000000000000000000000000000000000000000000000000000000000000
grep -q "no container's cgroup matches" "$WORK/bad" || fail "no such container: $(cat "$WORK/bad")"
check_refused "keytime-ctl, missing cgroup" "$TOP/keytime-ctl" -a -g "$CG/no-such"
assert_no_probes_left
echo "ok"
