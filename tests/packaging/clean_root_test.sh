#!/usr/bin/env bash
# ctest clean_root: every package a user installs, installed where the build tree and its tools
# are out of reach, gives the same JSON as the build (docs/PACKAGING.md).
#   clean_root_test.sh <repo> <build dir> <work dir>
# The root is a minimal Debian 12 (debootstrap --variant=minbase, plus python3-venv): no
# compiler, none of our -dev packages. debootstrap runs once per recipe; the root is kept in
# <build dir>/tests/clean-root-cache and copied for each run. Into the copy go:
#  1. the .deb packages of test cpack (runtime library and CLI), installed with dpkg, which
#     refuses a package whose Depends the root lacks; `leanspec list --json` on the corpus;
#  2. the wheel of test python_package, pip-installed offline into a virtualenv of the root's
#     Python; a list of the corpus as JSON;
#  3. the npm tarball of test node_package, installed into a new app with the host's node and
#     npm copied in (a node binary needs only glibc and libstdc++); the same list;
#  4. examples/nextjs, built here from a copy with the tarball as its dependency and no
#     variable pointing at an addon (`next build`, output standalone): the standalone folder,
#     copied into the root, serves /api/specs.
# Each output is compared byte for byte with the same call on the build tree's own front-end.
# The corpus ($LEANSPEC_CORPUS, else ../shared/corpus/lean-spec beside the checkout) is copied
# into the root under the same absolute path, so that paths in the JSON agree.
# Needs root (debootstrap, chroot, unshare) and Debian's mirror (LEANSPEC_DEBIAN_MIRROR,
# default http://deb.debian.org/debian) the first time; the example's npm packages come from
# the registry or npm's cache.
# Environment: LEANSPEC_CLI, LEANSPEC_PYTHONPATH, LEANSPEC_NODE_ADDON (the build tree's CLI,
# Python module folder and addon, for the reference outputs).
set -euo pipefail
repo=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
work=$3
fail() { echo "clean_root: $*" >&2; exit 1; }
step() { printf 'clean_root [%3ds] %s\n' "$SECONDS" "$*"; }
((EUID == 0)) || fail "needs root (debootstrap, chroot); this is uid $EUID"
for var in LEANSPEC_CLI LEANSPEC_PYTHONPATH LEANSPEC_NODE_ADDON; do
  [[ -n ${!var:-} ]] || fail "$var is not set"
done
corpus=$(realpath "${LEANSPEC_CORPUS:-$repo/../shared/corpus/lean-spec}")
[[ -d $corpus ]] || fail "no corpus at $corpus (set LEANSPEC_CORPUS)"

# The packages, as the tests that make them left them.
only() { # only <what> <glob>: the one file the glob matches
  local what=$1 files
  shift
  files=("$@")
  ((${#files[@]} == 1)) && [[ -f ${files[0]} ]] || fail "expected one $what, found: ${files[*]}"
  echo "${files[0]}"
}
shopt -s nullglob
runtime_deb=$(only "runtime .deb (test cpack)" "$build"/tests/cpack-work/out/libleanspec-c[0-9]*.deb)
cli_deb=$(only "CLI .deb (test cpack)" "$build"/tests/cpack-work/out/leanspec_*.deb)
wheel=$(only "wheel (test python_package)" "$build"/tests/python-package/wheels/*.whl)
tarball=$(only "npm tarball (test node_package)" "$build"/bindings/node/node-package/packed/*.tgz)
shopt -u nullglob

# --- the root: made once per recipe, copied per run ---------------------------------------
mirror=${LEANSPEC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
recipe="bookworm minbase python3-venv"
cache=$build/tests/clean-root-cache
pristine=$cache/root-$(sha256sum <<<"$recipe" | cut -c1-12)
if [[ ! -f $pristine.done ]]; then
  step "debootstrap $recipe from $mirror (once)"
  rm -rf "$pristine"
  mkdir -p "$cache"
  debootstrap --variant=minbase --include=python3-venv bookworm "$pristine" "$mirror" \
    >"$cache/debootstrap.log" 2>&1 || { tail -20 "$cache/debootstrap.log"; fail "debootstrap failed"; }
  touch "$pristine.done"
fi
rm -rf "$work"
mkdir -p "$work"
root=$work/root
cp -a "$pristine" "$root"
for tool in cc c++ gcc g++ cmake make; do
  [[ ! -e $root/usr/bin/$tool ]] || fail "the clean root has $tool"
done
mkdir -p "$root/tmp/in" "$root$(dirname "$corpus")"
cp "$runtime_deb" "$cli_deb" "$wheel" "$tarball" "$root/tmp/in/"
cp -a "$corpus" "$root$corpus"

# in_root <command...>: in the root, with a private /proc (gone when the command ends) and an
# environment of its own.
in_root() {
  unshare --mount --propagation private --fork sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' \
    "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
}
same() { # same <what> <reference file> <output file>
  cmp -s "$2" "$3" || fail "$1 differs from the build's ($(wc -c <"$2") bytes vs $(wc -c <"$3")): $(diff <(head -c 2000 "$2") <(head -c 2000 "$3") | head -10)"
  step "$1: the same $(wc -c <"$3") bytes of JSON as the build's"
}

# --- 1. the Debian packages -----------------------------------------------------------------
step "dpkg -i $(basename "$runtime_deb") $(basename "$cli_deb")"
in_root dpkg -i "/tmp/in/$(basename "$runtime_deb")" "/tmp/in/$(basename "$cli_deb")" >"$work/dpkg.log" 2>&1 ||
  { cat "$work/dpkg.log"; fail "dpkg -i failed: the packages need what a minimal Debian 12 lacks"; }
"$LEANSPEC_CLI" list --specs-dir "$corpus" --json >"$work/cli.host.json"
in_root leanspec list --specs-dir "$corpus" --json >"$work/cli.root.json"
same "leanspec list (.deb)" "$work/cli.host.json" "$work/cli.root.json"

# --- 2. the wheel ---------------------------------------------------------------------------
py_list='import sys, leanspec; print(leanspec.FilesystemSource(sys.argv[1]).list().to_json())'
step "pip install $(basename "$wheel") into a virtualenv of the root's python3"
in_root python3 -m venv /opt/venv
in_root /opt/venv/bin/pip install --no-index --no-deps --no-cache-dir --disable-pip-version-check \
  "/tmp/in/$(basename "$wheel")" >"$work/pip.log" 2>&1 || { cat "$work/pip.log"; fail "pip install failed"; }
env -i PATH=/usr/bin:/bin PYTHONPATH="$LEANSPEC_PYTHONPATH" /usr/bin/python3 -c "$py_list" "$corpus" >"$work/python.host.json"
in_root /opt/venv/bin/python -c "$py_list" "$corpus" >"$work/python.root.json"
same "FilesystemSource.list() (wheel)" "$work/python.host.json" "$work/python.root.json"

# --- 3. the npm tarball ---------------------------------------------------------------------
node=$(readlink -f "$(command -v node)")
npm_dir=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
cp "$node" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
mkdir -p "$root/srv/app"
echo '{"name":"app","version":"1.0.0","private":true}' >"$root/srv/app/package.json"
step "npm install $(basename "$tarball") in a new app"
in_root sh -c "cd /srv/app && node /usr/local/lib/node_modules/npm/bin/npm-cli.js install --offline \
  --no-audit --no-fund --foreground-scripts /tmp/in/$(basename "$tarball")" >"$work/npm.log" 2>&1 ||
  { cat "$work/npm.log"; fail "npm install of the tarball failed"; }
grep -q 'using the prebuilt addon' "$work/npm.log" || fail "the install did not use the prebuild: $(cat "$work/npm.log")"
# node -e "$js_list" <package> <specs dir>
js_list="require(process.argv[1]).FilesystemSource.open({ specsDir: process.argv[2] })
  .then((s) => s.json.list().then((j) => { process.stdout.write(j + '\n'); return s.close(); }))"
env -i PATH="$PATH" LEANSPEC_NODE_ADDON="$LEANSPEC_NODE_ADDON" \
  node -e "$js_list" "$repo/bindings/node" "$corpus" >"$work/node.host.json"
in_root sh -c 'cd /srv/app && node -e "$0" @libleanspec/node "$1"' "$js_list" "$corpus" >"$work/node.root.json"
same "FilesystemSource.list() (npm tarball)" "$work/node.host.json" "$work/node.root.json"

# --- 4. the Next.js example, standalone -----------------------------------------------------
app=$work/nextjs
step "examples/nextjs with the tarball: npm install, next build"
mkdir -p "$app"
(cd "$repo/examples/nextjs" && git ls-files -z --cached --others --exclude-standard . ':!tests' |
  tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$app"
[[ -f $app/package.json ]] || fail "no examples/nextjs/package.json copied into $app"
# Everything the app finds of the addon comes from the tarball: no variable points at one.
nenv=(env -u LEANSPEC_NODE_ADDON -u LEANSPEC_NODE_FROM_SOURCE NEXT_TELEMETRY_DISABLED=1)
(cd "$app" && "${nenv[@]}" npm pkg set "dependencies.@libleanspec/node=file:$tarball" &&
  "${nenv[@]}" npm install --no-audit --no-fund --foreground-scripts &&
  "${nenv[@]}" npx next build) >"$work/next.log" 2>&1 || { tail -40 "$work/next.log"; fail "next build failed"; }
# the app's own step after next build: its static files beside the standalone server.js
server=$(cd "$app" && node scripts/standalone.mjs | sed 's/^standalone server: //')
server=${server#.next/standalone/}
mkdir -p "$root/srv/web"
cp -a "$app/.next/standalone/." "$root/srv/web/"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
step "the standalone app, in the root: node $server (port $port)"
in_root env PORT="$port" HOSTNAME=127.0.0.1 SPECS_DIR="$corpus" \
  sh -c 'cd "/srv/web/$(dirname "$0")" && exec node server.js' "$server" >"$work/web.log" 2>&1 &
web=$!
trap 'kill $web 2>/dev/null || true; wait $web 2>/dev/null || true' EXIT
for _ in $(seq 1 150); do
  curl -fsS "http://127.0.0.1:$port/api/specs" -o "$work/web.root.json" 2>/dev/null && break
  kill -0 "$web" 2>/dev/null || { cat "$work/web.log"; fail "the standalone server exited"; }
  sleep 0.2
done
[[ -s $work/web.root.json ]] || { cat "$work/web.log"; fail "no answer from /api/specs within 30 s"; }
js_service="require(process.argv[1]).SpecsService.open()
  .then((s) => s.json.list({}).then((j) => { process.stdout.write(j); return s.close(); }))"
env -i PATH="$PATH" LEANSPEC_NODE_ADDON="$LEANSPEC_NODE_ADDON" SPECS_DIR="$corpus" \
  node -e "$js_service" "$repo/bindings/node" >"$work/web.host.json"
same "GET /api/specs (standalone Next.js)" "$work/web.host.json" "$work/web.root.json"
step "ok"
