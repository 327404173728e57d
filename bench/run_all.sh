#!/usr/bin/env bash
# Everything in one go: a Release build with the bench suite into build-bench/, the synthetic
# corpora, the Google Benchmark suite, the CLI comparison with LeanSpec's Rust CLI, the
# peak-RSS check, the GitHub sync of 1,000 unchanged projects and the showcase store
# (bench/showcase_scale.sh: 1,000 projects on SQLite and PostgreSQL, built once and kept); then a
# summary (build-bench/bench-results/summary.md) of figure vs target.
#
#   bench/run_all.sh                 # extra arguments go to leanspec_bench, e.g.
#   bench/run_all.sh --benchmark_filter=search
#
# Environment: LEANSPEC_CORPUS (real corpus, default ../shared/corpus/lean-spec beside the checkout),
# LEANSPEC_BENCH_RUNS (hyperfine runs, default 50), LEANSPEC_SHOWCASE_ARGS (arguments of
# showcase_scale.sh, word-split; e.g. "--generated 20 --specs 20 --real 2" for a quick run).
# No figure is asserted: the script fails only when something does not build or run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$repo/build-bench
out=$build/bench-results
mkdir -p "$out"

cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEANSPEC_BUILD_BENCH=ON \
  -DLEANSPEC_BUILD_CLI=ON -DLEANSPEC_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target leanspec_cli leanspec_bench leanspec_generate_corpus \
  leanspec_watch_latency leanspec_fleet_sync

for n in 1000 10000; do
  "$build/bench/leanspec_generate_corpus" --out "$build/bench/corpus/generated-$n" --specs "$n"
done

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpus: $(nproc); model: $(lscpu | sed -n 's/^Model name: *//p')"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "compiler: $(c++ --version | head -1)"
  echo "commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)')"
} | tee "$out/machine.txt"

"$build/bench/leanspec_bench" --benchmark_out="$out/bench.json" --benchmark_out_format=json \
  --benchmark_counters_tabular=false "$@" | tee "$out/bench.txt"
"$here/compare_cli.sh" "$build" "$out"
"$here/memory.sh" "$build" "$out"
# shellcheck disable=SC2086 # word-split on purpose
"$here/showcase_scale.sh" ${LEANSPEC_SHOWCASE_ARGS:-}
# Edit-to-visible latency: ours in-process, then LeanSpec's HTTP server over loopback.
"$build/bench/leanspec_watch_latency" --edits 300 --json "$out/latency.json" | tee "$out/latency.txt"
/usr/bin/python3 "$here/peer_latency.py" --edits 300 --out "$out/peer_latency.json" |
  tee "$out/peer_latency.txt"
# The GitHub sync at fleet scale: a scheduled pass (2 min) and a queued pass of 1,000 projects.
"$build/bench/leanspec_fleet_sync" --projects=1000 | tee "$out/fleet_sync.jsonl"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"

/usr/bin/python3 "$here/summarize.py" "$out" | tee "$out/summary.md"
echo "results: $out" >&2
