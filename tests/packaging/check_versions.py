#!/usr/bin/env python3
"""One version for every artifact, from one place: project(VERSION) of the top CMakeLists.txt.

    check_versions.py REPO

The C++ and C libraries (version.hpp, leanspec_version.h, SOVERSION) and the wheel (setup.py)
take it from there at build time; package.json has to spell it, and CHANGELOG.md's first
release heading names it, so this fails when either differs, naming both files. The oldest glibc
the shared objects need is spelled where each package states it (the dependency policy test,
the wheel's tag, the npm prebuild's check, the runtime .deb's Depends): all must agree.
"""
import json
import pathlib
import re
import sys

repo = pathlib.Path(sys.argv[1])
cmake = repo / "CMakeLists.txt"
match = re.search(r"project\(leanspec VERSION ([0-9]+\.[0-9]+\.[0-9]+)", cmake.read_text())
if not match:
    sys.exit(f"{cmake}: no project(leanspec VERSION x.y.z)")
version = match.group(1)
package = repo / "bindings" / "node" / "package.json"
npm = json.loads(package.read_text())["version"]
if npm != version:
    sys.exit(f"{package}: version {npm}, but {cmake} says {version}")
setup = (repo / "bindings" / "python" / "setup.py").read_text()
if "project\\(leanspec VERSION" not in setup:
    sys.exit("bindings/python/setup.py no longer reads the version from CMakeLists.txt")
changelog = repo / "CHANGELOG.md"
heading = re.search(r"^## (.*)$", changelog.read_text(), re.M)
if not heading or not heading.group(1).startswith(f"{version} "):
    sys.exit(f"{changelog}: the first release heading is '{heading and heading.group(1)}', "
             f"expected '{version} (...)' as {cmake} says")

glibc = {
    "tests/packaging/check_dependencies.py": r"GLIBC_MAX = \((\d+), (\d+)\)",
    "bindings/python/setup.py": r"MIN_GLIBC = \((\d+), (\d+)\)",
    "bindings/node/lib/prebuild.js": r"const minGlibc = \[(\d+), (\d+)\]",
    "cmake/LeanspecPackaging.cmake": r"RUNTIME_PACKAGE_DEPENDS \"libc6 \(>= (\d+)\.(\d+)\)",
}
found = {}
for name, pattern in glibc.items():
    match = re.search(pattern, (repo / name).read_text())
    if not match:
        sys.exit(f"{name}: the oldest glibc is no longer spelled as /{pattern}/")
    found[name] = f"{match.group(1)}.{match.group(2)}"
if len(set(found.values())) != 1:
    sys.exit("the oldest glibc differs: " + ", ".join(f"{n} says {v}" for n, v in found.items()))
print(f"every artifact is version {version}; every package needs glibc {found[name]}")
