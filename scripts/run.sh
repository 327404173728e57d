#!/usr/bin/env bash
# The main job: installs what is missing, builds the Node addon (Release) and the Next.js example
# (examples/nextjs, `next build`), then runs the app in the foreground on http://127.0.0.1:3000
# (Ctrl-C stops it). It serves, in SPECS_MODE=both,
#   - a specs directory in filesystem mode, watched: the argument if given, else this
#     repository's own specs/ folder;
#   - GitHub projects from an embedded SQLite store: DATABASE_URL if set, else
#     sqlite:<build dir>/app.db (created on first start; delete it to start over).
#   bash scripts/run.sh [SPECS_DIR]
# Environment: LEANSPEC_RUN_BUILD_DIR (default <repo>/build-release), LEANSPEC_JOBS (default 2),
# PORT (default 3000), and the library's own variables (DATABASE_URL, GITHUB_TOKEN,
# WEBHOOK_SECRET, REVALIDATION_SECRET, CACHE_TTL, ...), passed through to the app.
# The same build dir also gets the CLI: <build dir>/src/leanspec board --specs-dir specs
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${LEANSPEC_RUN_BUILD_DIR:-$repo/build-release}
jobs=${LEANSPEC_JOBS:-2}
specs=${1:-$repo/specs}
port=${PORT:-3000}

if [[ ! -d $specs ]]; then
  echo "run.sh: no specs directory at $specs (usage: bash scripts/run.sh [SPECS_DIR])" >&2
  exit 2
fi
specs=$(cd "$specs" && pwd)

step() { printf '==== %s\n' "$*" >&2; }

source "$repo/scripts/deps.sh"
step "Debian packages"
install_packages "${build_packages[@]}"
# Node 20+ (Next.js 15 and the addon's N-API level); Debian 12's nodejs is 18, so an older or
# missing node is reported rather than replaced.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "run.sh: node and npm (Node 20 or newer) must be on PATH" >&2
  exit 2
fi
if (($(node -p 'process.versions.node.split(".")[0]') < 20)); then
  echo "run.sh: Node $(node --version) found; the app needs Node 20 or newer" >&2
  exit 2
fi

# The addon's N-API headers are npm packages of bindings/node; the addon itself is built by the
# main CMake build (no install script), then the app is pointed at it.
step "npm ci (bindings/node, examples/nextjs)"
(cd "$repo/bindings/node" && npm ci --ignore-scripts --no-audit --no-fund >&2)
(cd "$repo/examples/nextjs" && npm ci --ignore-scripts --no-audit --no-fund >&2)

step "addon and CLI (Release, $build)"
generator=()
if command -v ninja >/dev/null; then generator=(-G Ninja); fi
cmake -S "$repo" -B "$build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DLEANSPEC_BUILD_TESTS=OFF -DLEANSPEC_BUILD_CLI=ON -DLEANSPEC_BUILD_NODE=ON >&2
cmake --build "$build" -j "$jobs" --target leanspec_node leanspec_cli >&2

export LEANSPEC_NODE_ADDON=$build/bindings/node/leanspec.node
export NEXT_TELEMETRY_DISABLED=1
step "next build"
(cd "$repo/examples/nextjs" && node node_modules/next/dist/bin/next build >&2)

export SPECS_MODE=both SPECS_DIR=$specs
# A DATABASE_URL from the environment may hold a password: it is never printed.
database="DATABASE_URL from the environment"
if [[ -z ${DATABASE_URL:-} ]]; then
  export DATABASE_URL=sqlite:$build/app.db
  database=$DATABASE_URL
fi
step "http://127.0.0.1:$port  (specs: $SPECS_DIR; database: $database; Ctrl-C stops)"
cd "$repo/examples/nextjs"
# The standalone server (output: 'standalone'), its static files copied beside it.
server=$(node scripts/standalone.mjs | sed 's/^standalone server: //')
# exec: Ctrl-C (SIGINT) and SIGTERM go straight to Next.js, which shuts down and exits.
HOSTNAME=127.0.0.1 PORT=$port exec node "$server"
