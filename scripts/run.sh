#!/usr/bin/env bash
# The main job: builds the leanspec CLI in Release and shows the board of a specs directory:
# the argument if given, else this repository's own specs/ folder.
#   bash scripts/run.sh [SPECS_DIR]
# Environment: LEANSPEC_RUN_BUILD_DIR (default <repo>/build-release), LEANSPEC_JOBS (default 2).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LEANSPEC_RUN_BUILD_DIR:-$repo/build-release}
jobs=${LEANSPEC_JOBS:-2}
specs=${1:-$repo/specs}

if [[ ! -d $specs ]]; then
  echo "run.sh: no specs directory at $specs (usage: bash scripts/run.sh [SPECS_DIR])" >&2
  exit 2
fi

source "$repo/scripts/deps.sh"
install_packages "${build_packages[@]}"

generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
# Build output goes to stderr, so stdout is the board alone.
cmake -S "$repo" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DLEANSPEC_BUILD_TESTS=OFF -DLEANSPEC_BUILD_CLI=ON >&2
cmake --build "$build" -j "$jobs" --target leanspec_cli >&2

"$build/src/leanspec" board --specs-dir "$specs"
