#!/usr/bin/env bash
# A/B of two cutover builds under the same load at the same time. Both proxies share CPU 1
# (the load generators and the backend share CPU 0), so the scheduler gives each half of
# the same CPU and the one that needs less CPU per request serves more: the req/s ratio
# is measured in the same seconds for both, and this machine's drift cancels out. Use it
# for changes too small to see in bench/proxy.sh's separate rounds.
#   bench/ab.sh OLD_CUTOVER NEW_CUTOVER [DURATION=10s] [CONNS=50] [ROUNDS=5]
set -euo pipefail
A=$1 B=$2
DURATION=${3:-10s}
CONNS=${4:-50}
ROUNDS=${5:-5}
PIN=1
. "$(dirname "$0")/lib.sh"

BACK=$(free_port); PA=$(free_port); PB=$(free_port)
write_backend_conf "$BACK"
write_proxy_confs "$BACK" 0 "$PA" 1 ""
sed "s/127.0.0.1:$PA/127.0.0.1:$PB/" "$WORK/cutover.toml" > "$WORK/cutover-b.toml"
start 0 nginx -c "$WORK/backend.conf" -p "$WORK/nb"
wait_port "$BACK"
start 1 "$A" serve -c "$WORK/cutover.toml" 2>"$WORK/a.log"; PID_A=$!
start 1 "$B" serve -c "$WORK/cutover-b.toml" 2>"$WORK/b.log"; PID_B=$!
wait_port "$PA"; wait_port "$PB"

echo "A: $A"
echo "B: $B"
echo "wrk -t1 -c$CONNS -d$DURATION on each at once, $ROUNDS rounds; both proxies on CPU 1"
pin_load wrk -t1 -c"$CONNS" -d3s "http://127.0.0.1:$PA/" >/dev/null & W=$!
pin_load wrk -t1 -c"$CONNS" -d3s "http://127.0.0.1:$PB/" >/dev/null
wait $W  # not a bare wait: that would wait for the servers too
printf "| round | A req/s | B req/s | B/A | A CPU µs/req | B CPU µs/req |\n|---|---|---|---|---|---|\n"
for r in $(seq "$ROUNDS"); do
  ca=$(cpu_ticks $PID_A); cb=$(cpu_ticks $PID_B)
  pin_load wrk -t1 -c"$CONNS" -d"$DURATION" "http://127.0.0.1:$PA/" > "$WORK/a.$r" & W=$!
  pin_load wrk -t1 -c"$CONNS" -d"$DURATION" "http://127.0.0.1:$PB/" > "$WORK/b.$r"
  wait $W
  ca=$(( $(cpu_ticks $PID_A) - ca )); cb=$(( $(cpu_ticks $PID_B) - cb ))
  ra=$(awk '/Requests\/sec/ {print $2}' "$WORK/a.$r"); rb=$(awk '/Requests\/sec/ {print $2}' "$WORK/b.$r")
  na=$(awk '/requests in/ {print $1}' "$WORK/a.$r"); nb=$(awk '/requests in/ {print $1}' "$WORK/b.$r")
  printf "| %s | %s | %s | %s | %s | %s |\n" "$r" "$ra" "$rb" "$(awk -v a="$ra" -v b="$rb" 'BEGIN{printf "%.3f", b/a}')" \
    "$(cpu_us_per_request "$ca" "$na")" "$(cpu_us_per_request "$cb" "$nb")" | tee -a "$WORK/rows"
done
awk -F'|' '{print $5}' "$WORK/rows" | sort -n | awk '{v[NR]=$1} END {printf "median B/A: %.3f\n", v[int((NR+1)/2)]}'
