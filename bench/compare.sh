#!/usr/bin/env bash
# The cost of compare (A/B) for the primary: the same wrk load through two cutover
# instances in one run, one with the route in stage "legacy" (compare off) and one in
# "shadow" (every GET copied to the candidate pool and compared), both against nginx
# backends returning the same small body. Rounds are interleaved; the median is reported.
# PIN=1 puts both cutover instances on CPU 1 and wrk + the backend on CPU 0.
# PAIRED=1 (implies PIN=1) loads both instances at the same time instead of one after the
# other: they share CPU 1 in the same seconds, so this machine's drift from one round to
# the next hits both alike and the ratios hold still (see bench/ab.sh).
#   bench/compare.sh [DURATION=10s] [CONNS=50] [THREADS=$(nproc): what cutover serve runs by default] [ROUNDS=3]
set -euo pipefail
DURATION=${1:-10s}
CONNS=${2:-50}
THREADS=${3:-$(nproc)}
ROUNDS=${4:-3}
PAIRED=${PAIRED:-0}
if [ "$PAIRED" = 1 ]; then PIN=1; fi
. "$(dirname "$0")/lib.sh"

LEG=$(free_port); CAND=$(free_port); OFF=$(free_port); ON=$(free_port); ADM=$(free_port)
mkdir -p "$WORK/nb"
cat > "$WORK/backend.conf" <<NGINX
worker_processes 1; daemon off; pid $WORK/nb/pid; error_log $WORK/nb/error.log;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$LEG; listen 127.0.0.1:$CAND;
           location / { return 200 "{\"hello\":\"from the benchmark backend\"}\n"; } } }
NGINX
config() {  # port stage [admin]
  cat <<TOML
[server]
allow_root = true  # the bench machine runs as root
listen = ["127.0.0.1:$1"]
threads = $THREADS
${3:+admin = \"127.0.0.1:$3\"}
[pools.legacy]
backends = ["127.0.0.1:$LEG"]
keepalive = 128
[pools.warp]
backends = ["127.0.0.1:$CAND"]
keepalive = 128
[[routes]]
name = "all"
forward = "legacy"
[routes.rollout]
to = "warp"
stage = "$2"
compare = { body = "json", concurrency = ${COMPARE_CONCURRENCY:-16}, max_rate = ${COMPARE_MAX_RATE:-1000} }
TOML
}
config "$OFF" legacy > "$WORK/off.toml"
config "$ON" shadow "$ADM" > "$WORK/on.toml"
start 0 nginx -c "$WORK/backend.conf" -p "$WORK/nb"
declare -A PROC
start 1 "$CUTOVER" serve -c "$WORK/off.toml" 2>"$WORK/off.log"; PROC[off]=$!
start 1 "$CUTOVER" serve -c "$WORK/on.toml" 2>"$WORK/on.log"; PROC[on]=$!
wait_port "$LEG"; wait_port "$OFF"; wait_port "$ON"
run() {  # name port round -> "req/s p99 cpu_us_per_request"
  local before after
  before=$(cpu_ticks "${PROC[$1]}")
  pin_load wrk -t1 -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$2/" > "$WORK/$1.$3.wrk"
  after=$(cpu_ticks "${PROC[$1]}")
  echo "$(awk '/Requests\/sec/ {print $2}' "$WORK/$1.$3.wrk") $(awk '$1=="99%" {print $2}' "$WORK/$1.$3.wrk")" \
    "$(cpu_us_per_request $((after - before)) "$(awk '/requests in/ {print $1}' "$WORK/$1.$3.wrk")")"
}
echo "wrk -t1 -c$CONNS -d$DURATION x $ROUNDS rounds (median), cutover with $THREADS thread(s), $(nproc) cores, PIN=$PIN PAIRED=$PAIRED"
for p in "$OFF" "$ON"; do wrk -t1 -c"$CONNS" -d3s "http://127.0.0.1:$p/" >/dev/null; done
for r in $(seq "$ROUNDS"); do
  if [ "$PAIRED" = 1 ]; then
    run off "$OFF" "$r" > "$WORK/off.now" & W=$!
    run on "$ON" "$r" >> "$WORK/on.rounds"
    wait $W  # not a bare wait: the servers are background jobs too
    cat "$WORK/off.now" >> "$WORK/off.rounds"
  else
    run off "$OFF" "$r" >> "$WORK/off.rounds"
    run on "$ON" "$r" >> "$WORK/on.rounds"
  fi
done
median() { sort -n -k1 "$WORK/$1.rounds" | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
set -- $(median off); OFF_RPS=$1; OFF_P99=$2
set -- $(median on); ON_RPS=$1; ON_P99=$2
stats=$(curl -s "http://127.0.0.1:$ADM/api/routes" | python3 -c 'import json,sys; c=json.load(sys.stdin)["routes"][0]["rollout"]["compare"]; print(c["compared"], c["different"], c["dropped"], c["candidate_errors"], c["over_rate"])')
# The median of the rounds' p99 values on their own (in ms): steadier than the p99 of the
# median-throughput round, which is one 10 s sample.
p99_median() { p99_ms "$WORK/$1.rounds" 2 | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
OFF_P99M=$(p99_median off); ON_P99M=$(p99_median on)
P99_VS=$(awk -v a="$ON_P99M" -v b="$OFF_P99M" 'BEGIN{printf "%+.1f%%", (a/b - 1) * 100}')
if [ "$PAIRED" = 1 ]; then
  # Both ran in the same seconds: the median of the rounds' own ratios, not the ratio of
  # two medians that may come from different rounds.
  P99_VS="$(per_round_p99_ratio "$WORK/off.rounds" "$WORK/on.rounds" 2 | sed 's/.*(median \([0-9.]*\))/\1/' |
    awk '{printf "%+.1f%%", ($1 - 1) * 100}') (per round)"
fi
printf "| compare | req/s | p99 | req/s vs off | p99, median of rounds | p99 vs off |\n|---|---|---|---|---|---|\n"
printf "| off (stage legacy) | %s | %s | 1.00x | %.2fms | |\n" "$OFF_RPS" "$OFF_P99" "$OFF_P99M"
printf "| on (stage shadow) | %s | %s | %s | %.2fms | %s |\n" "$ON_RPS" "$ON_P99" "$(awk -v a="$ON_RPS" -v b="$OFF_RPS" 'BEGIN{printf "%.2fx", a/b}')" \
  "$ON_P99M" "$P99_VS"
set -- $stats
echo "shadow copies: $1 compared, $2 different, $3 dropped (over the concurrency cap and queue), $4 candidate errors, $5 not copied (over compare.max_rate=${COMPARE_MAX_RATE:-1000}/s)"
echo "all rounds (req/s p99 CPU-µs/request): off: $(tr '\n' ';' < "$WORK/off.rounds") on: $(tr '\n' ';' < "$WORK/on.rounds")"
if [ "$PAIRED" = 1 ]; then  # the ratio within each round, where both ran in the same seconds
  echo "on/off req/s per round: $(per_round_ratio "$WORK/off.rounds" "$WORK/on.rounds")"
  echo "on/off p99 per round: $(per_round_p99_ratio "$WORK/off.rounds" "$WORK/on.rounds" 2)"
  echo "CPU µs/request per round, off: $(awk '{printf "%s ", $3}' "$WORK/off.rounds")on: $(awk '{printf "%s ", $3}' "$WORK/on.rounds")"
fi
