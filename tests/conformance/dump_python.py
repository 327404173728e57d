#!/usr/bin/env python3
"""The Python front-end of tests/conformance (see conformance.py for the protocol)."""
import sys

import leanspec

KEYWORDS = {"tagsMatch": "tags_match"}


def value(key, text):
    if key in ("status", "priority", "tags"):
        return text.split(",")
    if key in ("archived", "descending"):
        return text == "true"
    if key == "limit":
        return int(text)
    return text


def run(source, line):
    op, _, rest = line.partition(" ")
    if op == "list":
        kwargs = {}
        for token in rest.split():
            key, _, text = token.partition("=")
            kwargs[KEYWORDS.get(key, key)] = value(key, text)
        return source.list(**kwargs).to_json()
    if op == "get":
        spec = source.get(rest)
        return "null" if spec is None else spec.to_json()
    if op == "search":
        limit, _, query = rest.partition(" ")
        return source.search(query, limit=int(limit)).to_json()
    if op == "stats":
        return source.stats().to_json()
    raise SystemExit(f"unknown operation {line!r}")


def main():
    source = leanspec.FilesystemSource(sys.argv[1], project_id=sys.argv[2])
    out = sys.stdout.buffer
    for line in sys.stdin.read().splitlines():
        try:
            text = run(source, line)
        except leanspec.Error as e:
            text = f"error {e.code}: {e}"
        out.write(text.encode("utf-8") + b"\n")


main()
