#!/usr/bin/env bash
# User-space instructions per proxied request, counted by valgrind's callgrind: cutover and
# nginx (proxy_pass + upstream keepalive), one thread/worker each, in front of the same nginx
# backend as bench/proxy.sh. Unlike req/s and CPU time this count does not move with the
# machine's noise, so it shows what a change to the request path saves (the kernel's share
# is not in it). The load: a 2 s warm-up, counters zeroed, then wrk -t1 -cCONNS for
# DURATION. Needs valgrind: scripts/setup.sh valgrind installs it.
#   bench/instructions.sh [DURATION=10s] [CONNS=50]
#   CUTOVER=/path/to/other/cutover bench/instructions.sh   # an older build, for an A/B
set -euo pipefail
DURATION=${1:-10s}
CONNS=${2:-50}
. "$(dirname "$0")/lib.sh"
command -v valgrind >/dev/null || { echo "needs valgrind: scripts/setup.sh valgrind" >&2; exit 1; }

BACK=$(free_port); CUT=$(free_port); NGX=$(free_port)
write_backend_conf "$BACK"
write_proxy_confs "$BACK" "$NGX" "$CUT" 1 "master_process off;"
start 0 nginx -c "$WORK/backend.conf" -p "$WORK/nb"
wait_port "$BACK"

# count NAME PORT COMMAND...: runs COMMAND under callgrind, loads it, prints a table row.
count() {
  local name=$1 port=$2; shift 2
  valgrind --tool=callgrind --callgrind-out-file="$WORK/$name.cg" "$@" 2> "$WORK/$name.vg" &
  local vp=$!
  PIDS+=($vp)
  for _ in $(seq 200); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
  wrk -t1 -c"$CONNS" -d2s "http://127.0.0.1:$port/" > /dev/null
  callgrind_control -z "$vp" > /dev/null 2>&1
  wrk -t1 -c"$CONNS" -d"$DURATION" "http://127.0.0.1:$port/" > "$WORK/$name.wrk"
  callgrind_control -d "$vp" > /dev/null 2>&1
  kill -INT "$vp"; wait "$vp" 2>/dev/null || true
  local n total f
  n=$(awk '/requests in/ {print $1}' "$WORK/$name.wrk")
  f=$(ls -t "$WORK/$name.cg".* | head -1)
  [ -n "${KEEP_CG:-}" ] && cp "$f" "$KEEP_CG.$name.cg"
  total=$(callgrind_annotate "$f" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",","",$1); print $1}')
  printf "| %s | %s | %s |\n" "$name" "$n" "$((total / n))"
}
echo "callgrind, wrk -t1 -c$CONNS -d$DURATION after a 2 s warm-up, one thread/worker each"
echo "| proxy | requests counted | user-space instructions per request |"
echo "|---|---|---|"
count cutover "$CUT" "$CUTOVER" serve -c "$WORK/cutover.toml"
count nginx "$NGX" nginx -c "$WORK/proxy-nginx.conf" -p "$WORK/np"
