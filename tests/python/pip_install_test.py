#!/usr/bin/env python3
"""python_package: the README's offline install works and gives a usable module.

usage: pip_install_test.py <repo> <work dir>
Creates <work>/venv (--system-site-packages), runs
`pip install --no-build-isolation --no-index <repo>/bindings/python` with a CMake build
directory kept in <work>/cmake (so a rerun is incremental), then imports leanspec from the
venv (not from the build tree) and runs examples/python/board.py on a generated spec tree.
Then `pip wheel` (the same build): the wheel is tagged manylinux_2_36 and holds the extension,
the library it bundles and the stubs; the extension follows the dependency policy
(tests/packaging/check_dependencies.py); the wheel installs offline into a new virtualenv
without system site packages and with nothing on PATH, and board.py runs from there.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import zipfile

repo, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
venv = work / "venv"
shutil.rmtree(venv, ignore_errors=True)
subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)], check=True)
env = dict(os.environ, LEANSPEC_PYTHON_BUILD_DIR=str(work / "cmake"))
env.pop("PYTHONPATH", None)
python = venv / "bin" / "python"
subprocess.run([str(python), "-m", "pip", "install", "--no-build-isolation", "--no-index",
                "--no-cache-dir", str(repo / "bindings" / "python")], check=True, env=env)


def check_board(python, home, env):
    """Imports leanspec with `python` (it must come from `home`, stubs beside it) and runs
    examples/python/board.py on a generated two-spec tree."""
    with tempfile.TemporaryDirectory() as tmp:
        specs = pathlib.Path(tmp) / "specs"
        for name, status in [("001-first", "planned"), ("002-second", "in-progress")]:
            (specs / name).mkdir(parents=True)
            (specs / name / "README.md").write_text(f"---\nstatus: {status}\n---\n# {name}\n")
        where = subprocess.run(
            [str(python), "-c", "import leanspec, pathlib; print(pathlib.Path(leanspec.__file__).parent)"],
            check=True, env=env, stdout=subprocess.PIPE, text=True, cwd=tmp).stdout.strip()
        assert where.startswith(str(home)), f"leanspec imported from {where}, not {home}"
        assert (pathlib.Path(where) / "__init__.pyi").exists() and (pathlib.Path(where) / "py.typed").exists()
        board = subprocess.run([str(python), str(repo / "examples" / "python" / "board.py"), str(specs)],
                               check=True, env=env, stdout=subprocess.PIPE, text=True, cwd=tmp).stdout
        print(board)
        assert "001-first" in board and "002-second" in board and "In progress" in board, board


check_board(python, venv, env)
print("pip install and board.py: ok")

wheels = work / "wheels"
shutil.rmtree(wheels, ignore_errors=True)
subprocess.run([str(python), "-m", "pip", "wheel", "--no-build-isolation", "--no-index", "--no-deps",
                "--no-cache-dir", "-w", str(wheels), str(repo / "bindings" / "python")],
               check=True, env=env)
(wheel,) = wheels.glob("*.whl")
machine = os.uname().machine
assert wheel.name.endswith(f"-manylinux_2_36_{machine}.whl"), wheel.name
with zipfile.ZipFile(wheel) as archive:
    names = archive.namelist()
    for wanted in ("leanspec/__init__.py", "leanspec/__init__.pyi", "leanspec/py.typed",
                   "leanspec/libleanspec-simdjson.so.14"):
        assert wanted in names, (wanted, names)
    (extension,) = [n for n in names if n.startswith("leanspec/_leanspec") and n.endswith(".so")]
    unpacked = work / "wheel-contents"
    shutil.rmtree(unpacked, ignore_errors=True)
    archive.extractall(unpacked)
subprocess.run(["/usr/bin/python3", str(repo / "tests" / "packaging" / "check_dependencies.py"),
                str(unpacked / extension)], check=True)

clean = work / "venv-wheel"
shutil.rmtree(clean, ignore_errors=True)
subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(clean)], check=True)
bare = {"PATH": "/nonexistent", "HOME": str(work)}  # no compiler, no tool: a wheel needs none
subprocess.run([str(python), "-m", "pip", "--python", str(clean / "bin" / "python"), "install",
                "--no-index", "--no-deps", "--no-cache-dir", str(wheel)], check=True, env=bare)
check_board(clean / "bin" / "python", clean, bare)
print(f"pip wheel {wheel.name} ({wheel.stat().st_size / 1048576:.1f} MB) installed alone and board.py: ok")
