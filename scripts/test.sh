#!/usr/bin/env bash
# Runs every test of libleanspec, as CI does (.ci/run calls exactly this script):
#   1. an ASan+UBSan build with -Werror (gcc): the whole ctest suite
#      (unit, concurrency, fuzz-replay, install, ...);
#   1b. a normal build with the Python module, the Node addon and the CLI (as shipped):
#       ctest -L 'python|conformance|package' (with the dependency policy and the packages
#       installed on a clean Debian root made by debootstrap, docs/PACKAGING.md);
#   2. a TSan build (gcc): ctest -L concurrency;
#   3. the libFuzzer targets (clang, ASan+UBSan): each runs for LEANSPEC_FUZZ_SECONDS (default 5)
#      from its seed corpus, as a smoke check;
#   4. the Next.js example (examples/nextjs) on an unsanitized Node addon, in Chromium.
# The Node addon (bindings/node) is part of build 1 (ctest label node); Node 20 and npm must be
# on PATH (the npm packages come from the registry with `npm ci`).
# Installs missing Debian packages first (apt-get, non-interactive). Exits non-zero on any failure.
#
# Environment: LEANSPEC_CI_BUILD_ROOT (default <repo>/build-ci), LEANSPEC_JOBS (default 2),
# LEANSPEC_FUZZ_SECONDS (default 5), LEANSPEC_SKIP_FUZZ=1, LEANSPEC_SKIP_TSAN=1,
# LEANSPEC_SKIP_PYTHON=1, LEANSPEC_SKIP_NEXTJS=1.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_root=${LEANSPEC_CI_BUILD_ROOT:-$repo/build-ci}
jobs=${LEANSPEC_JOBS:-2}
fuzz_seconds=${LEANSPEC_FUZZ_SECONDS:-5}

step() { printf '\n==== [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }

# --- dependencies -------------------------------------------------------------------------
source "$repo/scripts/deps.sh"
step "dependencies"
# postgresql: the server the store tests start (tests/support/postgres_harness).
# pybind11-dev, python3-*: the Python module, its pytest suite and the offline pip install test.
# debootstrap: the clean Debian root of test clean_root.
install_packages "${build_packages[@]}" doctest-dev libbenchmark-dev clang libclang-rt-14-dev \
  python3 hyperfine postgresql pybind11-dev python3-dev python3-setuptools python3-wheel \
  python3-venv python3-pytest python3-pip debootstrap

summaries=()
failed=0

# Node addon: its N-API headers are the npm packages of bindings/node (never downloaded at
# build time); Debian's chromium runs the example's browser tests.
command -v node >/dev/null && command -v npm >/dev/null || {
  echo "node and npm (Node 20) are needed for bindings/node" >&2
  exit 1
}
(cd "$repo/bindings/node" && npm ci --ignore-scripts --no-audit --no-fund)

# --- 0. format ------------------------------------------------------------------------------
step "clang-format --dry-run -Werror"
install_packages clang-format
if (cd "$repo" && git ls-files '*.cpp' '*.hpp' '*.h' '*.c' | xargs clang-format --dry-run -Werror); then
  summaries+=("[format] clean")
else
  summaries+=("[format] FAILED: run clang-format -i on the files above")
  failed=1
fi
# run_ctest <name> <build dir> [ctest args...]: runs ctest, keeps its summary, records failure.
run_ctest() {
  local name=$1 dir=$2 log rc=0
  shift 2
  log="$dir/ctest-$name.log"
  ctest --test-dir "$dir" --output-on-failure -j "$jobs" "$@" 2>&1 | tee "$log" || rc=$?
  summaries+=("[$name] $(grep -E 'tests passed|No tests were found' "$log" | tail -1)")
  if ((rc != 0)); then
    summaries+=("[$name] FAILED (ctest exit $rc)")
    failed=1
  fi
}

# Line tables only (-g1): sanitizer reports still name file and line, and the builds take about
# a third less time than with full debug info (-g).
configure() { # configure <build dir> [cmake args...]
  local dir=$1
  shift
  cmake -S "$repo" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" "$@"
}

# Sanitizer run-time options: any report is fatal; leaks count as failures.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}

# --- 1. ASan + UBSan, -Werror: everything ---------------------------------------------------
asan=$build_root/asan
step "ASan+UBSan build ($asan)"
configure "$asan" -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
  -DLEANSPEC_SANITIZE=address,undefined -DLEANSPEC_WERROR=ON -DLEANSPEC_BUILD_NODE=ON
cmake --build "$asan" -j "$jobs"
step "ctest (ASan+UBSan): whole suite"
run_ctest asan "$asan"

# --- 1b. the Python module: a normal build (the interpreter is not ASan-instrumented) -----
# pytest suite, the offline pip install, the README's npm install of the Node package (label
# package), and the conformance test with all front-ends.
if [[ ${LEANSPEC_SKIP_PYTHON:-0} != 1 ]]; then
  python=$build_root/python
  step "Python module build ($python)"
  # No debug info, which took a fifth of this build's time. -O2, not Release's -O3: at -O3 gcc 12
  # reports a false -Wrestrict in std::string's operator+ (GCC PR 105651), an error with -Werror.
  configure "$python" -DCMAKE_C_FLAGS_RELWITHDEBINFO="-O2 -DNDEBUG" \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -DNDEBUG" -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
    -DLEANSPEC_WERROR=ON -DLEANSPEC_BUILD_PYTHON=ON -DPYBIND11_FINDPYTHON=ON \
    -DPython_EXECUTABLE=/usr/bin/python3 -DLEANSPEC_BUILD_NODE=ON -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON
  # (cpack, test `cpack`, packages what these targets built, without building the whole tree.)
  # leanspec_node: the conformance test's Node front-end, and the addon step 4 runs the app on;
  # leanspec_cli: with the others, what the dependency policy test (label package) reads
  cmake --build "$python" -j "$jobs" --target leanspec_python conformance_dump_cpp conformance_dump_c \
    leanspec_node leanspec_cli
  step "ctest (Python): -L 'python|conformance|package'"
  LEANSPEC_JOBS=$jobs run_ctest python "$python" -L 'python|conformance|package'
fi

# --- 2. TSan: concurrency ------------------------------------------------------------------
if [[ ${LEANSPEC_SKIP_TSAN:-0} != 1 ]]; then
  tsan=$build_root/tsan
  step "TSan build ($tsan)"
  configure "$tsan" -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
    -DLEANSPEC_SANITIZE=thread -DLEANSPEC_BUILD_CLI=OFF
  # capi_test: the capi_events test (C change-event callbacks on the library's threads)
  cmake --build "$tsan" -j "$jobs" --target leanspec_tests capi_test
  step "ctest (TSan): -L concurrency"
  run_ctest tsan "$tsan" -L concurrency
fi

# --- 3. libFuzzer smoke run ----------------------------------------------------------------
if [[ ${LEANSPEC_SKIP_FUZZ:-0} != 1 ]]; then
  fuzz=$build_root/fuzz
  step "libFuzzer build ($fuzz, clang)"
  configure "$fuzz" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    -DLEANSPEC_BUILD_FUZZERS=ON -DLEANSPEC_SANITIZE=address,undefined -DLEANSPEC_BUILD_CLI=OFF
  cmake --build "$fuzz" -j "$jobs" --target fuzzers
  for name in frontmatter query cache webhook database_url token; do
    step "fuzzing $name for ${fuzz_seconds}s"
    work=$fuzz/corpus-work/$name artifacts=$fuzz/artifacts/$name/
    mkdir -p "$work" "$artifacts"
    rc=0
    # New inputs go to the work corpus, never into the checked-in seeds.
    "$fuzz/tests/fuzz/${name}_fuzz" -max_total_time="$fuzz_seconds" -timeout=10 \
      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts" \
      "$work" "$repo/tests/fuzz/corpus/$name" 2>&1 | tee "$fuzz/fuzz-$name.log" | tail -25 || rc=$?
    if ((rc != 0)) || grep -qE '^(==[0-9]+==ERROR|SUMMARY: )' "$fuzz/fuzz-$name.log"; then
      summaries+=("[fuzz $name] FAILED: see $fuzz/fuzz-$name.log and $artifacts")
      failed=1
    else
      summaries+=("[fuzz $name] $(grep -oE 'stat::number_of_executed_units: *[0-9]+' \
        "$fuzz/fuzz-$name.log" | grep -oE '[0-9]+$' || echo '?') runs in ${fuzz_seconds}s, no crash")
    fi
  done
fi

# --- 4. the Next.js example in Chromium -----------------------------------------------------
if [[ ${LEANSPEC_SKIP_NEXTJS:-0} != 1 ]]; then
  install_packages chromium
  # A sanitized addon would need its runtime preloaded into next's server: use the plain one of
  # build 1b, or build one when 1b was skipped.
  node_release=$build_root/python
  if [[ ! -f $node_release/bindings/node/leanspec.node ]]; then
    node_release=$build_root/node-release
    step "Node addon, unsanitized, for the example ($node_release)"
    configure "$node_release" -DLEANSPEC_BUILD_NODE=ON -DLEANSPEC_BUILD_TESTS=OFF \
      -DLEANSPEC_BUILD_CLI=OFF -DLEANSPEC_WERROR=ON
    cmake --build "$node_release" -j "$jobs" --target leanspec_node
  fi
  step "examples/nextjs: npm ci, next build, browser tests"
  export LEANSPEC_NODE_ADDON=$node_release/bindings/node/leanspec.node NEXT_TELEMETRY_DISABLED=1
  rc=0
  (cd "$repo/examples/nextjs" && npm ci --ignore-scripts --no-audit --no-fund && npx next build &&
    node --test tests/) 2>&1 | tee "$node_release/nextjs.log" || rc=$?
  if ((rc != 0)); then
    summaries+=("[nextjs] FAILED: see $node_release/nextjs.log")
    failed=1
  else
    summaries+=("[nextjs] $(grep -E '^# pass' "$node_release/nextjs.log" | tail -1), screenshots in examples/nextjs/build/artifacts")
  fi
fi

step "summary"
printf '%s\n' "${summaries[@]}"
# One closing line over every ctest run: "N passed, N failed".
total=0 bad=0
for log in "$build_root"/*/ctest-*.log; do
  [[ -f $log ]] || continue
  line=$(grep -E '[0-9]+ tests failed out of [0-9]+' "$log" | tail -1) || continue
  bad=$((bad + $(sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/' <<<"$line")))
  total=$((total + $(sed -E 's/.* tests failed out of ([0-9]+).*/\1/' <<<"$line")))
done
if ((failed)); then
  echo "FAILED"
else
  echo "all passed"
fi
echo "tests: $((total - bad)) passed, $bad failed"
exit "$failed"
