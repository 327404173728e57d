#!/usr/bin/env bash
# SQLite WAL under repeated short processes (issue 16, item 11): N `leanspec import` runs in a row
# into one SQLite file, alternating two versions of the real corpus (the second has one more
# line in every README.md), so every run rewrites every spec. Prints each import's wall time
# and, at checkpoints, the sizes of the database file and its WAL; then times `list --project`
# (what every later process pays to open the file). With the store checkpointing when a writer
# closes, the WAL is empty after each run and the last import is as fast as the first.
#
#   bench/import_wal.sh [N]        # N imports (default 200)
#
# Environment: LEANSPEC_CORPUS (default ../shared/corpus/lean-spec beside the checkout), LEANSPEC_CLI (a leanspec
# binary; default: a Release build of leanspec_cli into build-bench/, as db_bench.sh configures
# it). No figure is asserted: the script fails only when something does not build or run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
n=${1:-200}
corpus=${LEANSPEC_CORPUS:-$repo/../shared/corpus/lean-spec}/specs
cli=${LEANSPEC_CLI:-}
if [[ -z $cli ]]; then
  build=$repo/build-bench
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEANSPEC_BUILD_BENCH=ON \
    -DLEANSPEC_BUILD_CLI=ON -DLEANSPEC_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" -j"$(nproc)" --target leanspec_cli
  cli=$build/src/leanspec
fi

work=$(mktemp -d /tmp/leanspec-import-wal-XXXXXX)
trap 'rm -rf "$work"' EXIT
cp -r "$corpus" "$work/a"
cp -r "$corpus" "$work/b"
for readme in "$work"/b/*/README.md; do
  printf '\nSecond version.\n' >>"$readme"
done
db=$work/specs.db
export LEANSPEC_NO_CACHE=1
"$cli" --db "sqlite:$db" project add bench/corpus >/dev/null

size() { if [[ -f $1 ]]; then stat -c %s "$1"; else echo 0; fi; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ); cpus: $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "corpus: $corpus ($(find "$corpus" -name README.md | wc -l) specs); cli: $cli; imports: $n"
printf '%6s %10s %14s %14s\n' import seconds db_bytes wal_bytes
first='' last=''
for ((i = 1; i <= n; i++)); do
  dir=$work/a
  ((i % 2 == 0)) && dir=$work/b
  start=$(now)
  "$cli" --db "sqlite:$db" --project bench/corpus --specs-dir "$dir" import >/dev/null
  took=$(since "$start")
  [[ -z $first ]] && first=$took
  last=$took
  if ((i <= 5 || i % 10 == 0 || i == n)); then
    printf '%6d %10.3f %14d %14d\n' "$i" "$took" "$(size "$db")" "$(size "$db-wal")"
  else
    printf '%6d %10.3f\n' "$i" "$took"
  fi
done

list_times=()
for _ in 1 2 3 4 5; do
  start=$(now)
  "$cli" --db "sqlite:$db" --project bench/corpus list --json >/dev/null
  list_times+=("$(since "$start")")
done
median=$(printf '%s\n' "${list_times[@]}" | sort -n | sed -n 3p)
echo "first import: ${first}s; last import: ${last}s"
echo "list --project after $n imports: median of 5 ${median}s; db $(size "$db") bytes, WAL $(size "$db-wal") bytes"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
