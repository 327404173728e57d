#!/usr/bin/env bash
# Peak RSS of loading the 10,000-spec tree and searching it, against its size on disk.
#
#   bench/memory.sh [BUILD_DIR] [OUT_DIR]
#
# Target: peak RSS <= `du -sb specs` + 50 MB. Measures two programs with /usr/bin/time -v:
# `leanspec_bench --probe` (load + the bench's search queries, so the index is built) and the
# CLI's `leanspec search`. Writes memory.txt into OUT_DIR (default BUILD_DIR/bench-results).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(realpath -m "${1:-$repo/build-bench}")
out=$(realpath -m "${2:-$build/bench-results}")
root=${LEANSPEC_BENCH_CORPUS_ROOT:-$build/bench/corpus}/generated-10000
mkdir -p "$out"

"$build/bench/leanspec_generate_corpus" --out "$root" --specs 10000 >&2
disk=$(du -sb "$root/specs" | cut -f1)
apparent=$(find "$root/specs" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
limit=$((disk + 50 * 1024 * 1024))

peak() { # peak RSS in bytes of the command "$@"
  /usr/bin/time -v "$@" 2> "$out/time.tmp" > "$out/stdout.tmp" || { cat "$out/time.tmp" >&2; return 1; }
  awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2 * 1024}' "$out/time.tmp"
}
mb() { awk -v b="$1" 'BEGIN {printf "%.1f MB", b / 1048576}'; }
verdict() { [ "$1" -le "$limit" ] && echo "met" || echo "MISSED"; }

probe=$(peak "$build/bench/leanspec_bench" --probe "$root" cache valid '"search index"' \
  'status:planned tag:api cache' 'valdation~1')
probe_log=$(cat "$out/stdout.tmp")
cli=$(peak "$build/src/leanspec" --specs-dir "$root/specs" search cache --json)
baseline=$(peak "$build/bench/leanspec_bench" --probe "$root")

{
  echo "tree: $root/specs"
  echo "du -sb: $disk bytes ($(mb "$disk")); file bytes: $apparent ($(mb "$apparent"))"
  echo "target: peak RSS <= du -sb + 50 MB = $(mb "$limit")"
  echo "peak RSS, load only (leanspec_bench --probe):            $(mb "$baseline")  $(verdict "$baseline")"
  echo "peak RSS, load + 5 searches (leanspec_bench --probe ...): $(mb "$probe")  $(verdict "$probe")"
  echo "peak RSS, leanspec search cache --json (CLI):            $(mb "$cli")  $(verdict "$cli")"
  echo "ratio peak/du (load + searches): $(awk -v a="$probe" -v b="$disk" 'BEGIN {printf "%.2f", a / b}')"
  echo "--- probe output"
  echo "$probe_log"
} | tee "$out/memory.txt"
rm -f "$out/time.tmp" "$out/stdout.tmp"
