# SPDX-License-Identifier: GPL-2.0-or-later
# Talking to exporters and to a Prometheus server over HTTP with bash alone
# (a fresh machine has no curl): sourced by tests/integration/prometheus.sh
# and tools/image-check.sh. query and wait_query ask the server on
# 127.0.0.1:$PROM_PORT; wait_query calls the caller's fail.

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
# wait_query EXPR VALUE SECONDS: until Prometheus has stored VALUE for EXPR.
wait_query() {
    local expr=$1 want=$2 secs=$3 got i
    for ((i = 0; i < secs * 4; i++)); do
        got=$(query "$expr")
        [ "$got" = "$want" ] && return 0
        sleep 0.25
    done
    fail "Prometheus stored $expr = $got, the workload's truth is $want"
}
# A port nothing listens on now.
free_port() {
    local p
    while :; do
        p=$((20000 + RANDOM % 20000))
        (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo $p; return; }
    done
}

