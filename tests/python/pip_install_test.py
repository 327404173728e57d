#!/usr/bin/env python3
"""python_package: the README's offline install works and gives a usable module.

usage: pip_install_test.py <repo> <work dir>
Creates <work>/venv (--system-site-packages), runs
`pip install --no-build-isolation --no-index <repo>/bindings/python` with a CMake build
directory kept in <work>/cmake (so a rerun is incremental), then imports leanspec from the
venv (not from the build tree) and runs examples/python/board.py on a generated spec tree.
"""
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

repo, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
venv = work / "venv"
shutil.rmtree(venv, ignore_errors=True)
subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)], check=True)
env = dict(os.environ, LEANSPEC_PYTHON_BUILD_DIR=str(work / "cmake"))
env.pop("PYTHONPATH", None)
python = venv / "bin" / "python"
subprocess.run([str(python), "-m", "pip", "install", "--no-build-isolation", "--no-index",
                "--no-cache-dir", str(repo / "bindings" / "python")], check=True, env=env)

with tempfile.TemporaryDirectory() as tmp:
    specs = pathlib.Path(tmp) / "specs"
    for name, status in [("001-first", "planned"), ("002-second", "in-progress")]:
        (specs / name).mkdir(parents=True)
        (specs / name / "README.md").write_text(f"---\nstatus: {status}\n---\n# {name}\n")
    where = subprocess.run(
        [str(python), "-c", "import leanspec, pathlib; print(pathlib.Path(leanspec.__file__).parent)"],
        check=True, env=env, capture_output=True, text=True, cwd=tmp).stdout.strip()
    assert where.startswith(str(venv)), f"leanspec imported from {where}, not the venv"
    assert (pathlib.Path(where) / "__init__.pyi").exists() and (pathlib.Path(where) / "py.typed").exists()
    board = subprocess.run([str(python), str(repo / "examples" / "python" / "board.py"), str(specs)],
                           check=True, env=env, capture_output=True, text=True, cwd=tmp).stdout
    print(board)
    assert "001-first" in board and "002-second" in board and "In progress" in board, board
print("pip install and board.py: ok")
