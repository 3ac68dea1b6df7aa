#!/usr/bin/env bash
# Throughput and latency of the same wrk load through cutover, nginx and HAProxy, in one run,
# against one nginx backend that returns a small body. Every proxy gets the same number of
# threads/processes (THREADS). Prints a markdown table with ratios to nginx.
# Rounds are interleaved (cutover, nginx, haproxy, cutover, ...) and the median round of
# each proxy is reported, because a 2-core machine running wrk, a backend and a proxy at
# once is noisy. PIN=1 puts the proxies on CPU 1 and wrk + the backend on CPU 0.
#   bench/proxy.sh [DURATION=10s] [CONNS=50] [THREADS=1] [ROUNDS=3]
set -euo pipefail
DURATION=${1:-10s}
CONNS=${2:-50}
THREADS=${3:-1}
ROUNDS=${4:-3}
. "$(dirname "$0")/lib.sh"

BACK=$(free_port); CUT=$(free_port); NGX=$(free_port); HAP=$(free_port)
write_backend_conf "$BACK"
write_proxy_confs "$BACK" "$NGX" "$CUT" "$THREADS" "worker_processes $THREADS;"
cat > "$WORK/haproxy.cfg" <<HAP
global
  nbthread $THREADS
  maxconn 4000
defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option forwardfor
  http-reuse always
frontend fe
  bind 127.0.0.1:$HAP
  default_backend be
backend be
  server b1 127.0.0.1:$BACK
HAP
# ACCESS_LOG=1: cutover writes an access log (nginx and HAProxy stay without one).
if [ "${ACCESS_LOG:-0}" = 1 ]; then sed -i "/^threads/a access_log = \"$WORK/access.log\"" "$WORK/cutover.toml"; fi

start 0 nginx -c "$WORK/backend.conf" -p "$WORK/nb"
wait_port "$BACK"
declare -A PROC
start 1 "$CUTOVER" serve -c "$WORK/cutover.toml" 2>"$WORK/cutover.log"; PROC[cutover]=$!
start 1 nginx -c "$WORK/proxy-nginx.conf" -p "$WORK/np"; PROC[nginx]=$!
start 1 haproxy -f "$WORK/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1; PROC[haproxy]=$!
wait_port "$CUT"; wait_port "$NGX"; wait_port "$HAP"

run() {  # name port round -> "rps p50 p99 cpu_us_per_req errors" for one round
  local before after
  before=$(cpu_ticks "${PROC[$1]}")
  pin_load wrk -t1 -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$2/" > "$WORK/$1.$3.wrk"
  after=$(cpu_ticks "${PROC[$1]}")
  total=$(awk '/requests in/ {print $1}' "$WORK/$1.$3.wrk")
  cpu=$(cpu_us_per_request $((after - before)) "$total")
  wrk_summary "$WORK/$1.$3.wrk" "$cpu"
}
echo "wrk -t1 -c$CONNS -d$DURATION x $ROUNDS rounds (median shown), proxies with $THREADS thread(s)/process(es), $(nproc) cores, PIN=$PIN"
declare -A PORT=([cutover]=$CUT [nginx]=$NGX [haproxy]=$HAP)
for n in cutover nginx haproxy; do pin_load wrk -t1 -c"$CONNS" -d3s "http://127.0.0.1:${PORT[$n]}/" >/dev/null; done  # warm-up
for r in $(seq "$ROUNDS"); do
  for n in cutover nginx haproxy; do run "$n" "${PORT[$n]}" "$r" >> "$WORK/$n.rounds"; done
done
median_table proxy "CPU µs/request" .rounds nginx cutover nginx haproxy
echo "all rounds (req/s):"
for n in cutover nginx haproxy; do echo "  $n: $(awk '{printf "%s (%s us) ", $1, $4}' "$WORK/$n.rounds")"; done
