#!/usr/bin/env bash
# Issue 16, item 14: the work a hostile spec tree or query can ask for, timed with hyperfine.
#
#   bench/hostile_bench.sh [BUILD_DIR] [OUT_DIR]
#
#   board_parent_chain   `leanspec board --by parent` on 20,000 specs in one parent chain
#                        (each spec's parent is the next): was one relationships() walk per
#                        spec (5.6-5.8 s here before issue 16);
#                        now one parent lookup per spec.
#   deps_parent_chain    `leanspec deps --transitive` at the bottom of that chain (20k ancestors).
#   search_1mb_query     `leanspec search` with a 1 MB query (ten 100 kB words) on the same
#                        tree: refused by the query parser's byte cap (max_query_bytes) (the
#                        issue reported 14-16 s on 3,000 specs). Exit code 2 is the expected answer.
#   search_capped_query  the longest query the caps allow (64 words in 4 kB) on the same tree.
#
# BUILD_DIR defaults to build-bench/ (a Release build, see run_all.sh); OUT_DIR to
# BUILD_DIR/bench-results. Writes hostile.{json,md}. Run it on a quiet machine: the figures are
# printed, never asserted (the tests prove the output correct, not the speed).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(realpath -m "${1:-$repo/build-bench}")
out=$(realpath -m "${2:-$build/bench-results}")
runs=${LEANSPEC_BENCH_RUNS:-10}
cli=$build/src/leanspec

command -v hyperfine >/dev/null || { echo "hostile_bench.sh: hyperfine is not installed" >&2; exit 1; }
[ -x "$cli" ] || { echo "hostile_bench.sh: $cli missing; build first (bench/run_all.sh)" >&2; exit 1; }
mkdir -p "$out"
tree=$(mktemp -d "${TMPDIR:-/tmp}/leanspec-hostile-XXXXXX")
trap 'rm -rf "$tree"' EXIT

python3 - "$tree/specs" <<'PY'
import os, sys
root = sys.argv[1]
n = 20_000
for i in range(n):
    folder = os.path.join(root, f"{i + 1:05d}-s{i}")
    os.makedirs(folder)
    parent = f"\nparent: {i + 2:05d}-s{i + 1}" if i + 1 < n else ""
    with open(os.path.join(folder, "README.md"), "w") as f:
        f.write(f"---\nstatus: planned{parent}\n---\n# Spec {i}\n\nChain link {i}.\n")
PY

# A 1 MB command line cannot go through hyperfine's `sh -c` (one argument is at most 128 kB):
# a script builds it.
cat > "$tree/search_1mb.sh" <<SH
word=\$(head -c 100000 /dev/zero | tr '\\0' x)
exec "$cli" search --specs-dir "$tree/specs" -- \$word \$word \$word \$word \$word \$word \$word \$word \$word \$word
SH
capped=$(for i in $(seq 1 64); do printf 'w%059d ' "$i"; done)
export LEANSPEC_NO_CACHE=1 # every run parses, as a first run does

hyperfine --runs "$runs" --warmup 1 -i \
  --export-json "$out/hostile.json" --export-markdown "$out/hostile.md" \
  -n board_parent_chain "$cli board --by parent --specs-dir $tree/specs" \
  -n deps_parent_chain "$cli deps 00001-s0 --transitive --specs-dir $tree/specs" \
  -n search_1mb_query "bash $tree/search_1mb.sh" \
  -n search_capped_query "$cli search --specs-dir $tree/specs -- ${capped% }"
