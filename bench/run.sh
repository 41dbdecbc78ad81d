#!/usr/bin/env bash
# arkiv's benchmark harness: builds the benchmark binaries, runs every measurement of
# BENCHMARKS.md in one run, prints the tables and writes them into BENCHMARKS.md.
#
#   bench/run.sh            the full run (10k and 100k documents, peers, HTTP; about an hour)
#   bench/run.sh --smoke    a few seconds' check that the harness still works (CI)
#   bench/run.sh --help     every option
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 bench/run.py "$@"
