#!/usr/bin/env bash
# The demo: five example workers on 3001-3005 and cutover on 127.0.0.1:8080 with the
# built-in demo config (examples/demo.toml). Ctrl-C stops every process it started.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
PIDS=()
stop() {
  trap - INT TERM EXIT
  echo; echo "demo: stopping ${#PIDS[@]} processes"
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT
mkdir -p tmp/log
for port in 3001 3002 3003 3004 3005; do
  "$BUILD/example-worker" --port "$port" --name "worker-$port" >"tmp/log/$port.log" 2>"tmp/log/${port}_errors.log" &
  PIDS+=($!)
done
rm -f tmp/app.sock
"$BUILD/app.cgi" --socket tmp/app.sock --name legacy-app >tmp/log/app.log 2>tmp/log/app_errors.log &
PIDS+=($!)
"$BUILD/cutover" serve --demo &
PIDS+=($!)
sleep 0.5
cat <<'TXT'

  cutover demo is running: open http://127.0.0.1:8080/static/

  Try:
    curl http://127.0.0.1:8080/                 # a worker says hello; repeat to see sqf spread the load
    curl 'http://127.0.0.1:8080/echo?x=1'       # what the worker got: /proxy stripped, X-Forwarded-*, Forwarded
    curl http://127.0.0.1:8080/static/hello.txt # a static file, served by cutover itself
    curl http://127.0.0.1:8080/cgi/env          # the legacy FastCGI app: its CGI variables
    curl -X POST --data-binary @README.md http://127.0.0.1:8080/echo
    build/cutover check -c examples/demo.toml   # the resolved routes and pools

  Worker logs are in tmp/log/. Press Ctrl-C to stop everything.
TXT
wait -n "${PIDS[@]}" || true
