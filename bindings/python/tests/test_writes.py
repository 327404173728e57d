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


def test_create_numbers_after_the_others_and_the_next_read_sees_it(specs_dir):
    service = leanspec.SpecsService(specs_dir=specs_dir)
    before = len(service.list())
    spec = service.create("Python writes", status="in-progress", priority=leanspec.Priority.HIGH,
                          tags=["py", "api"], assignee="ann")
    assert spec.id.endswith("-python-writes") and spec.status == leanspec.Status.IN_PROGRESS
    assert spec.priority == leanspec.Priority.HIGH and spec.tags == ["py", "api"]
    assert spec.assignee == "ann" and len(service.list()) == before + 1
    text = (specs_dir / spec.id / "README.md").read_text(encoding="utf-8")
    assert text.endswith("# Python writes\n")
    with pytest.raises(leanspec.InvalidArgumentError, match="title"):
        service.create("  ")
    with pytest.raises(leanspec.InvalidArgumentError, match="status"):
        service.create("x", status="bogus")


def test_a_project_s_write_mode_is_registered_and_read_back(tmp_path):
    db = leanspec.DatabaseSource(f"sqlite:{tmp_path / 'store.db'}")
    db.add_project("acme/web", write_mode="pull_request")
    db.add_project("acme/api")
    modes = {p.id: p.write_mode for p in db.registered_projects()}
    assert modes == {"acme/web": leanspec.WriteMode.PULL_REQUEST, "acme/api": leanspec.WriteMode.COMMIT}
    db.update_project("acme/api", write_mode=leanspec.WriteMode.PULL_REQUEST)
    assert db.registered_projects()[0].write_mode.text == "pull_request"
    with pytest.raises(leanspec.InvalidArgumentError, match="write_mode"):
        db.update_project("acme/api", write_mode="push")
