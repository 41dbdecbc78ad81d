#!/usr/bin/env bash
# The hostile-conditions suite (issue 7), long parts, in a release build. Prints every
# figure and ends with a summary; exits non-zero when any part fails.
#
#   bench/hostile.sh           full: bad PDFs (generated + ../shared/corpus/tricky/, 60 s
#                              bound), 20 + 20 SIGKILL trials, 60 s of load by 64 clients,
#                              cargo-fuzz 60 s per target  (about 10 minutes once built)
#   bench/hostile.sh --smoke   the same parts with CI-sized numbers (about 2.5 minutes once
#                              built; the first build of the test binary and of the fuzz
#                              crate takes 15-25 minutes on two cores). See HOSTILE.md.
#
# Parts 1-3 and 5 are the tests in tests/it/hostile/, run with bigger numbers through
# ARKIV_HOSTILE_* variables (see tests/it/hostile.rs); part 4 runs the cargo-fuzz targets
# of fuzz/ (cargo-fuzz is installed when missing; nightly features come from a nightly
# toolchain when rustup has one, else from RUSTC_BOOTSTRAP=1 on stable).
#
# Environment: FUZZ_SECS (per target), FUZZ_SANITIZER (none | address; default none),
# SKIP_FUZZ=1, SKIP_TESTS=1.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=full
case "${1:-}" in
  "") ;;
  --smoke) mode=smoke ;;
  *) echo "usage: bench/hostile.sh [--smoke]" >&2; exit 64 ;;
esac

if [[ $mode == smoke ]]; then
  export ARKIV_HOSTILE_TIMEOUT=${ARKIV_HOSTILE_TIMEOUT:-20}
  export ARKIV_HOSTILE_TRICKY=${ARKIV_HOSTILE_TRICKY:-1}
  export ARKIV_HOSTILE_KILLS=${ARKIV_HOSTILE_KILLS:-3}
  export ARKIV_HOSTILE_LOAD_SECS=${ARKIV_HOSTILE_LOAD_SECS:-10}
  export ARKIV_HOSTILE_FUZZ_MILLIS=${ARKIV_HOSTILE_FUZZ_MILLIS:-3000}
  fuzz_secs=${FUZZ_SECS:-10}
else
  export ARKIV_HOSTILE_TIMEOUT=${ARKIV_HOSTILE_TIMEOUT:-60}
  export ARKIV_HOSTILE_TRICKY=${ARKIV_HOSTILE_TRICKY:-1}
  export ARKIV_HOSTILE_KILLS=${ARKIV_HOSTILE_KILLS:-20}
  export ARKIV_HOSTILE_LOAD_SECS=${ARKIV_HOSTILE_LOAD_SECS:-60}
  export ARKIV_HOSTILE_FUZZ_MILLIS=${ARKIV_HOSTILE_FUZZ_MILLIS:-10000}
  export ARKIV_HOSTILE_NAMES=${ARKIV_HOSTILE_NAMES:-20000}
  fuzz_secs=${FUZZ_SECS:-60}
fi
export ARKIV_HOSTILE_CLIENTS=${ARKIV_HOSTILE_CLIENTS:-64}

out=target/hostile
mkdir -p "$out"
log="$out/$mode-$(date -u +%Y%m%dT%H%M%SZ).log"
status=0
echo "bench/hostile.sh $mode: log in $log" | tee "$log"

# ---- Parts 1, 2, 3 and 5 (and the stable fuzz loop): the hostile tests, release build.
if [[ ${SKIP_TESTS:-0} != 1 ]]; then
  echo "== tests (cargo test --release --test it hostile::)" | tee -a "$log"
  if ! cargo test --release --test it hostile:: -- --nocapture --test-threads=1 2>&1 \
      | tee -a "$log"; then
    status=1
  fi
  if ! grep -q "test result: ok" "$log"; then status=1; fi
fi

# ---- Part 4: cargo-fuzz, each target for a bounded time.
fuzz_lines=()
if [[ ${SKIP_FUZZ:-0} != 1 ]]; then
  echo "== cargo-fuzz, $fuzz_secs s per target" | tee -a "$log"
  if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked 2>&1 | tail -n 2 | tee -a "$log"
  fi
  toolchain=()
  if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    toolchain=(+nightly)
  else
    export RUSTC_BOOTSTRAP=1
  fi
  # The fuzz crate resolves arkiv's dependencies at the versions the project uses.
  [[ -f fuzz/Cargo.lock ]] || cp Cargo.lock fuzz/Cargo.lock
  sanitizer=${FUZZ_SANITIZER:-none}

  # Seeds: what real inputs look like.
  seeds="$out/seeds"
  rm -rf "$seeds"
  mkdir -p "$seeds"/{query,sidecar,sidecar_fields,tagging,highlight}
  cp documents/*.toml "$seeds/sidecar/"
  i=0
  for f in samples/*.txt; do
    i=$((i + 1))
    head -c 4000 "$f" > "$seeds/tagging/$i"
    { printf 'vold OR barn\0'; head -c 4000 "$f"; } > "$seeds/highlight/$i"
  done
  i=0
  while IFS= read -r q; do
    i=$((i + 1))
    printf '%s' "$q" > "$seeds/query/$i"
  done <<'QUERIES'
vold
"vold i nære relasjoner"
konvensjon:istanbul år:2015..2019
tittel:høringssvar -barn
artikkel:echr:8 type:innspill
menneskehandel OR tvangsekteskap voldsoffer*
mottaker:"Justis- og beredskapsdepartementet"
QUERIES
  printf '%s\0%s\0%s\0%s' 'Høringssvar – NOU 2019: 23' 'Justis- og beredskapsdepartementet' \
    '19/4567' 'https://example.org/a' > "$seeds/sidecar_fields/1"

  root=$(pwd)
  cargo "${toolchain[@]}" fuzz build -s "$sanitizer" 2>&1 | tail -n 3 | tee -a "$log" || status=1
  for target in query sidecar sidecar_fields tagging highlight; do
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    flog="$out/fuzz-$target.log"
    before=$(find "fuzz/artifacts/$target" -type f | wc -l)
    set +e
    cargo "${toolchain[@]}" fuzz run -s "$sanitizer" "$target" \
        "$root/fuzz/corpus/$target" "$root/$seeds/$target" -- \
        -max_total_time="$fuzz_secs" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
        -print_final_stats=1 > "$flog" 2>&1
    code=$?
    set -e
    runs=$(grep -oE 'Done [0-9]+ runs' "$flog" | tail -n 1 | grep -oE '[0-9]+' || true)
    [[ -n $runs ]] || runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$flog" \
      | grep -oE '[0-9]+$' | tail -n 1 || true)
    after=$(find "fuzz/artifacts/$target" -type f | wc -l)
    crashes=$((after - before))
    if [[ $code -ne 0 && $crashes -eq 0 ]]; then crashes="?(exit $code)"; fi
    line="HOSTILE fuzz target=$target seconds=$fuzz_secs executions=${runs:-0} crashes=$crashes corpus=$(find "fuzz/corpus/$target" -type f | wc -l)"
    echo "$line" | tee -a "$log"
    fuzz_lines+=("$line")
    if [[ $code -ne 0 || $crashes != 0 ]]; then
      status=1
      grep -E 'panicked|ERROR|artifact|Test unit written' "$flog" | head -n 20 | tee -a "$log"
      echo "  turn the artifact into a regression test in tests/it/hostile/fuzz.rs" | tee -a "$log"
    fi
  done
fi

echo | tee -a "$log"
echo "== summary ($mode)" | tee -a "$log"
grep -oE 'HOSTILE [a-z].*' "$log" | sort -u | tee "$out/$mode-summary.txt"
if [[ $status -eq 0 ]]; then
  echo "hostile suite: PASS" | tee -a "$log"
else
  echo "hostile suite: FAIL (see $log)" | tee -a "$log"
fi
exit $status
