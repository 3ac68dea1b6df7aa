#!/usr/bin/env bash
# The demo: cutover on 127.0.0.1:8080 with the built-in demo config (examples/demo.toml). It
# starts the five example workers (3001-3005) and the legacy app.cgi itself; Ctrl-C stops
# cutover, which stops every worker it started.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
mkdir -p tmp/log tmp/pid
cat <<'TXT'

  cutover demo: http://127.0.0.1:8080/static/   (dashboard: http://127.0.0.1:9090/)

  Try, in another terminal:
    curl http://127.0.0.1:8080/                 # a worker says hello; repeat to see sqf spread the load
    curl 'http://127.0.0.1:8080/echo?x=1'       # what the worker got: /proxy stripped, X-Forwarded-*, Forwarded
    curl http://127.0.0.1:8080/static/hello.txt # a static file, served by cutover itself
    curl http://127.0.0.1:8080/cgi/env          # the legacy FastCGI app: its CGI variables
    curl http://127.0.0.1:8080/cgi/echo         # the legacy app answers; a copy goes to a worker (shadow)
    for i in $(seq 1 10); do curl -s http://127.0.0.1:8080/cgi/shop/items/$i; done
                                                # the shop both apps serve: equal but for item 7 (dashboard)
    build/cutover route status                  # the route's stage and what the compare found
    build/cutover route promote legacy          # shadow -> canary 1% -> 10% -> 50% -> new
    build/cutover workers status                # the worker processes cutover runs
    build/cutover workers restart warp          # replace them one at a time; no request fails
    kill -9 $(cat tmp/pid/3002)                 # a crashed worker comes back by itself
    build/cutover check -c examples/demo.toml   # the resolved routes and pools

  Worker logs are in tmp/log/, pid files in tmp/pid/. Press Ctrl-C to stop everything.

TXT
if [ "$BUILD" != build ]; then
  # The built-in config names build/...; run the same config with this build's binaries.
  sed "s#build/#$BUILD/#g" examples/demo.toml > tmp/demo.toml
  exec "$BUILD/cutover" serve -c tmp/demo.toml
fi
exec "$BUILD/cutover" serve --demo
