#!/usr/bin/env python3
"""python_sdist: the source distribution carries what its build reads.

usage: sdist_test.py <repo> <work dir>
Runs `setup.py sdist` in <repo>/bindings/python into <work>, unpacks it, and checks that its
libleanspec/ holds every file the build reads (setup.py's BUILD_INPUTS: the top CMakeLists.txt,
cmake/, include/, src/ and the Python module's sources), byte for byte as in the checkout, and
that CMake configures that copy with setup.py's own options, away from the checkout. (Compiling
it is what python_package does from the checkout; the full build from an sdist is timed by hand,
docs/PACKAGING.md.)
"""
import filecmp
import pathlib
import shutil
import subprocess
import sys
import tarfile

repo, work = pathlib.Path(sys.argv[1]).resolve(), pathlib.Path(sys.argv[2]).resolve()
shutil.rmtree(work, ignore_errors=True)
work.mkdir(parents=True)
package = repo / "bindings" / "python"
subprocess.run(["/usr/bin/python3", "setup.py", "-q", "sdist", "-d", str(work)], cwd=package,
               check=True)
(archive,) = work.glob("leanspec-*.tar.gz")
with tarfile.open(archive) as tar:
    tar.extractall(work / "unpacked")
(root,) = (work / "unpacked").iterdir()
vendored = root / "libleanspec"

inputs = ["CMakeLists.txt", "cmake", "include", "src", "bindings/python/CMakeLists.txt",
          "bindings/python/src", "bindings/python/leanspec"]
compared = 0
for entry in inputs:
    source = repo / entry
    for file in ([source] if source.is_file() else sorted(p for p in source.rglob("*") if p.is_file())):
        if "__pycache__" in file.parts:
            continue
        copy = vendored / file.relative_to(repo)
        assert copy.is_file(), f"{copy.relative_to(root)} is missing from the sdist"
        assert filecmp.cmp(file, copy, shallow=False), f"{copy.relative_to(root)} differs"
        compared += 1
assert (root / "setup.py").is_file() and (root / "pyproject.toml").is_file()

# setup.py's configure step, on the copy, with nothing of the checkout reachable by path.
build = work / "cmake"
subprocess.run(["cmake", "-S", str(vendored), "-B", str(build), "-G", "Ninja",
                "-DCMAKE_BUILD_TYPE=Release", "-DLEANSPEC_BUILD_PYTHON=ON",
                "-DLEANSPEC_BUILD_TESTS=OFF", "-DLEANSPEC_BUILD_CLI=OFF",
                "-DLEANSPEC_BUILD_CAPI=OFF", f"-DLEANSPEC_PYTHON_OUTPUT_DIR={work / 'out'}",
                "-DPYBIND11_FINDPYTHON=ON", "-DPython_EXECUTABLE=/usr/bin/python3"],
               check=True, stdout=subprocess.DEVNULL)
cache = (build / "CMakeCache.txt").read_text()
assert f"CMAKE_HOME_DIRECTORY:INTERNAL={vendored}" in cache
# (The work folder may lie inside the checkout, as ctest's does: its own paths do not count.)
ninja = (build / "build.ninja").read_text().replace(str(work), "<work>")
assert str(repo) not in ninja, "the build reads the checkout"
print(f"sdist {archive.name} ({archive.stat().st_size / 1024:.0f} KB): {compared} files of the "
      "build, as in the checkout; CMake configures them on their own: ok")
