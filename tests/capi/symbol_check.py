#!/usr/bin/env python3
"""The dynamic symbols libleanspec_c exports are exactly the functions leanspec.h declares, and
the C test calls each of them.

usage: symbol_check.py <libleanspec_c.so> <leanspec.h> [nm] [capi_test.c]
Declarations are `LEANSPEC_API <type> <name>(...)`; exports come from `nm -D --defined-only`;
a function counts as tested when capi_test.c calls it (`name(`) outside a comment.
"""
import re
import subprocess
import sys

lib, header = sys.argv[1], sys.argv[2]
nm_tool = sys.argv[3] if len(sys.argv) > 3 else "nm"
test_source = sys.argv[4] if len(sys.argv) > 4 else None
text = open(header, encoding="utf-8").read()
text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)  # comments mention functions too
declared = set(re.findall(r"LEANSPEC_API\s[^;(]*?\b(leanspec_\w+)\s*\(", text))
if len(declared) < 10:
    sys.exit(f"found only {len(declared)} declarations in {header}: is the pattern out of date?")

nm = subprocess.run([nm_tool, "-D", "--defined-only", lib], check=True, capture_output=True, text=True)
exported = set()
for line in nm.stdout.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] != "A":  # "A": version node names, not symbols
        exported.add(parts[2].split("@")[0])

missing, extra = sorted(declared - exported), sorted(exported - declared)
for name in missing:
    print(f"declared in leanspec.h but not exported: {name}")
for name in extra:
    print(f"exported but not declared in leanspec.h: {name}")
untested = []
if test_source:
    test = open(test_source, encoding="utf-8").read()
    test = re.sub(r"/\*.*?\*/", "", test, flags=re.S)
    called = set(re.findall(r"\b(leanspec_\w+)\s*\(", test))
    untested = sorted(declared - called)
    for name in untested:
        print(f"declared in leanspec.h but never called by {test_source}: {name}")
if missing or extra or untested:
    sys.exit(1)
print(f"{len(declared)} functions declared and exported, nothing else"
      + (", each called by the C test" if test_source else ""))
