# Shared by the benchmark scripts (sourced): a work directory, the processes started (stopped
# by pid on exit), and port helpers.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CUTOVER=${CUTOVER:-$ROOT/build/cutover}
WORK=$(mktemp -d /tmp/cutover-bench.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.05; done; echo "port $1 never opened" >&2; exit 1; }
# PIN=1: the load (wrk, backends) on CPU 0, the proxies on CPU 1.
PIN=${PIN:-0}
pin_load() { if [ "$PIN" = 1 ]; then taskset -c 0 "$@"; else "$@"; fi; }
# start CPU COMMAND...: in the background; $! is the program's own pid (taskset execs it),
# so cleanup stops exactly it.
start() {
  local cpu=$1; shift
  if [ "$PIN" = 1 ]; then taskset -c "$cpu" "$@" & else "$@" & fi
  PIDS+=($!)
}
# The median round of each server (rounds files "$WORK/<name><suffix>", one
# "req/s p50 p99 <col4> p90 max errors..." line per round) as a markdown table, req/s
# relative to the first name given after the column titles.
#   median_table "server" "transfer/s" ".4k.bin.rounds" nginx cutover nginx lighttpd
median_table() {
  local what=$1 col4=$2 suffix=$3 base_name=$4; shift 4
  local med=$(( (ROUNDS + 1) / 2 )) base
  base=$(sort -n -k1 "$WORK/$base_name$suffix" | sed -n "${med}p" | awk '{print $1}')
  printf "| %s | req/s | p50 | p90 | p99 | max | %s | req/s vs %s | errors |\n|---|---|---|---|---|---|---|---|---|\n" "$what" "$col4" "$base_name"
  for n in "$@"; do
    set -- $(sort -n -k1 "$WORK/$n$suffix" | sed -n "${med}p")
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n" "$n" "$1" "$2" "$5" "$3" "$6" "$4" \
      "$(awk -v a="$1" -v b="$base" 'BEGIN{printf "%.2fx", a/b}')" "${*:7}"
  done
}
# One wrk --latency output as a rounds line: "req/s p50 p99 <fourth> p90 max errors".
#   wrk_summary FILE FOURTH
wrk_summary() {
  local f=$1 rps p50 p90 p99 max errs
  rps=$(awk '/Requests\/sec/ {print $2}' "$f")
  p50=$(awk '$1=="50%" {print $2}' "$f")
  p90=$(awk '$1=="90%" {print $2}' "$f")
  p99=$(awk '$1=="99%" {print $2}' "$f")
  max=$(awk '$1=="Latency" && NF >= 4 {print $4; exit}' "$f")
  errs=$(awk '/Non-2xx|Socket errors/ {print}' "$f" | tr -s ' ' | tr '\n' ' ')
  echo "$rps $p50 $p99 $2 $p90 $max ${errs:-none}"
}
# The first columns (req/s) of two rounds files divided line by line: B / A per round.
#   per_round_ratio A_FILE B_FILE
per_round_ratio() {
  paste -d' ' <(awk '{print $1}' "$1") <(awk '{print $1}' "$2") | awk '{printf "%.3f ", $2/$1}'
}
# The p99 column (COL, 3rd by default: "14.2ms", "980.00us", "1.02s") of a rounds file in
# ms, one per line.
#   p99_ms FILE [COL]
p99_ms() {
  awk -v c="${2:-3}" '{v=$c; u=v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v); printf "%.3f\n", u=="us" ? v/1000 : (u=="s" ? v*1000 : v)}' "$1"
}
# B's p99 over A's, round by round, then " (median X)".
#   per_round_p99_ratio A_FILE B_FILE [COL]
per_round_p99_ratio() {
  local r
  r=$(paste -d' ' <(p99_ms "$1" "${3:-3}") <(p99_ms "$2" "${3:-3}") | awk '{printf "%.3f\n", $2/$1}')
  echo "$(echo "$r" | tr '\n' ' ')(median $(echo "$r" | sort -n | sed -n "$(( ($(echo "$r" | wc -l) + 1) / 2 ))p"))"
}
# CPU time (clock ticks) of a process and its direct children (nginx's workers).
cpu_ticks() {
  local total=0 pid=$1
  for f in /proc/[0-9]*/stat; do
    read -r -a st 2>/dev/null < "$f" || continue
    if [ "${st[0]}" = "$pid" ] || [ "${st[3]}" = "$pid" ]; then total=$((total + st[13] + st[14])); fi
  done
  echo "$total"
}
# cpu_us_per_request TICKS REQUESTS
cpu_us_per_request() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN{printf "%.1f", t / hz * 1e6 / n}'; }
# The benchmark backend (nginx returning a 33-byte body) and the two proxies in front of it
# that bench/proxy.sh and bench/instructions.sh compare, written into $WORK.
#   write_backend_conf PORT
write_backend_conf() {
  mkdir -p "$WORK/nb"
  cat > "$WORK/backend.conf" <<NGINX
worker_processes 1; daemon off; pid $WORK/nb/pid; error_log $WORK/nb/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$1; location / { return 200 "hello from the benchmark backend\n"; } } }
NGINX
}
#   write_proxy_confs BACKEND_PORT NGINX_PORT CUTOVER_PORT THREADS NGINX_PROCESS_LINE
# POOL_EXTRA: TOML lines for cutover's pool (e.g. "max_conns = 8": the bounded queue).
# NGINX_PROCESS_LINE: "worker_processes N;", or "master_process off;" for one process.
write_proxy_confs() {
  mkdir -p "$WORK/np"
  cat > "$WORK/proxy-nginx.conf" <<NGINX
$5 daemon off; pid $WORK/np/pid; error_log $WORK/np/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  upstream be { server 127.0.0.1:$1; keepalive 128; keepalive_requests 1000000; }
  server { listen 127.0.0.1:$2; location / { proxy_pass http://be; proxy_http_version 1.1;
    proxy_set_header Connection ""; proxy_set_header Host \$host;
    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; } } }
NGINX
  cat > "$WORK/cutover.toml" <<TOML
[server]
allow_root = true  # the bench machine runs as root
listen = ["127.0.0.1:$3"]
threads = $4
[pools.be]
backends = ["127.0.0.1:$1"]
keepalive = 128
${POOL_EXTRA:-}
[[routes]]
name = "all"
forward = "be"
TOML
}
# HAProxy in front of the benchmark backend, as bench/proxy.sh and bench/scale.sh run it.
#   write_haproxy_conf BACKEND_PORT HAPROXY_PORT THREADS MAXCONN [SERVER_OPTIONS]
write_haproxy_conf() {
  cat > "$WORK/haproxy.cfg" <<HAP
global
  nbthread $3
  maxconn $4
defaults
  mode http
  maxconn $4
  timeout connect 5s
  timeout client 60s
  timeout server 60s
  option forwardfor
  http-reuse always
frontend fe
  bind 127.0.0.1:$2
  default_backend be
backend be
  server b1 127.0.0.1:$1${5:+ $5}
HAP
}
# The backend, then cutover, nginx and HAProxy in front of it (their configs written into
# $WORK), each waited for; PROC[name] is each proxy's pid, for cpu_ticks.
#   start_backend_and_proxies BACKEND_PORT CUTOVER_PORT NGINX_PORT HAPROXY_PORT
start_backend_and_proxies() {
  start 0 nginx -c "$WORK/backend.conf" -p "$WORK/nb"
  wait_port "$1"
  declare -gA PROC
  start 1 "$CUTOVER" serve -c "$WORK/cutover.toml" 2>"$WORK/cutover.log"; PROC[cutover]=$!
  start 1 nginx -c "$WORK/proxy-nginx.conf" -p "$WORK/np"; PROC[nginx]=$!
  start 1 haproxy -f "$WORK/haproxy.cfg" -db >"$WORK/haproxy.log" 2>&1; PROC[haproxy]=$!
  wait_port "$2"; wait_port "$3"; wait_port "$4"
}
