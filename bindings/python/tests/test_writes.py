"""SpecsService.update and toggle_checklist_item: writes guarded by the content hash they read."""
import hashlib

import pytest

import leanspec


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_update_writes_only_what_changes_and_the_next_read_sees_it(specs_dir):
    service = leanspec.SpecsService(specs_dir=specs_dir)
    readme = specs_dir / "002-beta" / "README.md"
    before = service.get("2")
    after = service.update("2", base_hash=before.content_hash, status=leanspec.Status.COMPLETE,
                           tags_add=["cache"], tags_remove="api", assignee="", fields={"owner_team": "web"})
    assert after.status == leanspec.Status.COMPLETE and after.tags == ["cache"]
    assert after.assignee is None and service.get("2").status == leanspec.Status.COMPLETE
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("---\nstatus: complete\npriority: medium\ntags: [cache]\ndepends_on: [001-alpha]\n")
    assert "  - status: complete\n    at: " in text  # the transitions list's own indentation
    assert "owner_team: web\n" in text and "assignee" not in text
    assert after.content_hash == service.get("2").content_hash


def test_a_stale_base_hash_is_a_conflict_and_nothing_is_written(specs_dir):
    service = leanspec.SpecsService(specs_dir=specs_dir)
    readme = specs_dir / "001-alpha" / "README.md"
    old = service.get("1").content_hash
    readme.write_text(readme.read_text(encoding="utf-8") + "\nEdited by hand.\n", encoding="utf-8")
    edited = readme.read_bytes()
    with pytest.raises(leanspec.ConflictError, match="001-alpha changed since"):
        service.update("1", base_hash=old, priority="low")
    assert readme.read_bytes() == edited
    with pytest.raises(leanspec.InvalidArgumentError, match="status"):
        service.update("1", base_hash=old, status="bogus")
    with pytest.raises(leanspec.NotFoundError, match="task-list"):
        service.toggle_checklist_item("1", 1, base_hash=git_blob_sha1(edited))
