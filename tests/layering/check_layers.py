#!/usr/bin/env python3
"""The include arrows between src/ folders point one way (issue 17).

Reads every `#include "folder/..."` in src/ and fails when a file includes a header of a folder
on its own layer (sideways) or above it (upward), or names a folder LAYERS does not declare.
Includes without a folder ("loader.hpp", same folder) and <...> includes are not arrows.

    check_layers.py [SRC_DIR]    check SRC_DIR (default: src/ beside tests/)
    check_layers.py --self-test  check that a tree where db/ includes fs/ is refused

Standard library only; run with the system python3 (registered as ctest `layering`).
"""

import pathlib
import re
import sys
import tempfile

# Lowest first. A folder may include its own headers and those of any lower layer; folders on
# one layer are siblings and include nothing of each other.
LAYERS = [
    ["core"],  # Error, ChangeNotifier, scrub, version
    ["model"],  # frontmatter, YAML, the spec parser, timestamps, enums, relative refs
    ["json"],  # the one JSON writer, fed model-level types
    ["query"],  # the query language, Filter, the search index and search
    ["snapshot"],  # Snapshot and cross-spec validation
    ["tree"],  # the specs tree on disk: its names, walking and reading spec folders safely
    ["fs", "db", "cache"],  # the sources: filesystem, database, caching
    ["github"],  # the GitHub sync (writes into db/)
    ["service"],  # SpecsService
    ["cli"],  # the leanspec tool
]

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/[^"]*"', re.M)
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".cc", ".inc"}


def layer_of():
    return {folder: i for i, layer in enumerate(LAYERS) for folder in layer}


def violations(src):
    """Every include of `src` that breaks the order, as 'file:line: message'."""
    layers = layer_of()
    found = []
    for path in sorted(src.rglob("*")):
        if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
            continue
        relative = path.relative_to(src)
        if len(relative.parts) < 2:
            continue  # src/CMakeLists.txt and the like
        folder = relative.parts[0]
        if folder not in layers:
            found.append(f"{relative}: folder '{folder}' is not in LAYERS")
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in INCLUDE.finditer(text):
            target = match.group(1)
            line = text.count("\n", 0, match.start()) + 1
            where = f"{relative}:{line}"
            if target == folder:
                continue
            if target not in layers:
                found.append(f"{where}: includes {target}/, a folder not in LAYERS")
            elif layers[target] == layers[folder]:
                found.append(f"{where}: {folder}/ includes {target}/ sideways (same layer)")
            elif layers[target] > layers[folder]:
                found.append(f"{where}: {folder}/ includes {target}/ upward")
    return found


def self_test():
    """A clean tree passes; db/ including fs/ (sideways), model/ including query/ (upward) and an
    undeclared folder fail."""
    with tempfile.TemporaryDirectory() as tmp:
        src = pathlib.Path(tmp)

        def write(name, text):
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            (src / name).write_text(text)

        write("db/store.cpp", '#include "db/store.hpp"\n#include "core/error.hpp"\n')
        write("fs/loader.cpp", '#include "tree/specs_tree.hpp"\n#include "loader.hpp"\n')
        assert violations(src) == [], violations(src)
        write("db/import.cpp", '#include <vector>\n#include "fs/loader.hpp"\n')
        write("model/parse.cpp", '// x\n#include "query/filter.hpp"\n')
        write("extra/x.cpp", "")
        got = violations(src)
        expected = [
            "db/import.cpp:2: db/ includes fs/ sideways (same layer)",
            "extra/x.cpp: folder 'extra' is not in LAYERS",
            "model/parse.cpp:2: model/ includes query/ upward",
        ]
        assert got == expected, got
    print("check_layers self-test: ok")
    return 0


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    src = pathlib.Path(argv[1]) if len(argv) > 1 else pathlib.Path(__file__).parents[2] / "src"
    if not src.is_dir():
        print(f"check_layers: {src} is not a folder", file=sys.stderr)
        return 2
    found = violations(src)
    for line in found:
        print(line, file=sys.stderr)
    if found:
        order = " <- ".join("/".join(layer) for layer in LAYERS)
        print(f"check_layers: {len(found)} include(s) against the order {order}", file=sys.stderr)
        return 1
    print("check_layers: every include in", src, "points down")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
