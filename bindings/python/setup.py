"""Builds the extension leanspec._leanspec with the repository's CMake (core + module only).

In a checkout the repository is two folders up; a source distribution (`setup.py sdist`, or
`python3 -m build --sdist`) carries a copy of what that build reads in libleanspec/, so it
builds anywhere a compiler and the -dev packages of docs/PACKAGING.md exist.

Environment: LEANSPEC_JOBS (parallel jobs, default 2); LEANSPEC_PYTHON_BUILD_DIR (a CMake build
directory to reuse between installs, default setuptools' build_temp); CMAKE_C_COMPILER_LAUNCHER /
CMAKE_CXX_COMPILER_LAUNCHER (e.g. ccache) are read by CMake itself.
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.sdist import sdist
from wheel.bdist_wheel import bdist_wheel

HERE = pathlib.Path(__file__).resolve().parent
CHECKOUT = HERE.parent.parent  # the repository: its CMakeLists.txt builds the core and the module
VENDORED = HERE / "libleanspec"  # an sdist's copy of it (SDist below)
ROOT = VENDORED if (VENDORED / "CMakeLists.txt").exists() else CHECKOUT
# What the top CMakeLists.txt reads with tests, CLI, C API and Node off, Python on.
BUILD_INPUTS = ["CMakeLists.txt", "cmake", "include", "src", "bindings/python/CMakeLists.txt",
                "bindings/python/src", "bindings/python/leanspec"]


def version():
    text = (ROOT / "CMakeLists.txt").read_text(encoding="utf-8")
    return re.search(r"project\(leanspec VERSION ([0-9.]+)", text).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        # CMake assembles <out>/leanspec/: the extension and the package's .py/.pyi files.
        out = pathlib.Path(self.get_ext_fullpath(ext.name)).resolve().parent.parent
        build = pathlib.Path(os.environ.get("LEANSPEC_PYTHON_BUILD_DIR") or self.build_temp)
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(build.resolve()),
            "-DCMAKE_BUILD_TYPE=Release",
            "-DLEANSPEC_BUILD_PYTHON=ON", "-DLEANSPEC_BUILD_TESTS=OFF",
            "-DLEANSPEC_BUILD_CLI=OFF", "-DLEANSPEC_BUILD_CAPI=OFF",
            f"-DLEANSPEC_PYTHON_OUTPUT_DIR={out}",
            "-DPYBIND11_FINDPYTHON=ON", f"-DPython_EXECUTABLE={sys.executable}",
        ]
        if shutil.which("ninja") and not (build / "CMakeCache.txt").exists():
            configure += ["-G", "Ninja"]
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build.resolve()), "--target", "leanspec_python",
                        "-j", os.environ.get("LEANSPEC_JOBS", "2")], check=True)


class SDist(sdist):
    """Puts BUILD_INPUTS into the source distribution's libleanspec/."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        for entry in BUILD_INPUTS:
            source, target = ROOT / entry, pathlib.Path(base_dir) / "libleanspec" / entry
            if source.is_dir():
                shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)


# The oldest glibc the extension and the library it bundles run on (docs/PACKAGING.md; the
# dependency_policy test holds every shipped binary to it).
MIN_GLIBC = (2, 36)


class Wheel(bdist_wheel):
    """Tags the wheel for what it needs: glibc MIN_GLIBC and nothing else of the host, which is
    what manylinux_2_36 promises (PEP 600), instead of the build machine's linux_<arch>."""

    def get_tag(self):
        python, abi, plat = super().get_tag()
        if plat.startswith("linux_"):
            plat = f"manylinux_{MIN_GLIBC[0]}_{MIN_GLIBC[1]}_{plat[len('linux_'):]}"
        return python, abi, plat


setup(
    version=version(),
    ext_modules=[Extension("leanspec._leanspec", sources=[])],
    cmdclass={"build_ext": CMakeBuild, "bdist_wheel": Wheel, "sdist": SDist},
)
