#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# tools/image-check.sh DEB: the container image of deploy/ built and run as
# the DaemonSet runs it (`make image-check`, after `make deb-check`).
#  - the base is the minimal Debian 12 root of tools/fresh-machine.sh,
#    imported with `podman import` (no registry); deploy/Containerfile
#    installs DEB in it with apt-get;
#  - the image's exporter runs with the DaemonSet's host pid namespace,
#    capabilities (all dropped, then BPF, PERFMON, SYS_ADMIN, SYS_RESOURCE)
#    and mounts, and a real Prometheus scrapes it: the counts it stores for
#    a workload with known ends (tests/workload/known_ends.c) are the
#    workload's own;
#  - with CAP_SYS_ADMIN dropped too it fails with one line, not silently;
#  - deploy/keytime-daemonset.yaml has the fields the image needs.
# Prints "N passed, N failed"; exits 0 only if all passed. Leaves no
# container behind (the images stay, as a cache).
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
DEB=$(realpath "${1:?usage: image-check.sh DEB}")
CACHE=${KEYTIME_FRESH_CACHE:-/var/cache/keytime-fresh}
ARCH=$(dpkg --print-architecture)
TARBALL=$CACHE/bookworm-minbase-make-$ARCH.tar.gz
VERSION=$(dpkg-deb -f "$DEB" Version)
BASE=localhost/keytime-base:bookworm
IMAGE=localhost/keytime:$VERSION
NAME=keytime-image-check-$$
MANIFEST=$TOP/deploy/keytime-daemonset.yaml
TIME_SCALE=${KEYTIME_TIME_SCALE:-1}
WORK=$(mktemp -d /tmp/keytime-image.XXXXXX)
passed=0 failed=0
say() { echo "image-check: $*" >&2; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
pass() { passed=$((passed + 1)); echo "PASS $*"; }
finish() {
    podman rm -f "$NAME" >/dev/null 2>&1
    [ -n "${prom:-}" ] && kill "$prom" 2>/dev/null && wait "$prom" 2>/dev/null
    rm -rf "$WORK"
    echo "$passed passed, $failed failed"
    [ $failed -eq 0 ] && [ $passed -gt 0 ]
}
trap 'finish; exit $?' EXIT
trap 'exit 130' INT TERM
source "$TOP/tests/lib/prom.sh"

command -v podman >/dev/null || bash "$TOP/tools/install-deps.sh" podman >/dev/null ||
    { fail "cannot install podman"; exit 1; }
command -v prometheus >/dev/null || bash "$TOP/tools/install-deps.sh" prometheus >/dev/null ||
    { fail "cannot install prometheus"; exit 1; }
[ -s "$TARBALL" ] || { fail "no minimal root at $TARBALL: run make deb-check first"; exit 1; }

# ---- the manifest ---------------------------------------------------------------
manifest_has() {   # description, then an extended regex a line must match
    grep -qE -- "$2" "$MANIFEST" && pass "manifest: $1" || fail "manifest: $1 (no line matches '$2')"
}
manifest_has "a DaemonSet" '^kind: DaemonSet$'
manifest_has "the host's pid namespace" '^ +hostPID: true$'
manifest_has "not privileged" '^ +privileged: false$'
for cap in BPF PERFMON SYS_ADMIN SYS_RESOURCE; do
    manifest_has "capability $cap" "^ +- $cap$"
done
manifest_has "all other capabilities dropped" '^ +drop: \["ALL"\]$'
for path in /sys/kernel/btf /sys/fs/bpf /sys/fs/cgroup; do
    manifest_has "$path from the host" "^ +path: $path$"
done
manifest_has "a scrape annotation" '^ +prometheus.io/scrape: "true"$'
manifest_has "the scrape port" '^ +prometheus.io/port: "9464"$'
manifest_has "a memory limit" '^ +memory: [0-9]+Mi$'
manifest_has "a CPU limit" '^ +cpu: [0-9]+m$'
manifest_has "runs exporter.lua" 'exporter\.lua|args: \["--listen"'

# ---- the image ------------------------------------------------------------------
start=$SECONDS
if ! podman image exists "$BASE"; then
    podman import --change 'CMD ["/bin/bash"]' "$TARBALL" "$BASE" >"$WORK/import.log" 2>&1 ||
        { fail "podman import of $TARBALL: $(tail -n 3 "$WORK/import.log")"; exit 1; }
fi
cp "$DEB" "$WORK/"
# The packages apt-get fetches are kept with the fresh-machine root's.
mkdir -p "$CACHE/apt-archives/partial"
if podman build -q -f "$TOP/deploy/Containerfile" --build-arg BASE="$BASE" \
        -v "$CACHE/apt-archives:/var/cache/apt/archives" -t "$IMAGE" "$WORK" >"$WORK/build.log" 2>&1; then
    pass "the image builds from deploy/Containerfile ($((SECONDS - start)) s)"
else
    fail "podman build: $(tail -n 5 "$WORK/build.log")"; exit 1
fi
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")
say "image $IMAGE: $((size / 1048576)) MB"

# The test suite's lock: its "no probe left" checks must not see ours.
exec 9>/tmp/keytime-tests.lock
flock -w 900 9 || { fail "could not get the test lock /tmp/keytime-tests.lock"; exit 1; }

# run_image NAME CAPS... -- ARGS: the exporter as the DaemonSet runs it.
# (Explicit ulimits: podman's defaults raise them, which runc may not do
# once the capabilities are dropped.)
run_image() {
    local name=$1; shift
    local caps=()
    while [ "$1" != -- ]; do caps+=(--cap-add "$1"); shift; done
    shift
    podman run -d --name "$name" --pid=host --network=host --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 --cap-drop=all "${caps[@]}" \
        --security-opt label=disable \
        -v /sys/kernel/btf:/sys/kernel/btf:ro -v /sys/fs/bpf:/sys/fs/bpf \
        -v /sys/fs/cgroup:/sys/fs/cgroup:ro \
        "$IMAGE" "$@"
}

# ---- without CAP_SYS_ADMIN: one clear line, a non-zero exit ------------------------
podman run --rm --pid=host --network=host --ulimit nofile=4096:4096 --ulimit nproc=4096:4096 --cap-drop=all --cap-add BPF --cap-add PERFMON \
    --security-opt label=disable -v /sys/kernel/btf:/sys/kernel/btf:ro "$IMAGE" \
    --listen 127.0.0.1:0 >"$WORK/nocap.out" 2>&1
rc=$?
if [ $rc -ne 0 ] && [ "$(grep -c . "$WORK/nocap.out")" -le 2 ] && grep -q "keytime-run" "$WORK/nocap.out"; then
    pass "without CAP_SYS_ADMIN: exit $rc, $(head -n 1 "$WORK/nocap.out")"
else
    fail "without CAP_SYS_ADMIN: exit $rc: $(head -n 5 "$WORK/nocap.out")"
fi

# ---- the exporter scraped by Prometheus ------------------------------------------
port=$(free_port)
run_image "$NAME" BPF PERFMON SYS_ADMIN SYS_RESOURCE -- --listen "127.0.0.1:$port" --interval 0.2 \
    >"$WORK/run.log" 2>&1 || { fail "podman run: $(tail -n 3 "$WORK/run.log")"; exit 1; }
for ((i = 0; i < 120 * TIME_SCALE; i++)); do
    http_get "127.0.0.1:$port" /metrics 2 | grep -q '^# TYPE keytime_process_starts_total' && break
    [ "$(podman inspect -f '{{.State.Running}}' "$NAME" 2>/dev/null)" = true ] || break
    sleep 0.25
done
if http_get "127.0.0.1:$port" /metrics 2 | grep -q '^# TYPE keytime_process_starts_total'; then
    pass "the image's exporter serves /metrics"
else
    fail "the image's exporter does not serve /metrics: $(podman logs "$NAME" 2>&1 | tail -n 5)"; exit 1
fi

start_prometheus keytime-image "127.0.0.1:$port" && pass "Prometheus scrapes the image's exporter" ||
    { fail "Prometheus does not see the exporter up: $(tail -n 3 "$WORK/prom.log")"; exit 1; }

# A workload on the host (the container sees the host's pids) with known ends.
make -s -C "$TOP" tests/build/known_ends >/dev/null 2>&1 || { fail "cannot build tests/build/known_ends"; exit 1; }
name=kt_image_$$
name=${name:0:15}
"$TOP/tests/build/known_ends" "$name" 20 4 3 >"$WORK/truth" || { fail "the workload: $(cat "$WORK/truth")"; exit 1; }
read -r forks exit0 segv exit3 < <(sed -E 's/forks=([0-9]+) exit0=([0-9]+) segv=([0-9]+) exit3=([0-9]+)/\1 \2 \3 \4/' "$WORK/truth")
sel="comm=\"$name\""
check_query() {   # expr, the workload's truth
    wait_query "$1" "$2" $((30 * TIME_SCALE)) && pass "Prometheus stored $1 = $2" ||
        fail "Prometheus stored $1 = $QUERY_GOT, the workload's truth is $2"
}
check_query "keytime_process_starts_total{$sel,kind=\"fork\"}" "$forks"
check_query "keytime_process_exits_total{$sel,code=\"3\"}" "$exit3"
check_query "keytime_process_signaled_total{$sel,signal=\"SIGSEGV\"}" "$segv"
check_query "keytime_process_exits_total{$sel,code=\"0\"}" $((exit0 + 1))
lost=$(query 'sum(keytime_tracer_lost_events_total)')
[ "$lost" = 0 ] && pass "no events lost" || fail "lost events: $lost"
rss=$(query 'keytime_tracer_resident_bytes')
say "the image's exporter: RSS $rss bytes"

# SIGTERM (podman stop): exit 0 and its probes gone.
podman stop -t 20 "$NAME" >/dev/null 2>&1
code=$(podman inspect -f '{{.State.ExitCode}}' "$NAME")
[ "$code" = 0 ] && pass "podman stop: the exporter exits 0" ||
    fail "podman stop: exit code $code: $(podman logs "$NAME" 2>&1 | tail -n 3)"
left=$(bpftool prog show 2>/dev/null | grep -c 'name kt_')
[ "$left" = 0 ] && pass "no probe left after the container stopped" || fail "$left probes left"
