#!/usr/bin/env bash
# Runs every benchmark with its default sizes, then prints one summary table (Markdown).
#
# usage: bench/run_all.sh [BUILD_DIR]        (default: build, next to this script's parent)
#   RECORDS=10M bench/run_all.sh    fewer records for every throughput and memory benchmark
#   RUNS=3 bench/run_all.sh         fewer repetitions of the throughput benchmarks (default 5)
# Build first: cmake -S . -B build -G Ninja && ninja -C build
# Figures are only meaningful on an otherwise idle machine (see docs/benchmarks.md).
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
bin=$build/bench
log=$(mktemp "${TMPDIR:-/tmp}/eddy-bench.XXXXXX")
trap 'rm -f "$log"' EXIT

size_flags=()
[[ -n ${RECORDS:-} ]] && size_flags+=(--records "$RECORDS")
run_flags=()
[[ -n ${RUNS:-} ]] && run_flags+=(--runs "$RUNS")

benchmarks=(
  "bench_map_filter ${size_flags[*]:-} ${run_flags[*]:-}"
  "bench_keyed_sum ${size_flags[*]:-} ${run_flags[*]:-}"
  "bench_first_record_latency"
  "bench_backpressure_memory ${size_flags[*]:-}"
  "bench_ysb_window ${size_flags[*]:-} ${run_flags[*]:-}"
  "bench_checkpointing ${run_flags[*]:-}"
  "bench_recovery_time ${run_flags[*]:-}"
  "bench_unaligned_checkpoint"
)

failed=0
for benchmark in "${benchmarks[@]}"; do
  read -r -a command <<<"$benchmark"
  if [[ ! -x $bin/${command[0]} ]]; then
    echo "missing $bin/${command[0]}: build the project first" >&2
    failed=1
    continue
  fi
  echo "== ${command[*]}"
  if ! "$bin/${command[0]}" "${command[@]:1}" | tee -a "$log"; then
    echo "!! ${command[0]} failed" >&2
    failed=1
  fi
  echo
done

echo "== summary ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo "| benchmark | result | target | met | details |"
echo "|---|---|---|---|---|"
grep '^summary: ' "$log" | sed 's/^summary: //'
exit $failed
