# SPDX-License-Identifier: GPL-2.0-or-later
# --container with a real container runtime: podman (Debian's, rootful)
# runs a workload in an image made here from a root holding one static
# binary (podman import: no registry). keytime-run --container <12 digits
# of its id> sees the workload and its child, with container_id and the
# ids its own pid namespace gave them, and nothing of the same workload run
# on the host meanwhile. Ground truth: podman inspect, and what the
# workload wrote. Skipped where podman is not installed.
source "$(dirname "$0")/../lib/common.sh"
require_probes
command -v podman >/dev/null || { echo "no podman (tools/install-deps.sh installs it)"; exit 77; }
# Unpacking an image remounts /, which needs / to be a mount point: not so
# in a plain chroot (tools/fresh-machine.sh); a machine's root is one.
mountpoint -q / || { echo "/ is not a mount point (a chroot): podman cannot unpack images here"; exit 77; }

# podman 4.3 on a cgroup-v1/hybrid host: runc (crun refuses hybrid mode),
# cgroupfs (no systemd), limits it may not raise here. Storage of its own
# with the vfs driver: it needs no overlay module (the kernel-matrix guests
# load none) and leaves the host's podman storage alone.
POD=(--runtime runc --cgroup-manager cgroupfs --storage-driver vfs
     --root "$WORK/podman/root" --runroot "$WORK/podman/run")
RUN=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 --network none)
IMAGE=localhost/keytime-test-tiny
NAME=keytime-test-$$
trap 'kill $(jobs -p) 2>/dev/null; podman "${POD[@]}" rm -f $NAME >/dev/null 2>&1; podman "${POD[@]}" rmi -f $IMAGE >/dev/null 2>&1; rm -rf "$WORK"' EXIT

mkdir -p "$WORK/root/tmp" "$WORK/shared"
chmod 777 "$WORK/shared"
gcc -O2 -static -I"$TOP/tests/workload" -o "$WORK/root/cgmember" "$TOP/tests/workload/cgmember.c" ||
    fail "cannot build a static cgmember"
# Up to here only podman runs, no keytime: where podman itself cannot make
# a container (a kernel or root it does not support), say so and skip.
tar -C "$WORK/root" -c . | podman "${POD[@]}" import - $IMAGE >"$WORK/podman.err" 2>&1 ||
    { echo "podman cannot import an image here: $(tail -n 1 "$WORK/podman.err")"; exit 77; }
cid=$(podman "${POD[@]}" run -d --name $NAME "${RUN[@]}" -v "$WORK/shared:/w" $IMAGE /cgmember /w/out /w/go 2>"$WORK/podman.err") ||
    { echo "podman cannot run a container here: $(tail -n 1 "$WORK/podman.err")"; exit 77; }
[[ $cid =~ ^[0-9a-f]{64}$ ]] || fail "not a container id: $cid"
wait_for "$WORK/shared/out" "^pid" $((30 * TIME_SCALE)) || fail "the container's workload did not start"
host_pid=$(podman "${POD[@]}" inspect --format '{{.State.Pid}}' $NAME)
[ "${host_pid:-0}" -gt 0 ] || fail "no host pid for $NAME"

cat >"$WORK/record.lua" <<'EOF2'
kt.on("exit", function(e)
  print(("exit pid=%d nspid=%d container=%s"):format(e.pid, e.nspid, tostring(e.container_id)))
  io.stdout:flush()
end)
EOF2
: >"$WORK/err"
"$KT" -k0 "$WORK/record.lua" --container "${cid:0:12}" >"$WORK/out" 2>"$WORK/err" & tracer=$!
wait_for "$WORK/err" attached $((30 * TIME_SCALE)) || fail "tracer did not attach: $(cat "$WORK/err")"
"$TB/cgmember" "$WORK/host" "$WORK/shared/go" & host_wl=$!
touch "$WORK/shared/go"
wait $host_wl
podman "${POD[@]}" wait $NAME >/dev/null
wait_for "$WORK/out" "^exit pid=$host_pid " $((20 * TIME_SCALE)) || fail "no exit of the container's workload ($host_pid)"
"$TOP/keytime-ctl" -F -I $tracer >/dev/null
wait_pid $tracer $((30 * TIME_SCALE)) || fail "tracer did not end"

ns_pid=$(awk '$1 == "pid" {print $2}' "$WORK/shared/out")
ns_child=$(awk '$1 == "child" {print $2}' "$WORK/shared/out")
grep -qxF "exit pid=$host_pid nspid=$ns_pid container=$cid" "$WORK/out" ||
    fail "the workload's exit: $(cat "$WORK/out") (wanted pid $host_pid, nspid $ns_pid, $cid)"
grep -qE "^exit pid=[0-9]+ nspid=$ns_child container=$cid$" "$WORK/out" || fail "its child's exit: $(cat "$WORK/out")"
for p in $(awk '{print $2}' "$WORK/host"); do
    grep -q "^exit pid=$p " "$WORK/out" && fail "the host's workload $p was traced"
done
! grep -v "container=$cid$" "$WORK/out" | grep -q . || fail "events from outside the container: $(cat "$WORK/out")"

# A prefix no container has: one line, non-zero.
"$KT" "$WORK/record.lua" --container "${cid:0:12}0000000000" >/dev/null 2>"$WORK/bad" && fail "a wrong prefix accepted"
[ "$(wc -l <"$WORK/bad")" -eq 1 ] || fail "wrong prefix: $(cat "$WORK/bad")"
echo ok
