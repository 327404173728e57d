"""SpecsService from Python: routing, health, cache control, revalidation, configuration errors."""
import pytest

import leanspec


def test_a_filesystem_service_routes_and_reports_health(specs_dir):
    service = leanspec.SpecsService(specs_dir=specs_dir, revalidation_secret="s3cret")
    assert service.mode == leanspec.SpecsMode.FILESYSTEM
    assert [s.id for s in service.list(status="planned")] == ["001-alpha", "004-child"]
    assert service.get("beta").title == "Beta"
    with pytest.raises(leanspec.AmbiguousError):
        service.get("3")
    health = service.health()
    assert not health.stale and health.sources[0].state == leanspec.SourceState.OK
    assert health.to_dict()["stale"] is False
    assert not service.is_stale()
    (served,) = service.served_projects()
    assert served.source == leanspec.SourceKind.FILESYSTEM and served.registration is None
    service.get("1")
    service.get("1")
    stats = service.cache_stats()
    assert stats.total.hits >= 1 and 0 < stats.hit_rate <= 1
    service.invalidate("1")
    service.invalidate()
    assert service.revalidate("wrong") is False
    assert service.revalidate("s3cret", "1") is True
    with pytest.raises(leanspec.NotFoundError):
        service.add_project("a/b")  # filesystem mode has no database


def test_both_modes_serve_database_projects(specs_dir, tmp_path):
    service = leanspec.SpecsService(mode=leanspec.SpecsMode.BOTH, specs_dir=specs_dir,
                                    database_url=f"sqlite:{tmp_path / 'db.sqlite'}")
    service.add_project("acme/web")
    assert service.import_directory("acme/web", specs_dir).added == 5
    assert service.list(project_id="acme/web").total == 5
    assert {p.project.id for p in service.served_projects()} >= {"acme/web"}
    assert service.remove_project("acme/web") is True


def test_configuration_errors_name_the_variable_not_the_secret(tmp_path):
    with pytest.raises(leanspec.ConfigError, match="SPECS_DIR"):
        leanspec.SpecsService(specs_dir=tmp_path / "missing")
    with pytest.raises(leanspec.ConfigError) as error:
        leanspec.SpecsService(specs_dir=tmp_path, github_token="ghp_topsecret\x01")
    assert "GITHUB_TOKEN" in str(error.value) and "topsecret" not in str(error.value)


def test_from_env(specs_dir, monkeypatch):
    monkeypatch.setenv("SPECS_MODE", "filesystem")
    monkeypatch.setenv("SPECS_DIR", str(specs_dir))
    assert leanspec.SpecsService.from_env().stats().total == 5
    monkeypatch.setenv("SPECS_MODE", "sideways")
    with pytest.raises(leanspec.ConfigError, match="SPECS_MODE"):
        leanspec.SpecsService.from_env()


def test_project_sets_name_each_spec_and_hit_project(specs_dir, tmp_path):
    url = f"sqlite:{tmp_path / 'sets.sqlite'}"
    db = leanspec.DatabaseSource(url)
    for project in ("acme/web", "acme/api"):
        db.add_project(project)
        db.import_directory(project, specs_dir)
    service = leanspec.SpecsService(mode=leanspec.SpecsMode.BOTH, specs_dir=specs_dir,
                                    database_url=url)
    fs_id = service.filesystem_project_id
    every = service.list(project_id="*", status="planned")
    assert every.total == 6
    assert list(zip(every.project_ids, [s.id for s in every]))[:2] == [
        ("acme/api", "001-alpha"), ("acme/web", "001-alpha")]
    assert set(every.project_ids) == {fs_id, "acme/web", "acme/api"}
    assert "projectIds" in every.to_dict()
    assert service.list(project_id="acme/web").project_ids == []

    seen, cursor = [], ""
    for _ in range(20):
        page = service.list(project_id="acme/web,acme/api", limit=2, cursor=cursor)
        seen += list(zip(page.project_ids, [s.id for s in page]))
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(seen) == 10 and len(set(seen)) == 10

    per_project = service.search("alpha", project_id="acme/web").total
    hits = service.search("alpha", project_id="*", limit=1)
    assert hits.total == 3 * per_project and hits[0].project_id in {fs_id, "acme/web", "acme/api"}
    rest = service.search("alpha", project_id="*", limit=0, cursor=hits.next_cursor)
    assert len(rest) == hits.total - 1 and rest.next_cursor is None
    assert {h.project_id for h in rest} | {hits[0].project_id} == {fs_id, "acme/web", "acme/api"}
    assert service.search("alpha", project_id="acme/web")[0].project_id is None
    assert service.search("alpha", project_id="acme/web").next_cursor is None

    stats = service.stats(project_id="*")
    assert stats.total == 15
    assert stats.by_project["acme/api"][leanspec.Status.PLANNED] == 2
    assert set(stats.by_project) == {fs_id, "acme/web", "acme/api"}
    assert service.stats(project_id="acme/web").by_project == {}
    with pytest.raises(leanspec.InvalidArgumentError):
        service.list(project_id="acme/web,,acme/api")
    with pytest.raises(leanspec.NotFoundError, match="no/such"):
        service.stats(project_id="acme/web,no/such")
