#!/usr/bin/env bash
# Static files through cutover, nginx and lighttpd in one run: a 4 KiB and a 1 MiB file, the
# same wrk load, each server with THREADS thread(s)/worker(s) (lighttpd has one). Rounds
# are interleaved and the median round reported, with req/s relative to nginx.
# FILE_CACHE sets cutover's server.file_cache (default 1s; "0s" opens every file each time);
# NGINX_CACHE=1 turns on nginx's open_file_cache (off in nginx's defaults).
#   bench/static.sh [DURATION=10s] [CONNS=50] [THREADS=$(nproc): what cutover serve runs by default] [ROUNDS=3]
set -euo pipefail
DURATION=${1:-10s}
CONNS=${2:-50}
THREADS=${3:-$(nproc)}
ROUNDS=${4:-3}
. "$(dirname "$0")/lib.sh"

CUT=$(free_port); NGX=$(free_port); LTD=$(free_port)
mkdir -p "$WORK/www" "$WORK/ng"
chmod 755 "$WORK"  # nginx workers run as nobody
head -c 4096 /dev/urandom > "$WORK/www/4k.bin"
head -c $((1024 * 1024)) /dev/urandom > "$WORK/www/1m.bin"
cat > "$WORK/nginx.conf" <<NGINX
worker_processes $THREADS; daemon off; pid $WORK/ng/pid; error_log $WORK/ng/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000; sendfile on; tcp_nopush on;
  include /etc/nginx/mime.types;
  $([ "${NGINX_CACHE:-0}" = 1 ] && echo "open_file_cache max=1000 inactive=10s; open_file_cache_valid 1s;")
  server { listen 127.0.0.1:$NGX; root $WORK/www; } }
NGINX
cat > "$WORK/lighttpd.conf" <<LTD
server.document-root = "$WORK/www"
server.bind = "127.0.0.1"
server.port = $LTD
server.errorlog = "$WORK/lighttpd.err"
server.max-keep-alive-requests = 1000000
mimetype.assign = (".bin" => "application/octet-stream")
LTD
cat > "$WORK/cutover.toml" <<TOML
[server]
allow_root = true  # the bench machine runs as root
listen = ["127.0.0.1:$CUT"]
threads = $THREADS
file_cache = "${FILE_CACHE:-1s}"
[[routes]]
name = "files"
match = { prefix = "/" }
static = { root = "$WORK/www" }
TOML

declare -A PROC
start 1 "$CUTOVER" serve -c "$WORK/cutover.toml" 2>"$WORK/cutover.log"; PROC[cutover]=$!
start 1 nginx -c "$WORK/nginx.conf" -p "$WORK/ng"; PROC[nginx]=$!
start 1 lighttpd -D -f "$WORK/lighttpd.conf"; PROC[lighttpd]=$!
wait_port "$CUT"; wait_port "$NGX"; wait_port "$LTD"
declare -A PORT=([cutover]=$CUT [nginx]=$NGX [lighttpd]=$LTD)
for n in cutover nginx lighttpd; do
  cmp <(curl -s "http://127.0.0.1:${PORT[$n]}/1m.bin") "$WORK/www/1m.bin" || { echo "$n serves a different 1m.bin" >&2; exit 1; }
done

run() {  # name port file round -> "rps p50 p99 MB/s errors"
  pin_load wrk -t1 -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$2/$3" > "$WORK/$1.$3.$4.wrk"
  local f="$WORK/$1.$3.$4.wrk"
  wrk_summary "$f" "$(awk '/Transfer\/sec/ {print $2}' "$f")"
}
echo "wrk -t1 -c$CONNS -d$DURATION x $ROUNDS rounds (median shown), servers with $THREADS thread(s)/worker(s), $(nproc) cores, PIN=$PIN, cutover file_cache=${FILE_CACHE:-1s}, nginx open_file_cache=${NGINX_CACHE:-0}"
for file in 4k.bin 1m.bin; do
  for n in cutover nginx lighttpd; do pin_load wrk -t1 -c"$CONNS" -d2s "http://127.0.0.1:${PORT[$n]}/$file" >/dev/null; done
  for r in $(seq "$ROUNDS"); do
    for n in cutover nginx lighttpd; do run "$n" "${PORT[$n]}" "$file" "$r" >> "$WORK/$n.$file.rounds"; done
  done
  echo
  echo "$file"
  median_table server transfer/s ".$file.rounds" nginx cutover nginx lighttpd
  echo "all rounds (req/s):"
  for n in cutover nginx lighttpd; do echo "  $n: $(awk '{printf "%s ", $1}' "$WORK/$n.$file.rounds")"; done
done
