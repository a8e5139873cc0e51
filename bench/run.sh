#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# make bench: what tracing costs the traced, keytime against bpftrace and
# libbpf-tools, and whether every event arrives. Writes bench/RESULTS.md.
#
# Each mode of bench/workload.c (pinned to CPU 1, held until the tracer is
# attached) runs untraced and under each tracer, the configurations taking
# turns, BENCH_ROUNDS times (5); the table has medians and ratios to the
# untraced run of the same command. Then the host path alone (bench/hostpath.c)
# and an idle tracer's own cost. Not part of the test suite.
#   BENCH_ROUNDS=5  BENCH_MODES="fork exec thread pingpong"  BENCH_OUT=bench/RESULTS.md
#   BENCH_CONFIGS="untraced keytime.lua ..." (default: every one that fits the mode)
#   BENCH_PARTS="storms host idle" (default: all three)
#   BENCH_REF=COMMIT: also keytime.lua (table and --json) as built from that
#     commit, taking turns with today's: "no worse than before" measured in
#     the same command, not against a figure from another day
#   BENCH_REF_RINGBUF_KB=N: and again with an N KB ring buffer, as large as
#     it takes for BENCH_REF's build to lose nothing: the same work as today's
#   BENCH_START_S=30: how long a tool without -c may take to attach (BCC
#   compiles its program first: minutes under emulation, make vmbench)
#   BENCH_KEEP=DIR: keep the raw rows (runs.tsv, meta.txt, ...) there, to
#     write the report again: lua5.4 bench/report.lua DIR/meta.txt DIR/runs.tsv ...
set -u
cd "$(dirname "$0")/.."
TOP=$PWD
ROUNDS=${BENCH_ROUNDS:-5}
MODES=${BENCH_MODES:-fork exec thread pingpong}
OUT=${BENCH_OUT:-$TOP/bench/RESULTS.md}
CONFIGS=${BENCH_CONFIGS:-}
PARTS=${BENCH_PARTS:-storms host idle}
START_S=${BENCH_START_S:-30}
REF=${BENCH_REF:-}
REF_RING_KB=${BENCH_REF_RINGBUF_KB:-}
part() { [[ " $PARTS " == *" $1 "* ]]; }
KT=$TOP/keytime-run
B=$TOP/build/bench
W=$B/workload
WL_CPU=1          # the workload's CPU; the busy-loop control spins on the other
WORK=$(mktemp -d /tmp/keytime-bench.XXXXXX)
RUNS=$WORK/runs.tsv
started=$(date +%s)

die() { echo "bench: $*" >&2; exit 1; }

# ---- what we need ----------------------------------------------------------
[ "$(id -u)" -eq 0 ] || die "must run as root (BPF)"
[ "$(nproc)" -ge 2 ] || die "needs 2 CPUs (workload on CPU $WL_CPU, busy loop on CPU 0)"
[ -x "$KT" ] || die "no keytime-run: run 'make bench'"

# bpftrace and libbpf-tools (execsnoop, exitsnoop) are what we compare with;
# installed here, not by tools/install-deps.sh: only the benchmark needs them.
missing=()
command -v bpftrace >/dev/null || missing+=(bpftrace)
command -v curl >/dev/null || missing+=(curl)   # scrapes exporter.lua
dpkg-query -W -f='${Status}' libbpf-tools 2>/dev/null | grep -q 'install ok installed' || missing+=(libbpf-tools)
# BCC's runqlat and offwaketime, for the wake-up rows (pingpong)
[[ " $MODES " == *" pingpong "* ]] && ! command -v offwaketime-bpfcc >/dev/null && missing+=(bpfcc-tools)
if [ ${#missing[@]} -gt 0 ]; then
    echo "bench: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 ||
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } ||
        echo "bench: could not install ${missing[*]}: those rows are left out" >&2
fi
have_bpftrace=false; command -v bpftrace >/dev/null && have_bpftrace=true
EXECSNOOP=/usr/sbin/execsnoop; EXITSNOOP=/usr/sbin/exitsnoop
[ -x $EXECSNOOP ] || EXECSNOOP=
[ -x $EXITSNOOP ] || EXITSNOOP=
# Run-queue latency and off-CPU/waker tools, each row left out when absent.
LIBBPF_RUNQLAT=/usr/sbin/runqlat; [ -x $LIBBPF_RUNQLAT ] || LIBBPF_RUNQLAT=
# libbpf-tools' off-CPU stacks (CO-RE: they run where BCC's, which compile
# against the kernel's headers, cannot), offwake.lua's neighbours
LIBBPF_OFFCPUTIME=/usr/sbin/offcputime; [ -x $LIBBPF_OFFCPUTIME ] || LIBBPF_OFFCPUTIME=
LIBBPF_WAKEUPTIME=/usr/sbin/wakeuptime; [ -x $LIBBPF_WAKEUPTIME ] || LIBBPF_WAKEUPTIME=
BCC_RUNQLAT=$(command -v runqlat-bpfcc || true)
BCC_OFFWAKETIME=$(command -v offwaketime-bpfcc || true)

mkdir -p "$B"
cflags="-O2 -g -Wall -Wextra"
gcc $cflags -pthread -o "$W" bench/workload.c || die "cannot build bench/workload.c"
gcc $cflags -o "$B/measure" bench/measure.c || die "cannot build bench/measure.c"
clang -O2 -g -target bpf -Ibpf -I/usr/include/$(uname -m)-linux-gnu -c bench/empty_switch.bpf.c -o "$B/empty_switch.bpf.o" ||
    die "cannot build bench/empty_switch.bpf.c"
gcc $cflags -o "$B/empty_switch" bench/empty_switch.c -lbpf || die "cannot build bench/empty_switch.c"
# hostpath links keytime-run's own objects (all but main), as the Makefile names them.
objs=$(for f in runtime/*.c; do n=$(basename "$f" .c); [ "$n" = main ] || echo "build/$n.o"; done
       for f in repl/*.c; do [ -e "$f" ] && echo "build/repl_$(basename "$f" .c).o"; done)
gcc $cflags -Wno-unused-parameter $(pkg-config --cflags lua5.4) -Iruntime -Ibpf -Ibuild -Irepl \
    -o "$B/hostpath" bench/hostpath.c $objs \
    -lbpf -ldw -lelf -lz $(pkg-config --libs lua5.4) -lm -lreadline -lmicrohttpd -lpthread -lzstd || die "cannot build bench/hostpath.c"

# keytime-run as it was at BENCH_REF, built from that commit's own tree
# (its scripts too), in $WORK/ref.
REF_KT=
if [ -n "$REF" ]; then
    REF=$(git -C "$TOP" rev-parse --short "$REF^{commit}") || die "BENCH_REF: no commit $BENCH_REF"
    mkdir "$WORK/ref"
    git -C "$TOP" archive "$REF" | tar -x -C "$WORK/ref" || die "BENCH_REF: cannot unpack $REF"
    make -C "$WORK/ref" -j"$(nproc)" binaries >"$WORK/ref.log" 2>&1 ||
        die "BENCH_REF: $REF does not build: $(tail -n 3 "$WORK/ref.log")"
    REF_KT=$WORK/ref/keytime-run
fi

# Probes of the test suite must not run beside ours (they would also see
# our probes loaded): the tests' lock, held for each round of a mode (every
# configuration of the round measured under the same conditions) and let go
# between rounds, so a test suite waiting for it (900 s at most) gets a turn.
exec 9>/tmp/keytime-tests.lock
lock() { flock -w 900 9 || die "could not get the test lock /tmp/keytime-tests.lock"; }

busy_pid= bg_pid=
cleanup() {
    [ -n "$busy_pid" ] && kill "$busy_pid" 2>/dev/null
    [ -n "$bg_pid" ] && kill "$bg_pid" 2>/dev/null
    wait 2>/dev/null
    [ -n "${BENCH_KEEP:-}" ] && mkdir -p "$BENCH_KEEP" && cp -r "$WORK"/. "$BENCH_KEEP"/
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- one run of each kind ------------------------------------------------------
# Each appends one row to $RUNS:
# mode config round elapsed_ns attach_ms events lost lifecycle cpu_ms rss_kb wakeups
row() { local IFS=$'\t'; echo "$*" >>"$RUNS"; }
kv() { sed -n "s/.*\\b$1=\\([-0-9]*\\).*/\\1/p" "$2" | head -n1; }   # kv KEY FILE

workload_elapsed() { kv elapsed_ns "$WORK/w.out"; }
attach_ms() { local ns; ns=$(kv attach_ns "$WORK/w.out"); [ -n "$ns" ] && echo $((ns / 1000000)) || echo -; }

run_untraced() {   # mode round
    "$W" "$1" --cpu $WL_CPU --out "$WORK/w.out" || die "workload $1 failed"
    row "$1" untraced "$2" "$(workload_elapsed)" - - - - - - -
}

run_busy() {   # mode round: untraced, with the other CPU kept busy
    taskset -c 0 sh -c 'while :; do :; done' & busy_pid=$!
    "$W" "$1" --cpu $WL_CPU --out "$WORK/w.out" || die "workload $1 failed"
    kill $busy_pid; wait $busy_pid 2>/dev/null; busy_pid=
    row "$1" busy-loop "$2" "$(workload_elapsed)" - - - - - - -
}

run_keytime() {   # mode round config script [script args]; kt_bin run from kt_dir (keytime-run, the tree's top)
    local mode=$1 round=$2 config=$3 script=$4
    shift 4
    (cd "${kt_dir:-$TOP}" && "$B/measure" "$WORK/m.out" "${kt_bin:-$KT}" "$script" "$@" --follow \
        -c "$W $mode --cpu $WL_CPU --out $WORK/w.out" >/dev/null 2>"$WORK/err") ||
        die "$config $mode failed: $(cat "$WORK/err")"
    row "$mode" "$config" "$round" "$(workload_elapsed)" "$(attach_ms)" \
        "$(kv events "$WORK/err")" "$(kv lost "$WORK/err")" "$(kv lifecycle "$WORK/err")" \
        "$(kv cpu_ms "$WORK/m.out")" "$(kv maxrss_kb "$WORK/m.out")" "$(kv wakeups "$WORK/m.out")"
}

run_bpftrace() {   # mode round
    "$B/measure" "$WORK/m.out" bpftrace -o "$WORK/bt.out" bench/lifecycle.bt \
        -c "$W $1 --cpu $WL_CPU --out $WORK/w.out" >/dev/null 2>"$WORK/err" ||
        die "bpftrace $1 failed: $(cat "$WORK/err")"
    local events lost
    events=$(grep -cvE '^(Attaching |Lost |$)' "$WORK/bt.out")
    lost=$(cat "$WORK/bt.out" "$WORK/err" | sed -n 's/.*Lost \([0-9]*\) events.*/\1/p' | awk '{s+=$1} END {print s+0}')
    row "$1" bpftrace "$2" "$(workload_elapsed)" "$(attach_ms)" "$events" "$lost" - \
        "$(kv cpu_ms "$WORK/m.out")" "$(kv maxrss_kb "$WORK/m.out")" "$(kv wakeups "$WORK/m.out")"
}

run_bpftrace_script() {   # mode round config script: a histogram at the end, no events counted
    "$B/measure" "$WORK/m.out" bpftrace -o "$WORK/bt.out" "$4" \
        -c "$W $1 --cpu $WL_CPU --out $WORK/w.out" >/dev/null 2>"$WORK/err" ||
        die "bpftrace $4 $1 failed: $(cat "$WORK/err")"
    local lost
    lost=$(cat "$WORK/bt.out" "$WORK/err" | sed -n 's/.*Lost \([0-9]*\) events.*/\1/p' | awk '{s+=$1} END {print s+0}')
    row "$1" "$3" "$2" "$(workload_elapsed)" "$(attach_ms)" - "$lost" - \
        "$(kv cpu_ms "$WORK/m.out")" "$(kv maxrss_kb "$WORK/m.out")" "$(kv wakeups "$WORK/m.out")"
}

# libbpf-tools have no -c: the workload waits at a gate until the tool has
# printed its heading (which it does once attached).
run_snoop() {   # mode round config tool [args, %PID% for the workload's pid]
    local mode=$1 round=$2 config=$3 tool=$4 t0 t1 i args=() a events lost
    shift 4
    rm -f "$WORK/gate"; mkfifo "$WORK/gate"
    "$W" "$mode" --cpu $WL_CPU --gate "$WORK/gate" --out "$WORK/w.out" & local wl=$!
    for a in "$@"; do args+=("${a//%PID%/$wl}"); done
    : >"$WORK/snoop.out"
    t0=$(date +%s%N)
    # BCC's tools are Python: stdbuf does not reach its buffer, which held
    # their heading until they ended
    PYTHONUNBUFFERED=1 "$B/measure" "$WORK/m.out" stdbuf -oL "$tool" "${args[@]}" >"$WORK/snoop.out" 2>"$WORK/err" & bg_pid=$!
    # attached: its heading printed; offcputime and wakeuptime print none,
    # and load in well under 2 s: their start is not measured
    local attach_ms
    case "${tool##*/}" in
    offcputime|wakeuptime)
        sleep 2
        kill -0 $bg_pid 2>/dev/null || { kill $wl; die "$config did not start: $(cat "$WORK/err")"; }
        attach_ms=- ;;
    *)
        while ! [ -s "$WORK/snoop.out" ] && kill -0 $bg_pid 2>/dev/null &&
              [ $(($(date +%s%N) - t0)) -lt $((START_S * 1000000000)) ]; do
            sleep 0.01
        done
        t1=$(date +%s%N)
        [ -s "$WORK/snoop.out" ] || { kill $wl; die "$config did not start: $(cat "$WORK/err")"; }
        attach_ms=$(((t1 - t0) / 1000000)) ;;
    esac
    echo go >"$WORK/gate"
    wait $wl || die "workload $mode failed under $config"
    # A tool that ended before the workload traced nothing (BCC's tools
    # print their failure to compile against the kernel's headers on
    # stdout, which looks like a heading): no row.
    if ! kill -INT $bg_pid 2>/dev/null; then
        wait $bg_pid; bg_pid=
        echo "bench: $config ended before the workload, left out: $(head -c 300 "$WORK/snoop.out" "$WORK/err" | tr '\n' ' ')" >&2
        return 0
    fi
    wait $bg_pid; bg_pid=
    events=$(($(grep -c . "$WORK/snoop.out") - 1))   # less the heading
    lost=$(sed -n 's/.*[Ll]ost \([0-9]*\) event.*/\1/p' "$WORK/err" | awk '{s+=$1} END {print s+0}')
    row "$mode" "$config" "$round" "$(workload_elapsed)" "$attach_ms" "$events" "$lost" - \
        "$(kv cpu_ms "$WORK/m.out")" "$(kv maxrss_kb "$WORK/m.out")" "$(kv wakeups "$WORK/m.out")"
}

# A script attached to an idle process; the workload itself is no target.
# keytime.lua wants every event; crashes.lua only exits, so no switch probe.
run_idle_attached() {   # mode round config script
    : >"$WORK/idle.err"
    "$KT" "$4" -c "$W idle" >/dev/null 2>"$WORK/idle.err" & bg_pid=$!
    for ((i = 0; i < 3000; i++)); do grep -q attached "$WORK/idle.err" && break; sleep 0.01; done
    grep -q attached "$WORK/idle.err" || die "idle tracer did not attach: $(cat "$WORK/idle.err")"
    "$W" "$1" --cpu $WL_CPU --out "$WORK/w.out" || die "workload $1 failed"
    kill -TERM $bg_pid; wait $bg_pid; bg_pid=
    row "$1" "$3" "$2" "$(workload_elapsed)" - - - - - - -
}

# keytime.lua targeting an empty cgroup: every task's cgroup is looked at
# (the cgroup target's count is set), the workload's is not it.
run_idle_cgroup() {   # mode round
    local root cg
    root=$(findmnt -n -t cgroup2 -o TARGET | head -n1)
    [ -n "$root" ] || die "idle-cgroup: no cgroup2 mount"
    cg=$root/keytime-bench-idle
    mkdir -p "$cg" || die "cannot make $cg"
    : >"$WORK/idle.err"
    "$KT" scripts/keytime.lua --cgroup "$cg" >/dev/null 2>"$WORK/idle.err" & bg_pid=$!
    for ((i = 0; i < 3000; i++)); do grep -q attached "$WORK/idle.err" && break; sleep 0.01; done
    grep -q attached "$WORK/idle.err" || die "idle-cgroup tracer did not attach: $(cat "$WORK/idle.err")"
    "$W" "$1" --cpu $WL_CPU --out "$WORK/w.out" || die "workload $1 failed"
    kill -TERM $bg_pid; wait $bg_pid; bg_pid=
    rmdir "$cg"
    row "$1" idle-cgroup "$2" "$(workload_elapsed)" - - - - - - -
}

# exporter.lua serving /metrics while a scraper asks for it four times a
# second (a busy Prometheus scrapes every 15 s): the exporter's whole cost.
EXPORTER_PORT=19464
run_exporter() {   # mode round
    ( while sleep 0.25; do curl -s -o /dev/null "http://127.0.0.1:$EXPORTER_PORT/metrics"; done ) & bg_pid=$!
    run_keytime "$1" "$2" exporter.lua bench/counted.lua scripts/exporter.lua --listen "127.0.0.1:$EXPORTER_PORT"
    kill $bg_pid; wait $bg_pid 2>/dev/null; bg_pid=
}

# The floor: a sched_switch program that does nothing, attached.
run_empty_switch() {   # mode round
    : >"$WORK/floor.err"
    "$B/empty_switch" "$B/empty_switch.bpf.o" 2>"$WORK/floor.err" & bg_pid=$!
    for ((i = 0; i < 3000; i++)); do grep -q attached "$WORK/floor.err" && break; sleep 0.01; done
    grep -q attached "$WORK/floor.err" || die "empty_switch did not attach: $(cat "$WORK/floor.err")"
    "$W" "$1" --cpu $WL_CPU --out "$WORK/w.out" || die "workload $1 failed"
    kill -TERM $bg_pid; wait $bg_pid; bg_pid=
    row "$1" empty-switch "$2" "$(workload_elapsed)" - - - - - - -
}

configs_for() {   # mode: the configurations that fit it, in the order they take turns
    local c=(untraced busy-loop keytime.lua keytime.lua-json forktree.lua forktree.lua-json timeline.lua
             crashes.lua forkrate.lua offcpu.lua exporter.lua count.lua)
    [ -n "$REF_KT" ] && c+=(keytime.lua@ref keytime.lua-json@ref)
    [ -n "$REF_KT" ] && [ -n "$REF_RING_KB" ] && c+=(keytime.lua@ref-ring keytime.lua-json@ref-ring)
    $have_bpftrace && c+=(bpftrace)
    [ "$1" = exec ] && [ -n "$EXECSNOOP" ] && c+=(execsnoop)
    case $1 in fork|exec|thread) [ -n "$EXITSNOOP" ] && c+=(exitsnoop) ;; esac
    if [ "$1" = pingpong ]; then   # two threads waking each other: the wake-up rows
        c+=(wakeups.lua runqlat.lua runqlat.lua-events offwake.lua offwake.lua-events offwake.lua-ustack
            offwake.lua-ustack-buildid keytime.lua-ustack keytime.lua-ustack-buildid)
        $have_bpftrace && c+=(bpftrace-runqlat bpftrace-offwake)
        [ -n "$LIBBPF_RUNQLAT" ] && c+=(libbpf-runqlat)
        [ -n "$LIBBPF_OFFCPUTIME" ] && c+=(libbpf-offcputime)
        [ -n "$LIBBPF_WAKEUPTIME" ] && c+=(libbpf-wakeuptime)
        [ -n "$BCC_RUNQLAT" ] && c+=(bcc-runqlat)
        [ -n "$BCC_OFFWAKETIME" ] && c+=(bcc-offwaketime)
    fi
    c+=(idle-attached idle-exits idle-cgroup empty-switch)
    if [ -n "$CONFIGS" ]; then
        local only=() x
        for x in "${c[@]}"; do [[ " $CONFIGS " == *" $x "* ]] && only+=("$x"); done
        c=("${only[@]}")
    fi
    echo "${c[@]}"
}

# The order of the turns moves by one each round, so that no configuration
# always runs first or always follows the same one: a run can leave the
# machine busier (freed maps, a kworker) or quieter for the next.
rotated() {   # k items...: the items from the k-th (mod their count) on, then the others
    local k=$1
    shift
    local n=$#
    [ "$n" -gt 0 ] || return 0
    local items=("$@")
    k=$((k % n))
    echo "${items[@]:k}" "${items[@]:0:k}"
}

run_config() {   # mode round config
    case $3 in
    untraced)      run_untraced "$1" "$2" ;;
    busy-loop)     run_busy "$1" "$2" ;;
    keytime.lua)   run_keytime "$1" "$2" keytime.lua bench/keytime_counted.lua ;;
    count.lua)     run_keytime "$1" "$2" count.lua bench/count.lua ;;
    # keytime.lua as at BENCH_REF, its own keytime-run in its own tree
    keytime.lua@ref)      kt_dir=$WORK/ref kt_bin=$REF_KT run_keytime "$1" "$2" "$3" bench/keytime_counted.lua ;;
    keytime.lua-json@ref) kt_dir=$WORK/ref kt_bin=$REF_KT run_keytime "$1" "$2" "$3" bench/keytime_counted.lua --json ;;
    keytime.lua@ref-ring) KEYTIME_RINGBUF_KB=$REF_RING_KB kt_dir=$WORK/ref kt_bin=$REF_KT \
                              run_keytime "$1" "$2" "$3" bench/keytime_counted.lua ;;
    keytime.lua-json@ref-ring) KEYTIME_RINGBUF_KB=$REF_RING_KB kt_dir=$WORK/ref kt_bin=$REF_KT \
                              run_keytime "$1" "$2" "$3" bench/keytime_counted.lua --json ;;
    # every other stock output, through bench/counted.lua
    keytime.lua-json)  run_keytime "$1" "$2" "$3" bench/counted.lua scripts/keytime.lua --json ;;
    forktree.lua)      run_keytime "$1" "$2" "$3" bench/counted.lua scripts/forktree.lua ;;
    forktree.lua-json) run_keytime "$1" "$2" "$3" bench/counted.lua scripts/forktree.lua --json ;;
    timeline.lua)      run_keytime "$1" "$2" "$3" bench/counted.lua scripts/timeline.lua -o "$WORK/timeline.json" ;;
    crashes.lua)       run_keytime "$1" "$2" "$3" bench/counted.lua scripts/alerts/crashes.lua ;;
    forkrate.lua)      run_keytime "$1" "$2" "$3" bench/counted.lua scripts/alerts/forkrate.lua ;;
    offcpu.lua)        run_keytime "$1" "$2" "$3" bench/counted.lua scripts/alerts/offcpu.lua ;;
    exporter.lua)      run_exporter "$1" "$2" ;;
    bpftrace)      run_bpftrace "$1" "$2" ;;
    execsnoop)     run_snoop "$1" "$2" execsnoop $EXECSNOOP ;;
    # threads are seen only for one process (-T -p); processes system-wide
    exitsnoop)     if [ "$1" = thread ]; then run_snoop "$1" "$2" exitsnoop $EXITSNOOP -T -p %PID%
                   else run_snoop "$1" "$2" exitsnoop $EXITSNOOP; fi ;;
    idle-attached) run_idle_attached "$1" "$2" idle-attached scripts/keytime.lua ;;
    idle-exits)    run_idle_attached "$1" "$2" idle-exits scripts/alerts/crashes.lua ;;
    idle-cgroup)   run_idle_cgroup "$1" "$2" ;;
    empty-switch)  run_empty_switch "$1" "$2" ;;
    wakeups.lua)   run_keytime "$1" "$2" "$3" bench/counted.lua bench/wakeups.lua ;;
    runqlat.lua)   run_keytime "$1" "$2" "$3" bench/counted.lua scripts/runqlat.lua ;;
    runqlat.lua-events) run_keytime "$1" "$2" "$3" bench/counted.lua scripts/runqlat.lua --events ;;
    offwake.lua)   run_keytime "$1" "$2" "$3" bench/counted.lua scripts/offwake.lua ;;
    offwake.lua-events) run_keytime "$1" "$2" "$3" bench/counted.lua scripts/offwake.lua --events ;;
    offwake.lua-ustack) run_keytime "$1" "$2" "$3" bench/counted.lua scripts/offwake.lua --ustack ;;
    offwake.lua-ustack-buildid) run_keytime "$1" "$2" "$3" bench/counted.lua bench/buildid.lua scripts/offwake.lua --ustack ;;
    keytime.lua-ustack) run_keytime "$1" "$2" "$3" bench/counted.lua scripts/keytime.lua --ustack ;;
    keytime.lua-ustack-buildid) run_keytime "$1" "$2" "$3" bench/counted.lua bench/buildid.lua scripts/keytime.lua --ustack ;;
    bpftrace-runqlat) run_bpftrace_script "$1" "$2" "$3" bench/runqlat.bt ;;
    bpftrace-offwake) run_bpftrace_script "$1" "$2" "$3" bench/offwake.bt ;;
    libbpf-runqlat)   run_snoop "$1" "$2" "$3" $LIBBPF_RUNQLAT -p %PID% ;;
    libbpf-offcputime) run_snoop "$1" "$2" "$3" $LIBBPF_OFFCPUTIME -p %PID% ;;
    libbpf-wakeuptime) run_snoop "$1" "$2" "$3" $LIBBPF_WAKEUPTIME -p %PID% ;;
    bcc-runqlat)      run_snoop "$1" "$2" "$3" $BCC_RUNQLAT -p %PID% ;;
    bcc-offwaketime)  run_snoop "$1" "$2" "$3" $BCC_OFFWAKETIME -p %PID% ;;
    esac
}

# ---- the runs ------------------------------------------------------------------
lock
foreign=$( (bpftool prog show 2>/dev/null || true) | grep -c 'name kt_' )   # not the tests': we hold their lock
flock -u 9
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
: >"$RUNS"
part storms || MODES=
for mode in $MODES; do
    for ((r = 1; r <= ROUNDS; r++)); do
        lock
        for c in $(rotated $((r - 1)) $(configs_for "$mode")); do
            echo "bench: $mode round $r/$ROUNDS: $c" >&2
            run_config "$mode" "$r" "$c"
        done
        flock -u 9
    done
done
lock   # the host path and the idle tracer

# The host path alone: records straight into kt_lua_dispatch (bench/hostpath.c).
: >"$WORK/host.tsv"
host_scripts=("bench/count.lua" "bench/fields.lua" "scripts/keytime.lua" "scripts/keytime.lua --json")
part host || host_scripts=()
for script in "${host_scripts[@]}"; do
    n=3000000; [[ $script = scripts/* ]] && n=1000000
    read -ra words <<<"$script"
    for ((r = 1; r <= ROUNDS; r++)); do
        echo "bench: host path, $script, round $r/$ROUNDS" >&2
        # to a pipe, as into a pipeline (not /dev/null, which is no pipe)
        "$B/hostpath" "${words[0]}" $n -- "${words[@]:1}" 2>"$WORK/err" | cat >/dev/null
        [ "${PIPESTATUS[0]}" -eq 0 ] || die "hostpath $script failed: $(cat "$WORK/err")"
        printf '%s\t%s\n' "$script" "$(kv events_per_s "$WORK/err")" >>"$WORK/host.tsv"
    done
done

# An idle tracer: keytime.lua attached to a process that does nothing; its
# CPU time (schedstat, ns) and wake-ups over 5 s once attached.
echo "cpu_us=- wall_ms=- wakeups=-" >"$WORK/idle.txt"
if part idle; then
    echo "bench: idle tracer, 5 s" >&2
    : >"$WORK/idle.err"
    "$KT" scripts/keytime.lua -c "$W idle" >/dev/null 2>"$WORK/idle.err" & bg_pid=$!
    for ((i = 0; i < 3000; i++)); do grep -q attached "$WORK/idle.err" && break; sleep 0.01; done
    cpu0=$(cut -d' ' -f1 /proc/$bg_pid/schedstat); woken0=$(awk '/^voluntary_ctxt_switches/ {print $2}' /proc/$bg_pid/status)
    t0=$(date +%s%N)
    sleep 5   # the interval measured, not a wait for something
    cpu1=$(cut -d' ' -f1 /proc/$bg_pid/schedstat); woken1=$(awk '/^voluntary_ctxt_switches/ {print $2}' /proc/$bg_pid/status)
    t1=$(date +%s%N)
    kill -TERM $bg_pid; wait $bg_pid; bg_pid=
    printf 'cpu_us=%s wall_ms=%s wakeups=%s\n' $(((cpu1 - cpu0) / 1000)) $(((t1 - t0) / 1000000)) \
        $((woken1 - woken0)) >"$WORK/idle.txt"
fi

# ---- the report ------------------------------------------------------------------
{
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "kernel=$(uname -r)"
    echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1), $(nproc) CPUs"
    echo "memory=$(awk '/MemTotal/ {printf "%.1f GB", $2 / 1048576}' /proc/meminfo)"
    echo "os=$(. /etc/os-release; echo "$PRETTY_NAME")"
    echo "bpftrace=$($have_bpftrace && bpftrace --version 2>/dev/null | head -n1 || echo none)"
    echo "libbpf_tools=$(dpkg-query -W -f='${Version}' libbpf-tools 2>/dev/null || echo none)"
    echo "rounds=$ROUNDS"
    echo "ref=${REF:-}"
    echo "ref_ringbuf_kb=${REF_RING_KB:-}"
    echo "foreign_probes=$foreign"
    echo "load=$load_before"
    echo "duration_s=$(($(date +%s) - started))"
} >"$WORK/meta.txt"
lua5.4 bench/report.lua "$WORK/meta.txt" "$RUNS" "$WORK/host.tsv" "$WORK/idle.txt" >"$OUT.tmp" ||
    die "could not write $OUT"
# The figures measured by hand, which comments in the code point at, stay.
[ -f "$OUT" ] && sed -n '/^## Measured by hand/,$p' "$OUT" >>"$OUT.tmp"
mv "$OUT.tmp" "$OUT" || die "could not write $OUT"
cat "$OUT"
echo "bench: wrote $OUT in $(($(date +%s) - started)) s" >&2
