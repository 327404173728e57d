"""Every call of a FilesystemSource from Python: results, typed attributes, idioms."""
import datetime
import json

import leanspec
from leanspec import Priority, Status

UTC = datetime.timezone.utc


def test_version_is_the_library_version():
    assert leanspec.__version__.count(".") == 2


def test_list_returns_every_spec_by_number(source):
    page = source.list()
    assert page.total == 5 and len(page) == 5
    assert [s.id for s in page] == [
        "001-alpha", "002-beta", "003-gamma-one", "003-gamma-two", "004-child"]
    assert page.next_cursor is None
    assert page[-1].id == "004-child"
    assert [s.id for s in source] == [s.id for s in page]  # a source is iterable


def test_list_keywords_filter_sort_and_page(source):
    assert [s.id for s in source.list(status="planned")] == ["001-alpha", "004-child"]
    assert [s.id for s in source.list(status=[Status.PLANNED, "in-progress"])] == [
        "001-alpha", "002-beta", "004-child"]
    assert [s.id for s in source.list(priority=Priority.HIGH)] == ["001-alpha"]
    assert [s.id for s in source.list(tags=["api", "core"])] == ["001-alpha"]
    assert [s.id for s in source.list(tags=["api", "core"], tags_match="any")] == [
        "001-alpha", "002-beta"]
    assert [s.id for s in source.list(assignee="ada")] == ["002-beta"]
    assert [s.id for s in source.list(sort="id", descending=True, limit=2)] == [
        "004-child", "003-gamma-two"]
    first = source.list(limit=2)
    assert first.total == 5 and first.next_cursor
    second = source.list(limit=2, cursor=first.next_cursor)
    assert [s.id for s in second] == ["003-gamma-one", "003-gamma-two"]
    assert [s.id for s in source.pages(page_size=2)] == [s.id for s in source.list()]
    assert len(source.list(archived=True)) == 0


def test_spec_attributes_are_typed(source):
    alpha = source.get("1")
    assert alpha.id == "001-alpha" and alpha.number == 1 and alpha.number_text == "001"
    assert alpha.slug == "alpha" and alpha.title == "Alpha cache"
    assert alpha.status == Status.PLANNED and alpha.status.text == "planned"
    assert alpha.priority == Priority.HIGH
    assert alpha.tags == ["core", "api"]
    assert alpha.assignee is None and alpha.parent is None
    assert alpha.created_at == datetime.datetime(2025, 11, 1, tzinfo=UTC)
    # created_at: the created_at key, else created (docs/GLOSSARY.md)
    assert alpha.created_text == "2025-11-01" and alpha.created_at_text == "2025-11-01"
    assert alpha.custom_fields == {"owner_team": "storage"}
    assert alpha.frontmatter["tags"] == ["core", "api"]
    assert "The cache layer." in alpha.body
    assert len(alpha.content_hash) == 40
    assert not alpha.has_errors

    beta = source.get("beta")
    assert beta.created_at == datetime.datetime(2025, 11, 2, 10, 30, tzinfo=UTC)
    assert beta.depends_on == ["001-alpha"] and beta.assignee == "ada"
    assert [(t.status, t.at) for t in beta.transitions] == [
        (Status.IN_PROGRESS, datetime.datetime(2025, 11, 3, 8, 0, tzinfo=UTC))]
    assert [s.file for s in beta.sub_specs] == ["DESIGN.md"]
    assert beta.sub_specs[0].name == "Beta design"

    one = source.get("003-gamma-one")
    assert one.completed_at == datetime.datetime(2025, 12, 1, tzinfo=UTC)


def test_a_date_that_does_not_parse_is_none_with_a_diagnostic(source):
    two = source.get("gamma-two")
    assert two.created_at is None
    assert two.created_text is None
    assert json.loads(two.to_json())["createdAt"] is None
    assert [d.message.split(" ")[0] for d in two.diagnostics if d.code == "invalid-date"] == ["created"]
    assert two.frontmatter["created"] == "sometime in march"  # the text as written


def test_created_at_that_is_no_date_is_none_everywhere(tmp_path):
    from conftest import write_tree

    specs = write_tree(tmp_path, {"001-a/README.md": "---\nstatus: planned\ncreated_at: 1e100\n---\n# A\n"})
    spec = leanspec.FilesystemSource(specs).get("1")
    assert spec.created_at is None and spec.created_at_text is None
    assert json.loads(spec.to_json())["createdAt"] is None
    assert any(d.code == "invalid-date" and d.message.startswith("created_at") for d in spec.diagnostics)


def test_get_absent_ambiguous_and_outside(source):
    assert source.get("999") is None
    try:
        source.get("3")
    except leanspec.AmbiguousError as e:
        assert "003-gamma-one" in str(e) and "003-gamma-two" in str(e)
        assert e.code == "ambiguous"
        assert isinstance(e, leanspec.Error)
    else:
        raise AssertionError("no AmbiguousError")


def test_search_ranks_and_filters(source):
    hits = source.search("cache")
    assert hits.total >= 1 and hits[0].spec.id == "001-alpha"
    assert hits[0].score > 0 and isinstance(hits[0].snippet, str)
    assert [h.spec.id for h in source.search("alpha", status="in-progress")] == ["002-beta"]
    assert len(source.search("alpha OR beta", limit=1)) == 1


def test_stats_relationships_validate_by_status_projects(source):
    stats = source.stats()
    assert stats.total == 5
    assert stats.by_status[Status.PLANNED] == 2 and stats.by_status[Status.ARCHIVED] == 0
    assert stats.by_tag == {"api": 2, "core": 1}
    assert stats.by_assignee == {"ada": 1}
    assert stats.completion_rate == 20.0

    rel = source.relationships("2")
    assert rel.depends_on == ["001-alpha"] and rel.children == ["004-child"]
    assert source.relationships("1").required_by == ["002-beta"]
    assert source.relationships("nothing") is None

    codes = {d.code for d in source.validate()}
    assert "duplicate-number" in codes
    d = next(d for d in source.validate() if d.code == "duplicate-number")
    assert d.severity in (leanspec.Severity.ERROR, leanspec.Severity.WARNING)

    groups = source.by_status()
    assert [s.id for s in groups[Status.PLANNED]] == ["001-alpha", "004-child"]

    (project,) = source.projects()
    assert project.id == "demo" and project.specs_dir.endswith("specs")


def test_to_json_and_to_dict_are_the_shared_json(source):
    page = source.list()
    assert json.loads(page.to_json()) == page.to_dict()
    assert page.to_dict()["specs"][0]["specNumber"] == 1
    full = source.get("1").to_dict()
    assert full["contentMd"].startswith("\n# Alpha") or "Alpha cache" in full["contentMd"]
    assert "contentMd" not in source.get("1").to_dict(full=False)
    assert source.stats().to_dict()["totalSpecs"] == 5
    assert source.relationships("2").to_dict()["dependsOn"] == ["001-alpha"]
    assert source.search("cache").to_dict()["results"][0]["id"] == "001-alpha"
    assert source.projects()[0].to_dict()["id"] == "demo"
    assert source.validate()[0].to_dict()["code"]


def test_reload_sees_new_folders(source, specs_dir):
    assert source.version == 1
    (specs_dir / "005-new").mkdir()
    (specs_dir / "005-new" / "README.md").write_text("---\nstatus: draft\n---\n# New\n")
    source.reload()
    assert source.version == 2 and source.get("5").title == "New"


def test_repr_and_helpers(source):
    assert repr(source.get("1")) == "<Spec 001-alpha planned 'Alpha cache'>"
    assert repr(source.list()) == "<SpecList 5 of 5>"
    assert leanspec.parse_status("wip") == Status.IN_PROGRESS
    assert leanspec.parse_priority("urgent") == Priority.CRITICAL
    assert leanspec.parse_status("nope") is None
    assert "<h1>" in leanspec.render_html("# Hi")
    assert "<script>" not in leanspec.render_html("<script>x</script>")


def test_results_outlive_their_source(specs_dir):
    src = leanspec.FilesystemSource(specs_dir)
    page = src.list()
    spec = src.get("1")
    del src
    assert page[0].id == "001-alpha" and spec.title == "Alpha cache"
