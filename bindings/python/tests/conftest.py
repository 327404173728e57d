"""Fixtures of the leanspec pytest suite: spec trees written into pytest's tmp_path."""
import pathlib

import pytest

SPECS = {
    "001-alpha/README.md": "---\nstatus: planned\npriority: high\ntags: [core, api]\n"
    "created: 2025-11-01\nowner_team: storage\n---\n# Alpha cache\n\nThe cache layer.\n",
    "002-beta/README.md": "---\nstatus: in-progress\npriority: medium\ntags: [api]\n"
    "depends_on: [001-alpha]\nassignee: ada\ncreated_at: 2025-11-02T10:30:00Z\n"
    "transitions:\n  - status: in-progress\n    at: 2025-11-03T08:00:00Z\n---\n# Beta\n\n"
    "Uses alpha.\n",
    "002-beta/DESIGN.md": "# Beta design\n\nDetails.\n",
    "003-gamma-one/README.md": "---\nstatus: complete\ncompleted: 2025-12-01\n---\n# Gamma one\n",
    "003-gamma-two/README.md": "---\nstatus: draft\ncreated: sometime in march\n---\n# Gamma two\n",
    "004-child/README.md": "---\nstatus: planned\nparent: 002-beta\n---\n# Child\n",
}


def write_tree(root: pathlib.Path, files=SPECS) -> pathlib.Path:
    specs = root / "specs"
    for relative, content in files.items():
        path = specs / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return specs


@pytest.fixture
def specs_dir(tmp_path):
    return write_tree(tmp_path)


@pytest.fixture
def source(specs_dir):
    import leanspec

    return leanspec.FilesystemSource(specs_dir, project_id="demo")
