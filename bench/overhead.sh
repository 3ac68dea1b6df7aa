#!/usr/bin/env bash
# What cutover's own features cost, measured against cutover without them, in one run:
#   plain      one backend, no access log, no admin listener
#   logged     the same with the access log on and the admin listener's /metrics scraped
#              every second (the metrics counters themselves are always on)
#   first      five backends, balancer "first" (the cheapest choice: a scan)
#   sqf        five backends, balancer "sqf"
#   least-conn five backends, balancer "least-conn"
# Each variant is its own cutover process (one thread) behind the same nginx backend (five
# ports); rounds are interleaved and the median round is shown, with the CPU cutover spent
# per request, which is steadier than req/s on a 2-core machine. The choice itself is timed
# on its own by build/bench/balancer_bench (ns per pick), which this script runs first.
#   bench/overhead.sh [DURATION=10s] [CONNS=50] [ROUNDS=3]     (VARIANTS="plain logged" for a subset)
set -euo pipefail
DURATION=${1:-10s}
CONNS=${2:-50}
ROUNDS=${3:-3}
. "$(dirname "$0")/lib.sh"
BENCH_BIN=${BENCH_BIN:-$ROOT/build/bench/balancer_bench}

if [ -x "$BENCH_BIN" ]; then "$BENCH_BIN"; echo; fi

BACKS=(); for i in 1 2 3 4 5; do BACKS+=("$(free_port)"); done
mkdir -p "$WORK/nb"
LISTEN=""; for p in "${BACKS[@]}"; do LISTEN+="listen 127.0.0.1:$p; "; done
cat > "$WORK/backend.conf" <<NGINX
worker_processes 1; daemon off; pid $WORK/nb/pid; error_log $WORK/nb/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { $LISTEN location / { return 200 "hello from the benchmark backend\n"; } } }
NGINX
start 0 nginx -c "$WORK/backend.conf" -p "$WORK/nb"
wait_port "${BACKS[0]}"

FIVE=""; for p in "${BACKS[@]}"; do FIVE+="${FIVE:+, }\"127.0.0.1:$p\""; done
read -r -a VARIANTS <<< "${VARIANTS:-plain logged first sqf least-conn}"
declare -A PORT PROC
for v in "${VARIANTS[@]}"; do
  PORT[$v]=$(free_port)
  backends="\"127.0.0.1:${BACKS[0]}\""; balancer=sqf; extra=""
  case $v in
    logged) extra="access_log = \"$WORK/access.log\"
admin = \"127.0.0.1:$(free_port)\"" ;;
    first|sqf|least-conn) backends=$FIVE; balancer=$v ;;
  esac
  cat > "$WORK/$v.toml" <<TOML
[server]
allow_root = true  # the bench machine runs as root
listen = ["127.0.0.1:${PORT[$v]}"]
threads = 1
$extra
[pools.be]
backends = [$backends]
balancer = "$balancer"
keepalive = 128
[[routes]]
name = "all"
forward = "be"
TOML
  start 1 "$CUTOVER" serve -c "$WORK/$v.toml" 2>"$WORK/$v.log"; PROC[$v]=$!
  wait_port "${PORT[$v]}"
done
ADMIN=$(sed -n 's/^admin = "\(.*\)"/\1/p' "$WORK/logged.toml" 2>/dev/null || true)

run() {  # variant round -> "rps p50 p99 cpu_us_per_req errors"
  local before after scraper=""
  if [ "$1" = logged ]; then
    ( while :; do curl -s "http://$ADMIN/metrics" >/dev/null; sleep 1; done ) & scraper=$!
  fi
  before=$(cpu_ticks "${PROC[$1]}")
  pin_load wrk -t1 -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:${PORT[$1]}/" > "$WORK/$1.$2.wrk"
  after=$(cpu_ticks "${PROC[$1]}")
  if [ -n "$scraper" ]; then kill "$scraper"; wait "$scraper" 2>/dev/null || true; fi
  total=$(awk '/requests in/ {print $1}' "$WORK/$1.$2.wrk")
  wrk_summary "$WORK/$1.$2.wrk" "$(cpu_us_per_request $((after - before)) "$total")"
}
echo "wrk -t1 -c$CONNS -d$DURATION x $ROUNDS rounds (median shown), cutover with 1 thread, $(nproc) cores, PIN=$PIN"
for v in "${VARIANTS[@]}"; do pin_load wrk -t1 -c"$CONNS" -d3s "http://127.0.0.1:${PORT[$v]}/" >/dev/null; done  # warm-up
for r in $(seq "$ROUNDS"); do
  for v in "${VARIANTS[@]}"; do run "$v" "$r" >> "$WORK/$v.rounds"; done
done
has() { [[ " ${VARIANTS[*]} " == *" $1 "* ]]; }
if has plain && has logged; then
  echo "access log and metrics:"
  median_table variant "CPU µs/request" .rounds plain plain logged
fi
if has first && has sqf && has least-conn; then
  echo "balancers over five backends:"
  median_table variant "CPU µs/request" .rounds first first sqf least-conn
fi
echo "all rounds (req/s, CPU µs/request):"
for v in "${VARIANTS[@]}"; do echo "  $v: $(awk '{printf "%s (%s us) ", $1, $4}' "$WORK/$v.rounds")"; done
echo "mean CPU µs/request over all rounds:"
for v in "${VARIANTS[@]}"; do echo "  $v: $(awk '{s+=$4; n++} END {printf "%.2f", s/n}' "$WORK/$v.rounds")"; done
if has logged; then echo "access log lines written: $(wc -l < "$WORK/access.log")"; fi
