# SPDX-License-Identifier: GPL-2.0-or-later
# exporter.lua scraped by a real Prometheus (Debian's package) on loopback:
# a workload with known ends (N exits 0, M deaths by SIGSEGV, K exits 3,
# checked by the workload from each wait status) and the counters that
# Prometheus stored, read back through its HTTP query API. Also: a second
# exporter on another port, scraped too; a scrape during a fork storm; a
# port already in use; nothing left behind.
source "$(dirname "$0")/../lib/common.sh"
require_probes
command -v prometheus >/dev/null || bash "$TOP/tools/install-deps.sh" prometheus >/dev/null 2>&1 ||
    fail "cannot install Debian's prometheus package"

source "$TOP/tests/lib/prom.sh"

# ---- the exporters ---------------------------------------------------------------
"$KT" "$TOP/scripts/exporter.lua" --listen 127.0.0.1:0 --top 100000 --interval 0.2 \
    >"$WORK/exp1.out" 2>"$WORK/exp1.err" & exp1=$!
"$KT" "$TOP/scripts/exporter.lua" --listen 127.0.0.1:0 --top 100000 --interval 0.2 --no-cpu \
    >"$WORK/exp2.out" 2>"$WORK/exp2.err" & exp2=$!
wait_for "$WORK/exp1.err" "serving /metrics on 127.0.0.1:[0-9]+" $((20 * TIME_SCALE)) || fail "exporter 1 did not start"
wait_for "$WORK/exp2.err" "serving /metrics on 127.0.0.1:[0-9]+" $((20 * TIME_SCALE)) || fail "exporter 2 did not start"
port1=$(grep -oE "serving /metrics on 127.0.0.1:[0-9]+" "$WORK/exp1.err" | grep -oE "[0-9]+$")
port2=$(grep -oE "serving /metrics on 127.0.0.1:[0-9]+" "$WORK/exp2.err" | grep -oE "[0-9]+$")
[ "$port1" != "$port2" ] || fail "two exporters on one port $port1"

# A third on exporter 1's port: one clear line, a non-zero status.
"$KT" "$TOP/scripts/exporter.lua" --listen "127.0.0.1:$port1" >/dev/null 2>"$WORK/exp3.err"
rc=$?
[ $rc -ne 0 ] || fail "an exporter started on a port in use"
grep -q "cannot listen on 127.0.0.1:$port1: Address already in use" "$WORK/exp3.err" ||
    fail "port in use: $(cat "$WORK/exp3.err")"

# /metrics is Prometheus's text format, as promtool reads it.
http_get "127.0.0.1:$port1" /metrics >"$WORK/metrics1.txt"
grep -q "^# TYPE keytime_process_starts_total counter" "$WORK/metrics1.txt" ||
    fail "exporter 1's /metrics: $(head -c 600 "$WORK/metrics1.txt")"
promtool check metrics <"$WORK/metrics1.txt" >"$WORK/promtool.out" 2>&1 ||
    fail "promtool check metrics: $(head -n 20 "$WORK/promtool.out")"

# ---- Prometheus ------------------------------------------------------------------
start_prometheus keytime "127.0.0.1:$port1" "127.0.0.1:$port2" ||
    fail "Prometheus does not see both exporters up: $(tail -n 5 "$WORK/prom.log")"

# ---- a workload with known ends ----------------------------------------------------
name=kt_known_$$
name=${name:0:15}
N=30 M=7 K=5
"$TB/known_ends" "$name" $N $M $K >"$WORK/truth" || fail "the workload: $(cat "$WORK/truth")"
read -r forks exit0 segv exit3 < <(sed -E 's/forks=([0-9]+) exit0=([0-9]+) segv=([0-9]+) exit3=([0-9]+)/\1 \2 \3 \4/' "$WORK/truth")
secs=$((30 * TIME_SCALE))
stored() {   # expr, the workload's truth
    wait_query "$1" "$2" $secs || fail "Prometheus stored $1 = $QUERY_GOT, the workload's truth is $2"
}
# Its children's ends, and its own (exit 0), on both exporters.
for job in "127.0.0.1:$port1" "127.0.0.1:$port2"; do
    sel="comm=\"$name\",instance=\"$job\""
    stored "keytime_process_starts_total{$sel,kind=\"fork\"}" "$forks"
    stored "keytime_process_exits_total{$sel,code=\"0\"}" $((exit0 + 1))
    stored "keytime_process_exits_total{$sel,code=\"3\"}" "$exit3"
    stored "keytime_process_signaled_total{$sel,signal=\"SIGSEGV\"}" "$segv"
done
# exporter 1 counts time on the CPU too; the workload used some.
cpu=$(query "keytime_cpu_seconds_total{comm=\"$name\",instance=\"127.0.0.1:$port1\"} > 0")
[ "$cpu" != none ] || fail "no CPU seconds for $name"

# ---- a scrape during a fork storm --------------------------------------------------
"$TB/known_ends" kt_storm 3000 0 0 >/dev/null & storm=$!
sleep 0.2
start=$(date +%s%N)
http_get "127.0.0.1:$port2" /metrics 10 >"$WORK/storm.txt"
took_ms=$((($(date +%s%N) - start) / 1000000))
grep -q "^keytime_process_starts_total" "$WORK/storm.txt" || fail "no answer during the storm (${took_ms} ms)"
[ $took_ms -lt $((10000 * TIME_SCALE)) ] || fail "a scrape during the storm took ${took_ms} ms"
wait_pid $storm $((60 * TIME_SCALE)) || fail "the storm did not end"
[ "$status" -eq 0 ] || fail "the storm workload failed"
stored "keytime_process_starts_total{comm=\"kt_storm\",instance=\"127.0.0.1:$port2\",kind=\"fork\"}" 3000
lost=$(query "sum(keytime_tracer_lost_events_total{instance=\"127.0.0.1:$port2\"})")
[ "$lost" = 0 ] || fail "exporter 2 lost $lost events in the storm"
grep -q "^keytime_tracer_backlog_dropped_total 0$" "$WORK/storm.txt" || fail "no backlog drops line: $(grep backlog "$WORK/storm.txt")"
# The ring's fill level: a byte count within the 4 MB ring.
pending=$(sed -n 's/^keytime_tracer_ringbuf_pending_bytes \([0-9][0-9]*\)$/\1/p' "$WORK/storm.txt")
[ -n "$pending" ] && [ "$pending" -le $((4 << 20)) ] || fail "ring fill level line: $(grep ringbuf "$WORK/storm.txt")"

# ---- the end: SIGTERM, exit 0, nothing left ----------------------------------------
kill -TERM $exp1 $exp2
wait_pid $exp1 $((20 * TIME_SCALE)) || fail "exporter 1 did not end on SIGTERM"
[ "$status" -eq 0 ] || fail "exporter 1 ended with status $status: $(tail -n 3 "$WORK/exp1.err")"
wait_pid $exp2 $((20 * TIME_SCALE)) || fail "exporter 2 did not end on SIGTERM"
[ "$status" -eq 0 ] || fail "exporter 2 ended with status $status: $(tail -n 3 "$WORK/exp2.err")"
kill $prom; wait $prom 2>/dev/null
http_get "127.0.0.1:$port1" /metrics 2 | grep -q . && fail "port $port1 still answers after the exporter ended"
assert_no_probes_left
echo "prometheus: N=$N M=$M K=$K stored exactly on two exporters; storm scrape ${took_ms} ms; lost $lost"
