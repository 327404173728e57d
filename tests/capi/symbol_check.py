#!/usr/bin/env python3
"""The dynamic symbols libleanspec_c exports are exactly the functions leanspec.h declares.

usage: symbol_check.py <libleanspec_c.so> <leanspec.h> [nm]
Declarations are `LEANSPEC_API <type> <name>(...)`; exports come from `nm -D --defined-only`.
"""
import re
import subprocess
import sys

lib, header = sys.argv[1], sys.argv[2]
nm_tool = sys.argv[3] if len(sys.argv) > 3 else "nm"
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
if missing or extra:
    sys.exit(1)
print(f"{len(declared)} functions declared and exported, nothing else")
