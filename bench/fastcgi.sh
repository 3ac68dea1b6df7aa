#!/usr/bin/env bash
# The same libfcgi app (examples/app, APPS processes on one unix socket, spawned by
# spawn-fcgi as in the classic setup) behind cutover, nginx (fastcgi_pass) and lighttpd
# (fastcgi.server), one run, the same wrk load. Each server has its own copy of the app, so
# connections one keeps open cannot hold processes another needs. Rounds are interleaved, the median shown,
# req/s relative to nginx.
# nginx with `fastcgi_keep_conn on` + upstream `keepalive` is run last, for
# KEEPCONN_DURATION (0: not at all): it keeps more idle connections than the app has
# processes and stalls (the keep-conn trap).
# cutover gets what it would default to if it supervised the APPS processes itself: every
# process kept, keep_conn = max_conns = APPS (the rest wait in its queue, in order).
# KEEP_CONN=0 makes it open a connection per request, like nginx and lighttpd;
# KEEP_CONN=3 MAX_CONNS=8 was the default before 2026-11-26 (one process left unkept).
#   bench/fastcgi.sh [DURATION=10s] [CONNS=50] [THREADS=$(nproc): what cutover serve runs by default] [ROUNDS=3] [APPS=4]
set -euo pipefail
DURATION=${1:-10s}
CONNS=${2:-50}
THREADS=${3:-$(nproc)}
ROUNDS=${4:-3}
APPS=${5:-4}
. "$(dirname "$0")/lib.sh"
APP=${APP:-$ROOT/build/app.cgi}

CUT=$(free_port); NGX=$(free_port); LTD=$(free_port); NGK=$(free_port)
mkdir -p "$WORK/ng" "$WORK/nk"
chmod 755 "$WORK"  # nginx workers run as nobody and connect to the socket

# spawn APPS app processes on a socket; their pids join PIDS (spawn-fcgi itself exits).
spawn_app() {
  local sock=$1
  if [ "$PIN" = 1 ]; then
    taskset -c 0 spawn-fcgi -s "$sock" -M 0666 -F "$APPS" -P "$WORK/$(basename "$sock").pids" -- "$APP" --name bench >/dev/null
  else
    spawn-fcgi -s "$sock" -M 0666 -F "$APPS" -P "$WORK/$(basename "$sock").pids" -- "$APP" --name bench >/dev/null
  fi
  # (the last pid has no newline after it)
  while read -r p || [ -n "$p" ]; do PIDS+=("$p"); done < "$WORK/$(basename "$sock").pids"
}
for n in cutover nginx lighttpd; do spawn_app "$WORK/app-$n.sock"; done

cat > "$WORK/nginx.conf" <<NGINX
worker_processes $THREADS; daemon off; pid $WORK/ng/pid; error_log $WORK/ng/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$NGX;
    location / { include /etc/nginx/fastcgi_params; fastcgi_param SCRIPT_NAME \$fastcgi_script_name;
      fastcgi_pass unix:$WORK/app-nginx.sock; } } }
NGINX
cat > "$WORK/nginx-keepconn.conf" <<NGINX
worker_processes $THREADS; daemon off; pid $WORK/nk/pid; error_log $WORK/nk/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  upstream app { server unix:$WORK/app-k.sock; keepalive 16; }
  server { listen 127.0.0.1:$NGK;
    location / { include /etc/nginx/fastcgi_params; fastcgi_param SCRIPT_NAME \$fastcgi_script_name;
      fastcgi_keep_conn on; fastcgi_read_timeout 5s; fastcgi_pass app; } } }
NGINX
cat > "$WORK/lighttpd.conf" <<LTD
server.modules += ("mod_fastcgi")
server.document-root = "$WORK"
server.bind = "127.0.0.1"
server.port = $LTD
server.errorlog = "$WORK/lighttpd.err"
server.max-keep-alive-requests = 1000000
fastcgi.server = ("/" => (("socket" => "$WORK/app-lighttpd.sock", "check-local" => "disable")))
LTD
cat > "$WORK/cutover.toml" <<TOML
[server]
allow_root = true  # the bench machine runs as root
listen = ["127.0.0.1:$CUT"]
threads = $THREADS
[pools.app]
protocol = "fastcgi"
backends = ["unix:$WORK/app-cutover.sock"]
keep_conn = ${KEEP_CONN:-$APPS}
max_conns = ${MAX_CONNS:-$APPS}
${POOL_EXTRA:-}
[[routes]]
name = "app"
match = { prefix = "/" }
forward = "app"
TOML

declare -A PROC
start 1 "$CUTOVER" serve -c "$WORK/cutover.toml" 2>"$WORK/cutover.log"; PROC[cutover]=$!
start 1 nginx -c "$WORK/nginx.conf" -p "$WORK/ng"; PROC[nginx]=$!
start 1 lighttpd -D -f "$WORK/lighttpd.conf"; PROC[lighttpd]=$!
wait_port "$CUT"; wait_port "$NGX"; wait_port "$LTD"
declare -A PORT=([cutover]=$CUT [nginx]=$NGX [lighttpd]=$LTD [nginx-keepconn]=$NGK)
for n in cutover nginx lighttpd; do
  curl -sf "http://127.0.0.1:${PORT[$n]}/hello" | grep -q "hello from bench" || { echo "$n does not reach the app" >&2; exit 1; }
done

run() {  # name port round duration -> "rps p50 p99 cpu_us_per_request errors"
  local f="$WORK/$1.$3.wrk" before after
  before=$(cpu_ticks "${PROC[$1]}")
  pin_load wrk -t1 -c"$CONNS" -d"$4" --timeout 2s --latency "http://127.0.0.1:$2/hello" > "$f"
  after=$(cpu_ticks "${PROC[$1]}")
  wrk_summary "$f" "$(cpu_us_per_request $((after - before)) "$(awk '/requests in/ {print $1}' "$f")")"
}
echo "wrk -t1 -c$CONNS -d$DURATION x $ROUNDS rounds (median shown), $APPS app processes, servers with $THREADS thread(s)/worker(s) (lighttpd has one), $(nproc) cores, PIN=$PIN"
for n in cutover nginx lighttpd; do pin_load wrk -t1 -c"$CONNS" -d2s "http://127.0.0.1:${PORT[$n]}/hello" >/dev/null; done
for r in $(seq "$ROUNDS"); do
  for n in cutover nginx lighttpd; do run "$n" "${PORT[$n]}" "$r" "$DURATION" >> "$WORK/$n.rounds"; done
done
median_table server "CPU µs/request" .rounds nginx cutover nginx lighttpd
echo "all rounds (req/s):"
for n in cutover nginx lighttpd; do echo "  $n: $(awk '{printf "%s ", $1}' "$WORK/$n.rounds")"; done
# Each cutover round against the nginx round run right after it: steadier than the ratio of
# the two medians when the machine drifts between rounds.
r=$(per_round_ratio "$WORK/nginx.rounds" "$WORK/cutover.rounds")
echo "cutover/nginx req/s per round: $r(median $(echo "$r" | tr ' ' '\n' | grep . | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p"))"
echo "cutover/nginx p99 per round: $(per_round_p99_ratio "$WORK/nginx.rounds" "$WORK/cutover.rounds")"

# The trap, last and on its own app copy, so a stall cannot hold the others' processes.
if [ "${KEEPCONN_DURATION:-10s}" != 0 ]; then
  spawn_app "$WORK/app-k.sock"
  start 1 nginx -c "$WORK/nginx-keepconn.conf" -p "$WORK/nk"; PROC[nginx-keepconn]=$!
  wait_port "$NGK"
  run nginx-keepconn "$NGK" 1 "${KEEPCONN_DURATION:-10s}" > "$WORK/nginx-keepconn.rounds"
  echo
  echo "nginx with fastcgi_keep_conn on, keepalive 16 (one ${KEEPCONN_DURATION:-10s} round): $(cat "$WORK/nginx-keepconn.rounds") (req/s p50 p99 CPU-µs/request errors)"
fi
