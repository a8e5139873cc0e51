# SPDX-License-Identifier: GPL-2.0-or-later
# Talking to exporters and to a Prometheus server over HTTP with bash alone
# (a fresh machine has no curl): sourced by tests/integration/prometheus.sh
# and tools/image-check.sh. start_prometheus starts the server on
# 127.0.0.1:$PROM_PORT, which query and wait_query ask. None of them fails
# the caller: each returns a status (the callers fail differently).

# http_get HOST:PORT PATH [SECONDS]: the body of a GET, "" on failure.
http_get() {
    local host=${1%:*} port=${1##*:} path=$2 secs=${3:-10}
    timeout "$secs" bash -c '
        exec 3<>"/dev/tcp/$0/$1" || exit 1
        printf "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n" "$2" "$0" >&3
        sed "1,/^\r\{0,1\}$/d" <&3' "$host" "$port" "$path" 2>/dev/null
}
urlencode() {
    local s=$1 i c out=
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in [a-zA-Z0-9._~-]) out+=$c;; *) out+=$(printf '%%%02X' "'$c");; esac
    done
    echo "$out"
}
# query EXPR: the value of an instant query's single sample, or "none".
query() {
    http_get "127.0.0.1:$PROM_PORT" "/api/v1/query?query=$(urlencode "$1")" |
        lua5.4 -e '
            local ok, r = pcall(require("cjson").decode, io.read("a"))
            local v = ok and r.status == "success" and r.data.result[1]
            print(v and v.value[2] or "none")'
}
# wait_query EXPR VALUE SECONDS: until Prometheus has stored VALUE for EXPR
# (status 0), or SECONDS passed (status 1). QUERY_GOT: the value last read.
wait_query() {
    local expr=$1 want=$2 secs=$3 i
    for ((i = 0; i < secs * 4; i++)); do
        QUERY_GOT=$(query "$expr")
        [ "$QUERY_GOT" = "$want" ] && return 0
        sleep 0.25
    done
    return 1
}
# A port nothing listens on now.
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 20000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo $p; return; }
    done
}


# start_prometheus JOB HOST:PORT...: a Prometheus on a free loopback port
# (PROM_PORT) scraping each target every second as job JOB, its config,
# data and log (prom.log) in $WORK, its pid in $prom. Status 0 once it sees
# every target up; 1 if it ended or did not within 20 s (x TIME_SCALE).
start_prometheus() {
    local job=$1 targets= t i
    shift
    for t in "$@"; do targets+="${targets:+, }'$t'"; done
    PROM_PORT=$(free_port)
    cat >"$WORK/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: $job
    static_configs:
      - targets: [$targets]
EOF
    prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
        --web.listen-address="127.0.0.1:$PROM_PORT" >"$WORK/prom.log" 2>&1 & prom=$!
    for ((i = 0; i < 80 * ${TIME_SCALE:-1}; i++)); do
        [ "$(query 'count(up == 1)')" = $# ] && return 0
        kill -0 $prom 2>/dev/null || return 1
        sleep 0.25
    done
    return 1
}
