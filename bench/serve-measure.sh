#!/bin/bash
# One server measured on its own: how long `bench-search serve` takes to answer on an
# existing index, its memory idle, one search page, then wrk on the uncached search page
# (64 connections), and its memory after.
#
#   bench/serve-measure.sh BENCH_SEARCH INDEX QUERIES.tsv OUT_DIR [SECONDS]
#
# BENCH_SEARCH is target/release/examples/bench-search; QUERIES.tsv is written by
# `bench-corpus queries --out FILE`. Needs curl and wrk. Prints a summary; OUT_DIR keeps
# wrk's output.
set -euo pipefail
[ $# -ge 4 ] || { sed -n 2,10p "$0"; exit 2; }
BIN=$1 INDEX=$2 QUERIES=$3 OUT=$4 SECONDS_OF_LOAD=${5:-30}
HERE=$(cd "$(dirname "$0")" && pwd)
PORT=$((20000 + RANDOM % 10000))
mkdir -p "$OUT"
started=$(date +%s.%N)
"$BIN" serve --index "$INDEX" --addr "127.0.0.1:$PORT" --no-cache 2>"$OUT/serve.err" &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
until curl -s -o /dev/null "http://127.0.0.1:$PORT/"; do
    kill -0 $PID || { echo "the server exited" >&2; exit 1; }
    sleep 0.05
done
answered=$(date +%s.%N)
memory() { grep -E "VmRSS|VmHWM|RssAnon|RssFile" "/proc/$PID/status" | sed "s/^/$1 /"; }
{
    echo "open_s $(echo "$answered - $started" | bc)"
    memory idle
    curl -s -o /dev/null -w "first_search_page_s %{time_total}\n" "http://127.0.0.1:$PORT/sok?q=vold"
} > "$OUT/summary.txt"
wrk -t 2 -c 64 -d "${SECONDS_OF_LOAD}s" --latency -s "$HERE/wrk-mix.lua" \
    "http://127.0.0.1:$PORT" -- "$QUERIES" > "$OUT/wrk-64.txt" 2>&1
memory after >> "$OUT/summary.txt"
cat "$OUT/summary.txt"
grep -E "Requests/sec|50%|99%|timeout" "$OUT/wrk-64.txt"
