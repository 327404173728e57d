#!/usr/bin/env bash
# ctest cpack: the Debian packages and the .tar.gz of cmake/LeanspecPackaging.cmake.
#   cpack_test.sh <build dir> <work dir>
# Runs cpack on the build directory (the CLI, libleanspec_c and libleanspec already built),
# then checks each package's name, version and Depends, and that each holds its files and no
# other package's; unpacks the three into one root and runs that root's CLI on a specs tree,
# which finds its bundled library through $ORIGIN/../lib as it would under /usr, and builds
# examples/cpp against that root with find_package.
set -euo pipefail
build=$(cd "$1" && pwd)
work=$2
rm -rf "$work"
mkdir -p "$work/root" "$work/specs/001-first" "$work/specs/002-second"
cd "$work"

cpack --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; exit 1; }
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")
so=${version%.*}
fail() { echo "cpack_test: $*" >&2; exit 1; }

deb() { # deb <package> -> its file
  local f
  f=$(ls "$work/out/$1_${version}_"*.deb 2>/dev/null) || fail "no .deb for $1 in $(ls "$work/out")"
  echo "$f"
}
expect_files() { # expect_files <deb> <path regex>...: each regex matches a file of the package
  local list
  list=$(dpkg-deb -c "$1" | awk '{print $6}')
  shift
  for want in "$@"; do
    grep -qE "^\./$want\$" <<<"$list" || fail "$(basename "$deb_file") lacks $want; holds:
$list"
  done
}

deb_file=$(deb "libleanspec-c$so")
[[ $(dpkg-deb -f "$deb_file" Depends) == "libc6 (>= 2.36), libstdc++6 (>= 12), libgcc-s1 (>= 3.0)" ]] ||
  fail "runtime Depends: $(dpkg-deb -f "$deb_file" Depends)"
expect_files "$deb_file" "usr/lib/libleanspec_c\.so\.$version" "usr/lib/libleanspec_c\.so\.$so" \
  "usr/lib/libleanspec-simdjson\.so\.[0-9]+"
grep -qE '(include/|\.a$|bin/)' <<<"$(dpkg-deb -c "$deb_file")" && fail "runtime package holds dev or cli files"

deb_file=$(deb libleanspec-dev)
grep -q "^libleanspec-c$so (= $version), libyaml-cpp-dev" <<<"$(dpkg-deb -f "$deb_file" Depends)" ||
  fail "dev Depends: $(dpkg-deb -f "$deb_file" Depends)"
expect_files "$deb_file" "usr/include/leanspec/leanspec\.hpp" "usr/include/leanspec\.h" \
  "usr/lib/libleanspec\.a" "usr/lib/libleanspec_c\.so" "usr/lib/cmake/leanspec/leanspecConfig\.cmake" \
  "usr/lib/pkgconfig/leanspec\.pc"

deb_file=$(deb leanspec)
grep -q "^libleanspec-c$so (= $version), libc6 (>= 2.34)" <<<"$(dpkg-deb -f "$deb_file" Depends)" ||
  fail "cli Depends: $(dpkg-deb -f "$deb_file" Depends)"
expect_files "$deb_file" "usr/bin/leanspec"

tgz=$work/out/leanspec-$version-Linux-$(uname -m).tar.gz
[[ -f $tgz ]] || fail "no $tgz in $(ls "$work/out")"
listing=$(tar -tzf "$tgz") # (not piped into grep -q: under pipefail tar's SIGPIPE would fail it)
grep -qE '/usr/bin/leanspec$' <<<"$listing" || fail "the .tar.gz lacks usr/bin/leanspec"
grep -qE '/usr/include/leanspec\.h$' <<<"$listing" || fail "the .tar.gz lacks usr/include/leanspec.h"

for f in "$work"/out/*.deb; do dpkg-deb -x "$f" "$work/root"; done
printf -- '---\nstatus: planned\n---\n# First\n' >"$work/specs/001-first/README.md"
printf -- '---\nstatus: complete\n---\n# Second\n' >"$work/specs/002-second/README.md"
out=$(env -i PATH=/usr/bin:/bin "$work/root/usr/bin/leanspec" list --specs-dir "$work/specs" --json)
grep -q '"001-first"' <<<"$out" && grep -q '"complete"' <<<"$out" || fail "the packaged CLI listed: $out"
grep -q "libleanspec-simdjson.*$work/root/usr/bin/../lib/" <<<"$(ldd "$work/root/usr/bin/leanspec")" ||
  fail "the packaged CLI does not find its bundled library in the package: $(ldd "$work/root/usr/bin/leanspec")"
# examples/cpp, the consumer of the -dev package: find_package(leanspec) in the unpacked root.
example=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../examples/cpp" && pwd)
cmake -S "$example" -B "$work/example" -G Ninja -DCMAKE_PREFIX_PATH="$work/root/usr" >"$work/example.log" 2>&1 &&
  cmake --build "$work/example" >>"$work/example.log" 2>&1 || { cat "$work/example.log"; fail "examples/cpp did not build against libleanspec-dev"; }
grep -q "leanspec_DIR:PATH=$work/root/usr/lib/cmake/leanspec" "$work/example/CMakeCache.txt" ||
  fail "examples/cpp found another leanspec: $(grep leanspec_DIR "$work/example/CMakeCache.txt")"
board=$("$work/example/status_board" "$work/specs")
grep -q '001-first' <<<"$board" && grep -q '002-second' <<<"$board" || fail "examples/cpp printed: $board"
echo "cpack: $(cd "$work/out" && ls *.deb *.tar.gz | tr '\n' ' ')ok"
