#!/usr/bin/env bash
# Memory: cutover's RSS with 10,000 idle keep-alive clients, and while a 1 GiB body streams
# through it in each direction. Prints a markdown table.
#   bench/memory.sh [CLIENTS=10000] [BYTES=1073741824]
set -euo pipefail
CLIENTS=${1:-10000}
BYTES=${2:-1073741824}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
WORK=$(mktemp -d /tmp/cutover-mem.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

"$BUILD/example-worker" --port 0 --threads 600 > "$WORK/worker.log" 2>&1 & PIDS+=($!)
for _ in $(seq 100); do grep -q listening "$WORK/worker.log" && break; sleep 0.05; done
WPORT=$(sed -n 's/.*127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/worker.log")
cat > "$WORK/c.toml" <<TOML
[server]
allow_root = true  # the bench machine runs as root
listen = ["127.0.0.1:0"]
keepalive_timeout = "10m"
[pools.app]
backends = ["127.0.0.1:$WPORT"]
[[routes]]
name = "all"
forward = "app"
TOML
"$BUILD/cutover" serve -c "$WORK/c.toml" 2> "$WORK/cutover.log" & CPID=$!; PIDS+=($CPID)
for _ in $(seq 100); do grep -q listening "$WORK/cutover.log" && break; sleep 0.05; done
PORT=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/cutover.log")
rss() { awk '/VmRSS/ {print $2}' "/proc/$CPID/status"; }
echo "| measurement | cutover RSS |"
echo "|---|---|"
echo "| started, idle | $(rss) KiB |"

sample() {  # runs a command while sampling cutover's RSS; prints the peak
  local peak=0; "$@" & local job=$!
  while kill -0 $job 2>/dev/null; do r=$(rss); [ "$r" -gt "$peak" ] && peak=$r; sleep 0.05; done
  wait $job; echo "$peak"
}
down=$(sample curl -s -o /dev/null "http://127.0.0.1:$PORT/large?bytes=$BYTES")
echo "| $((BYTES >> 20)) MiB response streamed (peak) | $down KiB |"
up=$(sample sh -c "head -c $BYTES /dev/zero | curl -s -o /dev/null -H 'Expect:' -X POST -T - http://127.0.0.1:$PORT/sink")
echo "| $((BYTES >> 20)) MiB upload streamed (peak) | $up KiB |"

# 10,000 clients: each sends one request, reads the answer and stays connected. The base is
# the same process warmed by the same traffic (1,000 clients that then close), so that
# what the server keeps anyway (free lists, cached backend connections) is not counted as
# the idle clients' cost; `marginal` is the cost of the second half alone.
python3 - "$PORT" "$CLIENTS" "$CPID" <<'PY' &
import asyncio, sys
port, n, cpid = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def rss():
    with open("/proc/%s/status" % cpid) as f:
        return int([l.split()[1] for l in f if l.startswith("VmRSS")][0])
async def client(conns):
    r, w = await asyncio.open_connection("127.0.0.1", port)
    w.write(b"GET / HTTP/1.1\r\nHost: b\r\n\r\n"); await w.drain()
    head = await r.readuntil(b"\r\n\r\n")
    length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length")][0].split(b":")[1])
    await r.readexactly(length)
    conns.append(w)
async def main():
    for _ in range(2):
        warm = []
        await asyncio.gather(*(client(warm) for _ in range(500)))
        for w in warm: w.close()
    await asyncio.sleep(1.0)
    base = rss()
    conns, half = [], None
    for i in range(0, n, 500):
        await asyncio.gather(*(client(conns) for _ in range(min(500, n - i))))
        if half is None and len(conns) >= n // 2:
            await asyncio.sleep(1.0)
            half = (len(conns), rss())
    await asyncio.sleep(1.0)  # every one of them idle
    full = rss()
    print("| warmed, no client connected | %d KiB |" % base)
    print("| %d idle keep-alive clients | %d KiB: %.2f KiB each (marginal %.2f KiB) |" % (
        len(conns), full, (full - base) / len(conns), (full - half[1]) / (len(conns) - half[0])), flush=True)
asyncio.run(main())
PY
wait $!

