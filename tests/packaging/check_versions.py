#!/usr/bin/env python3
"""One version for every artifact, from one place: project(VERSION) of the top CMakeLists.txt.

    check_versions.py REPO

The C++ and C libraries (version.hpp, leanspec_version.h, SOVERSION) and the wheel (setup.py)
take it from there at build time; package.json has to spell it, so this fails when the npm
package's version is not the same, naming both files.
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
print(f"every artifact is version {version}")
