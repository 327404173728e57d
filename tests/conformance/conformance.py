#!/usr/bin/env python3
"""conformance: one fixture tree, read through every front-end, must give byte-identical output.

usage: conformance.py --cpp EXE --c EXE [--python PYTHON] [--node NODE_DUMPER.js]

The driver writes the fixture tree (statuses, priorities, tags, depends_on, parent, sub-specs,
archived specs, a broken YAML, a duplicate number, non-ASCII text), then runs each front-end's
dumper on it with the same operations on stdin, one per line:

    list [key=value ...]   keys: status priority tags (comma lists) tagsMatch assignee
                           archived (true|false) sort descending (true) limit
    get <ref>
    search <limit> <query>
    stats

Each dumper answers one line per operation: the result's JSON (to_json / leanspec_string /
.to_json()), `null` when get finds nothing, or `error <code>: <message>`. The outputs of all
front-ends must be equal byte for byte; the C++ one is the reference.

Front-ends: dump_cpp.cpp (C++ API), dump_c.c (C API), dump_python.py (Python module). Node
comes later: its dumper takes the same stdin and argv (specs dir, project id) and is passed
with --node; nothing else here changes.
"""
import argparse
import difflib
import pathlib
import subprocess
import sys
import tempfile

FILES = {
    "001-cache-layer/README.md": "---\nstatus: complete\npriority: high\ntags: [core, cache]\n"
    "created: 2025-11-01\ncompleted: 2025-11-20\nassignee: ada\n---\n# Cache layer\n\n"
    "A TTL cache with single flight.\n",
    "002-query-language/README.md": "---\nstatus: in-progress\npriority: critical\n"
    "tags: [query, api]\ndepends_on: [001-cache-layer]\ncreated_at: 2025-11-05T09:15:00Z\n"
    "updated_at: 2025-11-06T10:00:00Z\ntransitions:\n  - status: in-progress\n"
    "    at: 2025-11-06T10:00:00Z\nreviewer: grace\n---\n# Query language\n\n"
    "Words, phrases, `status:` filters and fuzzy matching for the cache.\n",
    "002-query-language/DESIGN.md": "# Query design\n\nThe parser is a Pratt parser.\n",
    "002-query-language/IMPLEMENTATION.md": "# Implementation notes\n\nTokens first.\n",
    "003-ui-board/README.md": "---\nstatus: planned\npriority: medium\ntags: [ui]\n"
    "depends_on: [002, 001-cache-layer]\n---\n# UI board — Übersicht\n\nKanban für alle.\n",
    "004-board-filters/README.md": "---\nstatus: planned\ntags: [ui, api]\nparent: 003-ui-board\n"
    "---\n# Board filters\n\nFilter the board by tag.\n",
    "005-broken-yaml/README.md": "---\nstatus: planned\ntags: [unclosed\n---\n# Broken YAML\n\n"
    "The frontmatter does not parse.\n",
    "006-old-idea/README.md": "---\nstatus: archived\npriority: low\n---\n# Old idea\n",
    "archived/007-legacy/README.md": "---\nstatus: complete\n---\n# Legacy archived spec\n",
    "008-draft-a/README.md": "---\nstatus: draft\nassignee: linus\n---\n# Draft A\n",
    "008-draft-b/README.md": "---\nstatus: draft\n---\n# Draft B\n\nSame number as draft A.\n",
    "009-no-frontmatter/README.md": "# No frontmatter\n\nJust Markdown about the cache.\n",
}

OPERATIONS = """\
list
list status=planned,in-progress sort=title descending=true
list tags=ui,api tagsMatch=any limit=2
list priority=high,critical
list archived=true
list archived=false sort=priority
list assignee=ada
get 1
get 002
get query-language
get 003-ui-board
get 5
get 007-legacy
get 8
get 999
get ../outside
search 50 cache
search 50 status:planned OR tag:api
search 1 query
search 50 "single flight"
search 50 board -filters
search 50 (unbalanced
stats
"""


def write_tree(root: pathlib.Path) -> pathlib.Path:
    specs = root / "specs"
    for relative, content in FILES.items():
        path = specs / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return specs


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cpp", required=True)
    parser.add_argument("--c", required=True)
    parser.add_argument("--python", help="interpreter that can import leanspec")
    parser.add_argument("--node", help="the Node dumper script (when bindings/node exists)")
    args = parser.parse_args()
    here = pathlib.Path(__file__).resolve().parent

    with tempfile.TemporaryDirectory(prefix="leanspec-conformance-") as tmp:
        specs = str(write_tree(pathlib.Path(tmp)))
        frontends = {"C++": [args.cpp], "C": [args.c]}
        if args.python:
            frontends["Python"] = [args.python, str(here / "dump_python.py")]
        if args.node:
            frontends["Node"] = ["node", args.node]
        outputs = {}
        for name, command in frontends.items():
            run = subprocess.run(command + [specs, "conformance"], input=OPERATIONS.encode(),
                                 capture_output=True)
            if run.returncode != 0:
                print(f"{name} dumper failed ({run.returncode}):\n{run.stderr.decode()}")
                return 1
            outputs[name] = run.stdout

    reference = outputs["C++"]
    lines = reference.decode().splitlines()
    if len(lines) != len(OPERATIONS.splitlines()):
        print(f"C++ gave {len(lines)} lines for {len(OPERATIONS.splitlines())} operations")
        return 1
    if not any(line.startswith("error ambiguous") for line in lines) or lines.count("null") < 1:
        print("the fixture no longer exercises ambiguity and absence")
        return 1
    failed = False
    for name, output in outputs.items():
        if output != reference:
            failed = True
            print(f"{name} differs from C++:")
            sys.stdout.writelines(difflib.unified_diff(
                lines, output.decode(errors="replace").splitlines(), "C++", name, lineterm="\n"))
    if failed:
        return 1
    print(f"{', '.join(outputs)}: {len(lines)} operations, {len(reference)} identical bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
