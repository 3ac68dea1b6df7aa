#!/usr/bin/env bash
# Throughput and latency of the same wrk load through cutover, nginx and HAProxy, in one run,
# against one nginx backend that returns a small body. Every proxy gets the same number of
# threads/processes (THREADS). Prints a markdown table with ratios to nginx.
# Rounds are interleaved (cutover, nginx, haproxy, cutover, ...) and the median round of
# each proxy is reported, because a 2-core machine running wrk, a backend and a proxy at
# once is noisy. PIN=1 puts the proxies on CPU 1 and wrk + the backend on CPU 0.
# PAIRED=1 (implies PIN=1) loads the three proxies at the same time, each with its own wrk:
# they share CPU 1 in the same seconds, so the one needing the least CPU per request serves
# the most, and the machine's drift between rounds hits all three alike (see bench/ab.sh).
#   bench/proxy.sh [DURATION=10s] [CONNS=50] [THREADS=$(nproc): what cutover serve runs by default] [ROUNDS=3]
set -euo pipefail
DURATION=${1:-10s}
CONNS=${2:-50}
THREADS=${3:-$(nproc)}
ROUNDS=${4:-3}
PAIRED=${PAIRED:-0}
if [ "$PAIRED" = 1 ]; then PIN=1; fi
. "$(dirname "$0")/lib.sh"

BACK=$(free_port); CUT=$(free_port); NGX=$(free_port); HAP=$(free_port)
write_backend_conf "$BACK"
# MAX_CONNS=N: cutover's pool and HAProxy's server both cap requests in flight at N and queue
# the rest (cutover: max_conns + its pool queue; HAProxy: maxconn + its server queue).
# nginx has no queue (its max_conns answers 502 when full), so it stays uncapped.
if [ -n "${MAX_CONNS:-}" ]; then POOL_EXTRA="max_conns = $MAX_CONNS
queue = 10000
${POOL_EXTRA:-}"; fi
write_proxy_confs "$BACK" "$NGX" "$CUT" "$THREADS" "worker_processes $THREADS;"
write_haproxy_conf "$BACK" "$HAP" "$THREADS" 4000 "${MAX_CONNS:+maxconn $MAX_CONNS}"
# ACCESS_LOG=1: cutover writes an access log (nginx and HAProxy stay without one).
if [ "${ACCESS_LOG:-0}" = 1 ]; then sed -i "/^threads/a access_log = \"$WORK/access.log\"" "$WORK/cutover.toml"; fi

start_backend_and_proxies "$BACK" "$CUT" "$NGX" "$HAP"

run() {  # name port round -> "rps p50 p99 cpu_us_per_req errors" for one round
  local before after
  before=$(cpu_ticks "${PROC[$1]}")
  pin_load wrk -t1 -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$2/" > "$WORK/$1.$3.wrk"
  after=$(cpu_ticks "${PROC[$1]}")
  total=$(awk '/requests in/ {print $1}' "$WORK/$1.$3.wrk")
  cpu=$(cpu_us_per_request $((after - before)) "$total")
  wrk_summary "$WORK/$1.$3.wrk" "$cpu"
}
echo "wrk -t1 -c$CONNS -d$DURATION x $ROUNDS rounds (median shown), proxies with $THREADS thread(s)/process(es), $(nproc) cores, PIN=$PIN PAIRED=$PAIRED"
declare -A PORT=([cutover]=$CUT [nginx]=$NGX [haproxy]=$HAP)
for n in cutover nginx haproxy; do pin_load wrk -t1 -c"$CONNS" -d3s "http://127.0.0.1:${PORT[$n]}/" >/dev/null; done  # warm-up
for r in $(seq "$ROUNDS"); do
  if [ "$PAIRED" = 1 ]; then
    W=()
    for n in cutover nginx haproxy; do run "$n" "${PORT[$n]}" "$r" > "$WORK/$n.now" & W+=($!); done
    wait "${W[@]}"  # not a bare wait: the servers are background jobs too
    for n in cutover nginx haproxy; do cat "$WORK/$n.now" >> "$WORK/$n.rounds"; done
  else
    for n in cutover nginx haproxy; do run "$n" "${PORT[$n]}" "$r" >> "$WORK/$n.rounds"; done
  fi
done
median_table proxy "CPU µs/request" .rounds nginx cutover nginx haproxy
echo "all rounds (req/s):"
for n in cutover nginx haproxy; do echo "  $n: $(awk '{printf "%s (%s us) ", $1, $4}' "$WORK/$n.rounds")"; done
if [ "$PAIRED" = 1 ]; then  # within each round all three ran in the same seconds
  echo "cutover/nginx req/s per round: $(per_round_ratio "$WORK/nginx.rounds" "$WORK/cutover.rounds")"
  # p99 within each round: the table's two p99s may come from different rounds.
  echo "cutover/nginx p99 per round: $(per_round_p99_ratio "$WORK/nginx.rounds" "$WORK/cutover.rounds")"
  # Near 1.00 means CPU 1 was the limit, as it should be; lower, and wrk was.
  echo "CPU 1 busy per round (sum over the proxies of req/s x CPU µs/request): $(for r in $(seq "$ROUNDS"); do
    for n in cutover nginx haproxy; do sed -n "${r}p" "$WORK/$n.rounds"; done | awk '{s += $1 * $4 / 1e6} END {printf "%.2f ", s}'; done)"
fi
