#!/usr/bin/env python3
"""The dependency policy of docs/PACKAGING.md, checked on built binaries.

    check_dependencies.py BINARY...     fails unless every BINARY follows the policy
    check_dependencies.py --self-test   fails unless a library outside the policy is caught

A shipped binary (and every library bundled with it) may name in its NEEDED entries only the
C and C++ runtimes below, or a library bundled with it: named libleanspec-*, found through a
RUNPATH entry relative to $ORIGIN. No RUNPATH entry may be absolute or empty (an empty one
means the working directory). No symbol may need a glibc newer than GLIBC_MAX. The facts come
from readelf and objdump (binutils), never from loading the binary.
"""
import os
import re
import subprocess
import sys

RUNTIMES = {"libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2", "libstdc++.so.6", "libgcc_s.so.1"}
BUNDLED_PREFIX = "libleanspec-"
GLIBC_MAX = (2, 36)  # Debian 12; docs/PACKAGING.md says why


def dynamic_entries(path):
    out = subprocess.run(["readelf", "-d", "-W", path], capture_output=True, text=True,
                         check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)
    runpath = re.findall(r"\((?:RUNPATH|RPATH)\)\s+Library r(?:un)?path: \[([^\]]*)\]", out)
    return needed, runpath


def glibc_versions(path):
    out = subprocess.run(["objdump", "-T", path], capture_output=True, text=True,
                         check=True).stdout
    return {tuple(int(x) for x in v.split(".")) for v in re.findall(r"GLIBC_(\d+(?:\.\d+)+)", out)}


def problems(path, seen=None):
    """Every breach of the policy by `path` and what it bundles, one line each."""
    seen = set() if seen is None else seen
    real = os.path.realpath(path)
    if real in seen:
        return []
    seen.add(real)
    found = []
    needed, runpaths = dynamic_entries(path)
    dirs = []
    for runpath in runpaths:
        for entry in runpath.split(":"):
            if not entry.startswith("$ORIGIN"):
                found.append(f"{path}: RUNPATH entry {entry!r} is not relative to $ORIGIN")
            else:
                dirs.append(os.path.normpath(entry.replace("$ORIGIN", os.path.dirname(real), 1)))
    for name in needed:
        if name in RUNTIMES:
            continue
        if not name.startswith(BUNDLED_PREFIX):
            found.append(f"{path}: needs {name}, outside the policy")
            continue
        where = [os.path.join(d, name) for d in dirs if os.path.exists(os.path.join(d, name))]
        if not where:
            found.append(f"{path}: needs {name}, bundled but not found through its RUNPATH")
        else:
            found.extend(problems(where[0], seen))
    newest = max(glibc_versions(path), default=(0,))
    if newest > GLIBC_MAX:
        found.append(f"{path}: needs GLIBC_{'.'.join(map(str, newest))}, newer than "
                     f"GLIBC_{'.'.join(map(str, GLIBC_MAX))}")
    return found


def self_test():
    # libcurl needs a dozen libraries outside the policy; libc needs none.
    curl = "/usr/lib/x86_64-linux-gnu/libcurl.so.4"
    caught = problems(curl)
    if not any("outside the policy" in line for line in caught):
        print(f"self-test: no breach reported for {curl}")
        return 1
    libc = os.path.realpath("/lib/x86_64-linux-gnu/libc.so.6")
    if problems(libc):
        print(f"self-test: {libc} reported: {problems(libc)}")
        return 1
    print(f"self-test: {len(caught)} breaches caught in {curl}, none in libc")
    return 0


def main(argv):
    if argv == ["--self-test"]:
        return self_test()
    if not argv:
        print(__doc__)
        return 2
    failures = []
    for path in argv:
        found = problems(path)
        needed, runpath = dynamic_entries(path)
        print(f"{path}: NEEDED {', '.join(needed)}; RUNPATH {':'.join(runpath) or '-'}; "
              f"{'ok' if not found else 'BREACH'}")
        failures.extend(found)
    for line in failures:
        print(line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
