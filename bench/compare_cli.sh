#!/usr/bin/env bash
# Side by side, in one run: our `leanspec` (Release build) against LeanSpec's own Rust CLI, each
# inside the project folder, on the real corpus and on a generated 10,000-spec tree: list,
# board, stats, search by a word, search by a phrase, and show (the peer's `view`), all with
# JSON output on both sides. Issue 18's targets: every command >= 2x faster on the real corpus
# and >= 5x at 10,000 specs.
#
#   bench/compare_cli.sh [BUILD_DIR] [OUT_DIR]
#
# BUILD_DIR defaults to build-bench/ (a Release build, see run_all.sh); OUT_DIR to
# BUILD_DIR/bench-results. LEANSPEC_CORPUS names the real project folder (default
# ../shared/corpus/lean-spec beside the checkout); LEANSPEC_CORPUS_10K the 10,000-spec project
# folder (default BUILD_DIR/bench/corpus/generated-10000, generated with
# BUILD_DIR/bench/leanspec_generate_corpus when missing). LEANSPEC_BENCH_RUNS (default 50) and
# LEANSPEC_BENCH_RUNS_10K (default 10) set the runs per command. The peer is installed into
# bench/peers/ on first use.
#
# Writes cli_list.{json,md}, cli_search.{json,md} (the summary's first two rows, as before),
# cli_startup.{json,md} (`--version` on both sides: process start-up, issue 19),
# cli_<corpus>_<command>.json (hyperfine, one per pair), cli_compare.jsonl (one JSON object a
# line: corpus, command, ours_ms, peer_ms, ratio = peer/ours by means, target, load averages;
# read by summarize.py) and cli_ratio.txt; prints every ratio and the load average.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(realpath -m "${1:-$repo/build-bench}")
out=$(realpath -m "${2:-$build/bench-results}")
corpus=${LEANSPEC_CORPUS:-$repo/../shared/corpus/lean-spec}
corpus_10k=${LEANSPEC_CORPUS_10K:-$build/bench/corpus/generated-10000}
runs=${LEANSPEC_BENCH_RUNS:-50}
runs_10k=${LEANSPEC_BENCH_RUNS_10K:-10}
ours=$build/src/leanspec
peer_dir=$here/peers
peer=$peer_dir/node_modules/@leanspec/cli-linux-x64/leanspec

command -v hyperfine >/dev/null || { echo "compare_cli.sh: hyperfine is not installed" >&2; exit 1; }
[ -x "$ours" ] || { echo "compare_cli.sh: $ours missing; build first (bench/run_all.sh)" >&2; exit 1; }
[ -d "$corpus/specs" ] || { echo "compare_cli.sh: no corpus at $corpus (set LEANSPEC_CORPUS); skipping" >&2; exit 0; }
corpus=$(realpath "$corpus")

if [ ! -f "$peer" ]; then
  echo "compare_cli.sh: installing LeanSpec's CLI and HTTP server into $peer_dir" >&2
  mkdir -p "$peer_dir"
  printf '*\n' > "$peer_dir/.gitignore" # downloaded, never committed
  # Both peers at once: `npm install --no-save X` removes what it is not told to install.
  npm install --prefix "$peer_dir" --no-audit --no-fund --no-save \
    @leanspec/cli-linux-x64@0.3.0 @leanspec/http-linux-x64@0.3.0 >&2
fi
chmod +x "$peer" # npm does not run the package's postinstall (which does this) by default
if [ ! -d "$corpus_10k/specs" ]; then
  generator=$build/bench/leanspec_generate_corpus
  [ -x "$generator" ] || { echo "compare_cli.sh: no 10,000-spec tree at $corpus_10k and no $generator" >&2; exit 1; }
  "$generator" --out "$corpus_10k" --specs 10000 >&2
fi
corpus_10k=$(realpath "$corpus_10k")
mkdir -p "$out"
: > "$out/cli_compare.jsonl"
load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "load average at start: $(load)" | tee "$out/cli_ratio.txt"

cd "$corpus"
count() { python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("specs",d) if isinstance(d,dict) else d; print(len(d))'; }
ours_n=$("$ours" list --json | count)
ours_all_n=$("$ours" list --all --json | count)
peer_n=$("$peer" list -o json | count)
echo "specs listed: ours $ours_n (--all: $ours_all_n), peer $peer_n" | tee "$out/cli_counts.txt"
echo "versions: ours $("$ours" --version), peer $("$peer" --version)" | tee -a "$out/cli_counts.txt"

# The summary's first two rows, as before. The peer has no --all (its list always hides archived
# specs), so `ours --all` is timed in the same run for context only: it prints more specs.
hyperfine -N --warmup 5 --runs "$runs" \
  --export-json "$out/cli_list.json" --export-markdown "$out/cli_list.md" \
  -n "ours: leanspec list --json" "$ours list --json" \
  -n "peer: leanspec list -o json" "$peer list -o json" \
  -n "ours: leanspec list --all --json" "$ours list --all --json"
# Process start-up (issue 19: below the peer's): `--version`, which reads no spec on either side.
hyperfine -N --warmup 20 --runs "$((runs * 10))" \
  --export-json "$out/cli_startup.json" --export-markdown "$out/cli_startup.md" \
  -n "ours: leanspec --version" "$ours --version" \
  -n "peer: leanspec --version" "$peer --version"
hyperfine -N --warmup 5 --runs "$runs" \
  --export-json "$out/cli_search.json" --export-markdown "$out/cli_search.md" \
  -n "ours: leanspec search cache --limit 10 --json" "$ours search cache --limit 10 --json" \
  -n "peer: leanspec search cache -l 10 -o json" "$peer search cache -l 10 -o json"

python3 - "$out" <<'PY' | tee -a "$out/cli_ratio.txt"
import json, sys
out = sys.argv[1]
for name in ("cli_list", "cli_startup", "cli_search"):
    r = json.load(open(f"{out}/{name}.json"))["results"]
    ours, peer = r[0], r[1]
    print(f"{name}: ours mean {ours['mean']*1e3:.2f} ms (median {ours['median']*1e3:.2f}), "
          f"peer mean {peer['mean']*1e3:.2f} ms (median {peer['median']*1e3:.2f}); "
          f"peer/ours = {peer['mean']/ours['mean']:.2f}x (means), "
          f"{peer['median']/ours['median']:.2f}x (medians); CPU (user+sys) peer/ours = "
          f"{(peer['user']+peer['system'])/(ours['user']+ours['system']):.2f}x")
    if len(r) > 2:
        print(f"{name}: ours --all mean {r[2]['mean']*1e3:.2f} ms; peer/ours(--all) = "
              f"{peer['mean']/r[2]['mean']:.2f}x (not like for like: more specs printed)")
PY

# One pair: hyperfine on both commands inside the project folder, then a line of
# cli_compare.jsonl and of cli_ratio.txt.
#   pair CORPUS_LABEL DIR RUNS TARGET COMMAND OUR_ARGS PEER_ARGS   (args as hyperfine's shell words)
pair() {
  local label=$1 dir=$2 n=$3 target=$4 name=$5 our_args=$6 peer_args=$7
  local json=$out/cli_${label}_${name}.json before
  before=$(load)
  (cd "$dir" && hyperfine -N --warmup 3 --runs "$n" --export-json "$json" \
    -n "ours: leanspec $our_args" "$ours $our_args" \
    -n "peer: leanspec $peer_args" "$peer $peer_args" >&2)
  python3 - "$json" "$label" "$name" "$target" "$before" "$(load)" "$out/cli_compare.jsonl" <<'PY' |
import json, sys
path, corpus, command, target, before, after, jsonl = sys.argv[1:]
ours, peer = json.load(open(path))["results"][:2]
row = {"corpus": corpus, "command": command, "ours_ms": round(ours["mean"] * 1e3, 3),
       "peer_ms": round(peer["mean"] * 1e3, 3), "ratio": round(peer["mean"] / ours["mean"], 2),
       "ours_median_ms": round(ours["median"] * 1e3, 3),
       "peer_median_ms": round(peer["median"] * 1e3, 3), "target": float(target),
       "load_before": before, "load_after": after}
with open(jsonl, "a") as f:
    f.write(json.dumps(row) + "\n")
met = "met" if row["ratio"] >= row["target"] else "NOT met"
print(f"{corpus:5} {command:13} ours {row['ours_ms']:8.2f} ms  peer {row['peer_ms']:8.2f} ms  "
      f"peer/ours {row['ratio']:6.2f}x (target {row['target']:.0f}x: {met}); load {before}")
PY
    tee -a "$out/cli_ratio.txt"
}

# The spec `show` names: the middle folder of the tree, by its id (both CLIs take it).
middle_id() { find "$1/specs" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' -printf '%f\n' | sort | sed -n "$(($(find "$1/specs" -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' | wc -l) / 2))p"; }

# Every command on one project folder: corpus_pairs LABEL DIR RUNS TARGET WORD PHRASE
corpus_pairs() {
  local label=$1 dir=$2 n=$3 target=$4 word=$5 phrase=$6 id
  id=$(middle_id "$dir")
  pair "$label" "$dir" "$n" "$target" list "list --json" "list -o json"
  pair "$label" "$dir" "$n" "$target" board "board --json" "board -o json"
  pair "$label" "$dir" "$n" "$target" stats "stats --json" "stats -o json"
  pair "$label" "$dir" "$n" "$target" search_word "search $word --limit 10 --json" \
    "search $word -l 10 -o json"
  pair "$label" "$dir" "$n" "$target" search_phrase "search '\"$phrase\"' --limit 10 --json" \
    "search '\"$phrase\"' -l 10 -o json"
  pair "$label" "$dir" "$n" "$target" show "show $id --json" "view $id -o json"
}
corpus_pairs real "$corpus" "$runs" 2 cache "spec validation"
corpus_pairs 10k "$corpus_10k" "$runs_10k" 5 cache "search index"
echo "load average at end: $(load)" | tee -a "$out/cli_ratio.txt"
