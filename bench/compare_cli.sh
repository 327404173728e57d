#!/usr/bin/env bash
# Side by side, in one hyperfine run: our `leanspec list --json` (Release build) against
# LeanSpec's own Rust CLI `leanspec list -o json`, both inside the real corpus folder.
#
#   bench/compare_cli.sh [BUILD_DIR] [OUT_DIR]
#
# BUILD_DIR defaults to build-bench/ (a Release build, see run_all.sh); OUT_DIR to
# BUILD_DIR/bench-results. LEANSPEC_CORPUS names the project folder (default
# ../shared/corpus/lean-spec beside the checkout). The peer is installed into bench/peers/ on first use.
# Writes cli_list.{json,md}, cli_search.{json,md} and cli_ratio.txt; prints the ratios.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$(realpath -m "${1:-$repo/build-bench}")
out=$(realpath -m "${2:-$build/bench-results}")
corpus=${LEANSPEC_CORPUS:-$repo/../shared/corpus/lean-spec}
runs=${LEANSPEC_BENCH_RUNS:-50}
ours=$build/src/leanspec
peer_dir=$here/peers
peer=$peer_dir/node_modules/@leanspec/cli-linux-x64/leanspec

command -v hyperfine >/dev/null || { echo "compare_cli.sh: hyperfine is not installed" >&2; exit 1; }
[ -x "$ours" ] || { echo "compare_cli.sh: $ours missing; build first (bench/run_all.sh)" >&2; exit 1; }
[ -d "$corpus/specs" ] || { echo "compare_cli.sh: no corpus at $corpus (set LEANSPEC_CORPUS); skipping" >&2; exit 0; }

if [ ! -f "$peer" ]; then
  echo "compare_cli.sh: installing LeanSpec's CLI and HTTP server into $peer_dir" >&2
  mkdir -p "$peer_dir"
  printf '*\n' > "$peer_dir/.gitignore" # downloaded, never committed
  # Both peers at once: `npm install --no-save X` removes what it is not told to install.
  npm install --prefix "$peer_dir" --no-audit --no-fund --no-save \
    @leanspec/cli-linux-x64@0.3.0 @leanspec/http-linux-x64@0.3.0 >&2
fi
chmod +x "$peer" # npm does not run the package's postinstall (which does this) by default
mkdir -p "$out"

cd "$corpus"
count() { python3 -c 'import json,sys; d=json.load(sys.stdin); d=d.get("specs",d) if isinstance(d,dict) else d; print(len(d))'; }
ours_n=$("$ours" list --json | count)
ours_all_n=$("$ours" list --all --json | count)
peer_n=$("$peer" list -o json | count)
echo "specs listed: ours $ours_n (--all: $ours_all_n), peer $peer_n" | tee "$out/cli_counts.txt"
echo "versions: ours $("$ours" --version), peer $("$peer" --version)" | tee -a "$out/cli_counts.txt"

# The peer has no --all (its list always hides archived specs), so `ours --all` is timed in the
# same run for context only: it prints more specs than either default.
hyperfine -N --warmup 5 --runs "$runs" \
  --export-json "$out/cli_list.json" --export-markdown "$out/cli_list.md" \
  -n "ours: leanspec list --json" "$ours list --json" \
  -n "peer: leanspec list -o json" "$peer list -o json" \
  -n "ours: leanspec list --all --json" "$ours list --all --json"

# Search, same query and limit on both (extra, not a target).
hyperfine -N --warmup 5 --runs "$runs" \
  --export-json "$out/cli_search.json" --export-markdown "$out/cli_search.md" \
  -n "ours: leanspec search cache --limit 10 --json" "$ours search cache --limit 10 --json" \
  -n "peer: leanspec search cache -l 10 -o json" "$peer search cache -l 10 -o json"

python3 - "$out" <<'PY' | tee "$out/cli_ratio.txt"
import json, sys
out = sys.argv[1]
for name in ("cli_list", "cli_search"):
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
