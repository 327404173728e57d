#!/usr/bin/env bash
# Everything in one go: a Release build with the bench suite into build-bench/, the synthetic
# corpora, the Google Benchmark suite, the CLI comparison with LeanSpec's Rust CLI and the
# peak-RSS check; then a summary (build-bench/bench-results/summary.md) of figure vs target.
#
#   bench/run_all.sh                 # extra arguments go to leanspec_bench, e.g.
#   bench/run_all.sh --benchmark_filter=search
#
# Environment: LEANSPEC_CORPUS (real corpus, default /work/shared/corpus/lean-spec),
# LEANSPEC_BENCH_RUNS (hyperfine runs, default 50). No figure is asserted: the script fails only
# when something does not build or run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$repo/build-bench
out=$build/bench-results
mkdir -p "$out"

cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEANSPEC_BUILD_BENCH=ON \
  -DLEANSPEC_BUILD_CLI=ON -DLEANSPEC_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target leanspec_cli leanspec_bench leanspec_generate_corpus \
  leanspec_watch_latency

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
# Edit-to-visible latency: ours in-process, then LeanSpec's HTTP server over loopback.
"$build/bench/leanspec_watch_latency" --edits 300 --json "$out/latency.json" | tee "$out/latency.txt"
/usr/bin/python3 "$here/peer_latency.py" --edits 300 --out "$out/peer_latency.json" |
  tee "$out/peer_latency.txt"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/machine.txt"

python3 - "$out" <<'PY' | tee "$out/summary.md"
import json, os, re, sys
out = sys.argv[1]
bench = json.load(open(f"{out}/bench.json"))
to_us = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}

def target(name):
    """(limit in microseconds, text) for the benchmarks that have a target."""
    if re.match(r"(list_all|list_filtered|get_id|get_number)/cached/", name):
        return 1.0, "<= 1 us"
    if re.match(r"search/[a-z_]+/direct/gen10k$", name):
        return 1000.0, "<= 1 ms"
    return None, "-"

def fmt(us):
    if us < 1: return f"{us * 1e3:.0f} ns"
    if us < 1000: return f"{us:.1f} us"
    return f"{us / 1e3:.1f} ms"

print("# leanspec benchmark summary\n")
print(open(f"{out}/machine.txt").read().strip().replace("\n", "  \n"))
print("\nMet is judged on CPU time (the machine is shared; wall time includes waiting for a core).\n")
print("| benchmark | wall | CPU | counters | target | met? |")
print("|---|---|---|---|---|---|")
for b in bench["benchmarks"]:
    if b.get("run_type") == "aggregate" or b.get("error_occurred"):
        continue
    name = re.sub(r"/iterations:\d+|/manual_time", "", b["name"])
    k = to_us[b["time_unit"]]
    wall, cpu = b["real_time"] * k, b["cpu_time"] * k
    if "manual_time" in b["name"]:
        cpu = None  # manual time: only the wall time of the timed region is meaningful
    limit, text = target(name)
    met = "-" if limit is None else ("yes" if (cpu if cpu is not None else wall) <= limit else "**no**")
    counters = ", ".join(f"{c}={b[c]:.0f}" for c in ("specs", "hits", "diagnostics") if c in b)
    label = f" ({b['label']})" if b.get("label") else ""
    print(f"| {name}{label} | {fmt(wall)} | {fmt(cpu) if cpu is not None else '-'} | {counters} | {text} | {met} |")
print("\n## CLI vs LeanSpec's Rust CLI (hyperfine)\n")
print(open(f"{out}/cli_counts.txt").read().strip().replace("\n", "  \n") + "\n")
for name in ("cli_list", "cli_search"):
    print(open(f"{out}/{name}.md").read())
print("```\n" + open(f"{out}/cli_ratio.txt").read().strip() + "\n```\n")
print("## Memory\n\n```\n" + open(f"{out}/memory.txt").read().strip() + "\n```")
print("\n## Edit-to-visible latency (target p99 <= 50 ms)\n\n```\n" +
      open(f"{out}/latency.txt").read().strip() + "\n```\n\nLeanSpec's HTTP server:\n\n```\n" +
      open(f"{out}/peer_latency.txt").read().strip() + "\n```")
PY
echo "results: $out" >&2
