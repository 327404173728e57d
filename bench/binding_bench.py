#!/usr/bin/env python3
"""The Python module's cost per call (issue 7), beside bench/binding_bench.cpp's C++ and C
figures: the same cached calls on the real LeanSpec corpus behind a CachingSource.

usage: PYTHONPATH=<build>/python /usr/bin/python3 bench/binding_bench.py [specs dir]
Prints the best of 5 timeit repeats per call, in microseconds of process CPU time (the C++
figures are Google Benchmark's CPU time too, so a loaded machine distorts neither).
"""
import os
import sys
import time
import timeit

import leanspec

specs = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.environ.get("LEANSPEC_CORPUS") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "corpus", "lean-spec"), "specs")
source = leanspec.CachingSource(leanspec.FilesystemSource(specs, project_id="lean-spec"))
page = source.list()
ref = page[len(page) // 2].id


def touch():
    n = 0
    for spec in source.list():
        n += len(spec.id) + len(spec.title)
    return n


CALLS = {
    "py_list": lambda: source.list(),
    "py_list_touch": touch,
    "py_list_json": lambda: source.list().to_json(),
    "py_get": lambda: source.get(ref),
    "py_get_json": lambda: source.get(ref).to_json(),
    "py_search": lambda: source.search("cache"),
    "py_search_json": lambda: source.search("cache").to_json(),
}

print(f"{len(page)} specs, get({ref!r}), search('cache')")
for name, call in CALLS.items():
    number = 2000 if "touch" not in name and "list_json" not in name else 200
    best = min(timeit.repeat(call, number=number, repeat=5, timer=time.process_time)) / number
    print(f"{name:<16} {best * 1e6:10.2f} us")
