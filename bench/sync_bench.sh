#!/usr/bin/env bash
# GitHub sync benchmarks (issue 5 §6, issue 6 §2): a Release build of leanspec_sync_bench into
# build-bench/, then one run over the real corpus with the fake GitHub server at 300 ms per
# request (bench/sync_bench.cpp says what each line measures). Writes
# build-bench/bench-results/sync_bench.txt.
#
#   bench/sync_bench.sh                      # extra arguments go to leanspec_sync_bench:
#   bench/sync_bench.sh --naive              #   also the one-request-per-file baseline (~2 min)
#   bench/sync_bench.sh --latency-ms=100
#
# Environment: LEANSPEC_CORPUS (default ../shared/corpus/lean-spec beside the checkout). No figure is asserted.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$repo/build-bench
out=$build/bench-results
mkdir -p "$out"

cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEANSPEC_BUILD_BENCH=ON \
  -DLEANSPEC_BUILD_CLI=ON -DLEANSPEC_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target leanspec_sync_bench

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpus: $(nproc); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  "$build/bench/leanspec_sync_bench" "$@"
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/sync_bench.txt"
