#!/usr/bin/env bash
# Throughput and latency as the number of clients grows: the same wrk load at each count in
# CLIENTS through cutover, nginx and HAProxy, against one nginx backend returning a small
# body. cutover runs what a new user gets: the config `cutover migrate` writes from a
# lighttpd `proxy.server` config, at `cutover serve`'s default thread count; nginx runs
# `worker_processes $(nproc)` with upstream keepalive 128, HAProxy `nbthread $(nproc)` with
# `http-reuse always`. Rounds alternate between the proxies; the median round is shown with
# req/s, p50, p99, max, CPU µs per request and context switches per request (voluntary +
# involuntary, summed over the proxy's threads or processes, from /proc).
#   bench/scale.sh [DURATION=5s] [CLIENTS="10 50 100 1000 10000"] [WRK_THREADS=2] [ROUNDS=3]
set -euo pipefail
DURATION=${1:-5s}
CLIENTS=${2:-10 50 100 1000 10000}
WRK_THREADS=${3:-2}
ROUNDS=${4:-3}
. "$(dirname "$0")/lib.sh"
ulimit -n "$(ulimit -Hn)"  # 10,000 clients need as many descriptors in wrk, and twice that in a proxy

BACK=$(free_port); CUT=$(free_port); NGX=$(free_port); HAP=$(free_port)
N=$(nproc)
mkdir -p "$WORK/nb" "$WORK/np" "$WORK/docroot"
cat > "$WORK/backend.conf" <<NGINX
worker_processes 1; daemon off; pid $WORK/nb/pid; error_log $WORK/nb/error.log;
worker_rlimit_nofile 20000;
events { worker_connections 19000; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$BACK backlog=65535; location / { return 200 "hello from the benchmark backend\n"; } } }
NGINX
cat > "$WORK/proxy-nginx.conf" <<NGINX
worker_processes $N; daemon off; pid $WORK/np/pid; error_log $WORK/np/error.log;
worker_rlimit_nofile 20000;
events { worker_connections 19000; }
http { access_log off; keepalive_requests 1000000;
  upstream be { server 127.0.0.1:$BACK; keepalive 128; keepalive_requests 1000000; }
  server { listen 127.0.0.1:$NGX backlog=65535; location / { proxy_pass http://be; proxy_http_version 1.1;
    proxy_set_header Connection ""; proxy_set_header Host \$host;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; } } }
NGINX
write_haproxy_conf "$BACK" "$HAP" "$N" 9900  # the open-files limit here is 20,000
# cutover: what `cutover migrate` makes of the lighttpd config a user would have.
cat > "$WORK/lighttpd.conf" <<LIGHTTPD
server.modules = ("mod_proxy")
server.bind = "127.0.0.1"
server.port = $CUT
server.document-root = "$WORK/docroot"
proxy.server = ("" => (("host" => "127.0.0.1", "port" => $BACK)))
LIGHTTPD
"$CUTOVER" migrate -q "$WORK/lighttpd.conf" -o "$WORK/cutover.toml" || { echo "cutover migrate failed" >&2; exit 1; }

start_backend_and_proxies "$BACK" "$CUT" "$NGX" "$HAP"
declare -A PORT=([cutover]=$CUT [nginx]=$NGX [haproxy]=$HAP)

# Context switches of a process, its threads and its direct children (nginx's workers).
ctx_switches() {
  local pid=$1 total=0 p
  for p in $pid $(cat /proc/[0-9]*/stat 2>/dev/null | awk -v pp="$pid" '$4 == pp {print $1}'); do
    for s in /proc/$p/task/*/status; do
      total=$((total + $(awk '/^(voluntary|nonvoluntary)_ctxt_switches/ {s += $2} END {print s + 0}' "$s" 2>/dev/null || echo 0)))
    done
  done
  echo "$total"
}

run() {  # name clients round -> a rounds line, with context switches per request appended
  local name=$1 c=$2 r=$3 before after cb ca total cpu f="$WORK/$1.$2.$3.wrk" t=$WRK_THREADS
  [ "$c" -lt "$t" ] && t=$c
  before=$(cpu_ticks "${PROC[$name]}"); cb=$(ctx_switches "${PROC[$name]}")
  wrk -t"$t" -c"$c" -d"$DURATION" --timeout 10s --latency "http://127.0.0.1:${PORT[$name]}/" > "$f"
  after=$(cpu_ticks "${PROC[$name]}"); ca=$(ctx_switches "${PROC[$name]}")
  total=$(awk '/requests in/ {print $1}' "$f")
  cpu=$(cpu_us_per_request $((after - before)) "$total")
  echo "$(wrk_summary "$f" "$cpu") | $(awk -v a="$cb" -v b="$ca" -v n="$total" 'BEGIN{printf "%.2f", (b - a) / n}')"
}

echo "wrk -t$WRK_THREADS -d$DURATION, $ROUNDS alternated rounds per client count (median shown), $N cores;"
echo "cutover: \`cutover migrate\` of a proxy.server config, default threads; nginx: $N workers, keepalive 128; HAProxy: nbthread $N"
for c in $CLIENTS; do
  for n in cutover nginx haproxy; do wrk -t1 -c"$c" -d2s --timeout 10s "http://127.0.0.1:${PORT[$n]}/" >/dev/null; done  # warm-up
  for r in $(seq "$ROUNDS"); do
    for n in cutover nginx haproxy; do run "$n" "$c" "$r" >> "$WORK/$n.c$c.rounds"; done
  done
  echo
  echo "### $c clients"
  med=$(( (ROUNDS + 1) / 2 ))
  base=$(sort -n -k1 "$WORK/nginx.c$c.rounds" | sed -n "${med}p" | awk '{print $1}')
  printf "| proxy | req/s | vs nginx | p50 | p99 | max | CPU µs/request | context switches/request | errors |\n|---|---|---|---|---|---|---|---|---|\n"
  for n in cutover nginx haproxy; do
    line=$(sort -n -k1 "$WORK/$n.c$c.rounds" | sed -n "${med}p")
    cs=${line##*| }; line=${line% |*}
    set -- $line
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n" "$n" "$1" "$(awk -v a="$1" -v b="$base" 'BEGIN{printf "%.2fx", a/b}')" \
      "$2" "$3" "$6" "$4" "$cs" "${*:7}"
  done
  echo "all rounds (req/s): $(for n in cutover nginx haproxy; do printf "%s: %s  " "$n" "$(awk '{printf "%s ", $1}' "$WORK/$n.c$c.rounds")"; done)"
done
