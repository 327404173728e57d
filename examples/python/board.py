#!/usr/bin/env python3
"""Prints a status board of a specs directory: one column of specs per status.

usage: board.py [specs dir]   (default: ./specs)
"""
import sys

import leanspec

COLUMNS = [
    (leanspec.Status.PLANNED, "Planned"),
    (leanspec.Status.IN_PROGRESS, "In progress"),
    (leanspec.Status.COMPLETE, "Complete"),
]


def main() -> int:
    specs_dir = sys.argv[1] if len(sys.argv) > 1 else "specs"
    try:
        source = leanspec.FilesystemSource(specs_dir)
    except leanspec.NotFoundError as e:
        print(f"board.py: {e}", file=sys.stderr)
        return 1
    groups = source.by_status()
    for status, title in COLUMNS:
        specs = groups.get(status, [])
        print(f"== {title} ({len(specs)})")
        for spec in specs:
            priority = spec.priority.text if spec.priority is not None else "-"
            print(f"  {spec.id:<40} {priority:<8} {spec.title}")
    stats = source.stats()
    print(f"{stats.total} specs, {stats.completion_rate:.0f}% complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
