#!/usr/bin/env bash
# Database mode benchmarks (issue 4): a Release build of leanspec_db_bench into build-bench/,
# then the suite, SQLite and PostgreSQL side by side (bench/db_bench.cpp). Writes
# build-bench/bench-results/db_bench.json (Google Benchmark's JSON) and db_bench.txt (the
# machine, the console table with p50/p99 counters, setup times, load average at start and end).
#
#   bench/db_bench.sh                              # extra arguments go to leanspec_db_bench, e.g.
#   bench/db_bench.sh --benchmark_filter=sqlite
#
# Environment: LEANSPEC_CORPUS (real corpus, default ../shared/corpus/lean-spec beside the checkout),
# LEANSPEC_PG_BINDIR (initdb/pg_ctl, default /usr/lib/postgresql/15/bin). The PostgreSQL server
# is started and stopped by the program itself. No figure is asserted: the script fails only
# when something does not build or run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$repo/build-bench
out=$build/bench-results
mkdir -p "$out"

# The same configuration as run_all.sh, so the two scripts share build-bench/.
cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEANSPEC_BUILD_BENCH=ON \
  -DLEANSPEC_BUILD_CLI=ON -DLEANSPEC_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target leanspec_db_bench

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpus: $(nproc); model: $(lscpu | sed -n 's/^Model name: *//p')"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "compiler: $(c++ --version | head -1)"
  echo "postgres: $("${LEANSPEC_PG_BINDIR:-/usr/lib/postgresql/15/bin}/postgres" --version)"
  echo "commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)')"
  echo
  "$build/bench/leanspec_db_bench" --benchmark_out="$out/db_bench.json" \
    --benchmark_out_format=json --benchmark_counters_tabular=false "$@" 2>&1
  echo
  echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/db_bench.txt"
