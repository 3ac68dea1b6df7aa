#!/usr/bin/env bash
# A rolling restart under load: 5 supervised HTTP workers and 4 FastCGI app.cgi processes
# behind cutover's defaults, wrk on both pools, `cutover workers restart` of each pool in
# turn. Prints how long the restart took, the requests answered during it, and wrk's
# latency and errors (the e2e test Workers.RollingRestart* checks that none fails; the rate
# is measured here, never asserted in make test).
#   bench/rolling_restart.sh [CONNECTIONS=8]
set -euo pipefail
CONNS=${1:-8}
source "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-$ROOT/build}
ulimit -n 65536 2>/dev/null || true
mkdir -p "$WORK/log" "$WORK/pid"
for name in worker app; do
  bin="$BUILD/example-worker"; [ $name = app ] && bin="$BUILD/app.cgi"
  printf '#!/bin/sh\nexec %s "$@" --name v1\n' "$bin" > "$WORK/$name.sh"; chmod +x "$WORK/$name.sh"
done
ports=""; for i in 1 2 3 4 5; do ports+="${ports:+, }$(free_port)"; done
PORT=$(free_port); ADMIN=$(free_port)
cat > "$WORK/c.toml" <<TOML
[server]
allow_root = true  # the bench machine runs as root
listen = ["127.0.0.1:$PORT"]
admin = "127.0.0.1:$ADMIN"
[pools.warp]
balancer = "round-robin"
[pools.warp.workers]
command = ["$WORK/worker.sh", "--port", "{port}"]
ports = [$ports]
stdout = "$WORK/log/{port}.log"
[pools.legacy]
protocol = "fastcgi"
[pools.legacy.workers]
command = ["$WORK/app.sh"]
socket = "$WORK/app-{index}.sock"
count = 4
[[routes]]
name = "legacy"
match = { prefix = "/cgi" }
forward = "legacy"
[[routes]]
name = "app"
forward = "warp"
TOML
start 1 "$CUTOVER" serve -c "$WORK/c.toml" 2> "$WORK/cutover.log"
wait_port "$PORT"
for _ in $(seq 200); do grep -q "admin API on" "$WORK/cutover.log" && break; sleep 0.05; done
# New binaries on disk, then load on both pools and the restart of each in turn.
for name in worker app; do sed -i 's/--name v1/--name v2/' "$WORK/$name.sh"; done
pin_load wrk -t1 -c"$CONNS" -d60s --latency "http://127.0.0.1:$PORT/" > "$WORK/warp.wrk" 2>&1 & W1=$!; PIDS+=($W1)
pin_load wrk -t1 -c"$CONNS" -d60s --latency "http://127.0.0.1:$PORT/cgi/" > "$WORK/legacy.wrk" 2>&1 & W2=$!; PIDS+=($W2)
sleep 2  # wrk's warm-up: a bench paces itself; the figures are wrk's
t0=$(date +%s.%N)
"$CUTOVER" workers restart warp --admin "127.0.0.1:$ADMIN" > "$WORK/restart.out"
"$CUTOVER" workers restart legacy --admin "127.0.0.1:$ADMIN" >> "$WORK/restart.out"
t1=$(date +%s.%N)
kill -INT $W1 $W2 2>/dev/null || true
wait $W1 $W2 2>/dev/null || true
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
echo "rolling restart of 5 HTTP + 4 FastCGI workers with $CONNS+$CONNS wrk connections: ${secs}s"
echo
echo "| pool | req/s over the run | p50 | p99 | max | errors |"
echo "|---|---|---|---|---|---|"
for p in warp legacy; do
  set -- $(wrk_summary "$WORK/$p.wrk" -)
  echo "| $p | $1 | $2 | $3 | $6 | ${*:7} |"
done
curl -s "http://127.0.0.1:$PORT/" | grep -q "hello from v2" && echo && echo "the new binary answers after the restart"
