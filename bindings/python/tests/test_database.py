"""DatabaseSource from Python on a real SQLite file: the project registry and imports."""
import datetime

import pytest

import leanspec


@pytest.fixture
def db(tmp_path):
    return leanspec.DatabaseSource(f"sqlite:{tmp_path / 'specs.db'}")


def test_registry_import_and_reads(db, specs_dir):
    db.add_project("acme/web", branch="dev", sync_interval=datetime.timedelta(minutes=1))
    with pytest.raises(leanspec.InvalidArgumentError):
        db.add_project("acme/web")
    db.update_project("acme/web", specs_path="docs/specs")
    (project,) = db.registered_projects()
    assert (project.id, project.branch, project.specs_path) == ("acme/web", "dev", "docs/specs")
    assert project.sync_interval == datetime.timedelta(minutes=1)
    with pytest.raises(leanspec.NotFoundError):
        db.update_project("no/such", branch="x")

    result = db.import_directory("acme/web", specs_dir)
    assert (result.added, result.updated, result.removed) == (5, 0, 0)
    assert db.registered_projects()[0].spec_count == 5
    assert [s.id for s in db.list(project_id="acme/web", status="planned")] == [
        "001-alpha", "004-child"]
    assert db.get("alpha", project_id="acme/web").title == "Alpha cache"
    assert db.stats(project_id="acme/web").total == 5
    assert db.description.endswith("specs.db")

    assert db.remove_project("acme/web") is True
    assert db.remove_project("acme/web") is False


def _settings(source):
    (project,) = source.registered_projects()
    return (project.branch, project.specs_path, project.sync_interval)


def _open(kind, tmp_path):
    url = f"sqlite:{tmp_path / 'patch.db'}"
    if kind == "database":
        return leanspec.DatabaseSource(url)
    return leanspec.SpecsService(mode=leanspec.SpecsMode.DATABASE, database_url=url)


@pytest.mark.parametrize("kind", ["database", "service"])
def test_update_project_changes_only_the_keywords_given(tmp_path, kind):
    source = _open(kind, tmp_path)
    minute, hour = datetime.timedelta(minutes=1), datetime.timedelta(hours=1)
    source.add_project("acme/web", branch="dev", specs_path="docs/specs", sync_interval=minute)

    source.update_project("acme/web", branch="release")
    assert _settings(source) == ("release", "docs/specs", minute)
    source.update_project("acme/web", specs_path="specs")
    assert _settings(source) == ("release", "specs", minute)
    source.update_project("acme/web", sync_interval=hour)
    assert _settings(source) == ("release", "specs", hour)
    source.update_project("acme/web")  # nothing given: nothing changes
    assert _settings(source) == ("release", "specs", hour)

    with pytest.raises(leanspec.InvalidArgumentError, match="sync interval"):
        source.update_project("acme/web", branch="x", sync_interval=datetime.timedelta(seconds=-1))
    assert _settings(source) == ("release", "specs", hour)
    with pytest.raises(leanspec.NotFoundError, match="nobody/here"):
        source.update_project("nobody/here", branch="x")


@pytest.mark.parametrize("kind", ["database", "service"])
def test_durations_are_a_timedelta_or_seconds_as_int_or_float(tmp_path, kind):
    source = _open(kind, tmp_path)
    source.add_project("acme/web", sync_interval=60)
    assert _settings(source)[2] == datetime.timedelta(minutes=1)
    source.update_project("acme/web", sync_interval=300)
    assert _settings(source)[2] == datetime.timedelta(minutes=5)
    source.update_project("acme/web", sync_interval=90.0)
    assert _settings(source)[2] == datetime.timedelta(seconds=90)
    source.update_project("acme/web", sync_interval=datetime.timedelta(hours=1))
    assert _settings(source)[2] == datetime.timedelta(hours=1)

    with pytest.raises(TypeError):
        source.update_project("acme/web", sync_interval=True)
    with pytest.raises(TypeError):
        source.update_project("acme/web", sync_interval="300")
    for bad in (float("nan"), float("inf"), 1e300):
        with pytest.raises(ValueError, match="finite number of seconds"):
            source.update_project("acme/web", sync_interval=bad)
    with pytest.raises(OverflowError):
        source.update_project("acme/web", sync_interval=10**400)
    with pytest.raises(leanspec.InvalidArgumentError, match="sync interval"):
        source.update_project("acme/web", sync_interval=-1)
    assert _settings(source)[2] == datetime.timedelta(hours=1)


def test_millisecond_durations_take_seconds_too(tmp_path):
    db = leanspec.DatabaseSource(f"sqlite:{tmp_path / 'ms.db'}", recheck=1)
    assert db.description.endswith("ms.db")
    cache = leanspec.CachingSource(db, ttl=2)
    assert cache.inner is db
    with pytest.raises(ValueError):
        leanspec.CachingSource(db, ttl=float("nan"))


def test_the_memory_budget_and_github_app_options_reach_the_service(tmp_path, specs_dir):
    url = f"sqlite:{tmp_path / 'budget.db'}"
    db = leanspec.DatabaseSource(url, cache_bytes=0)  # nothing kept: every read from the file
    db.add_project("acme/web")
    db.import_directory("acme/web", specs_dir)
    service = leanspec.SpecsService(mode=leanspec.SpecsMode.DATABASE, database_url=url,
                                    cache_bytes=0)
    assert [s.id for s in service.list(project_id="acme/web")] == [
        s.id for s in db.list(project_id="acme/web")]
    assert service.list(project_id="acme/web").total == 5
    with pytest.raises(TypeError):
        leanspec.DatabaseSource(url, cache_bytes=-1)

    # An app's key is read when the service opens; a bad one is named, never shown.
    with pytest.raises(leanspec.ConfigError, match="GITHUB_APP_PRIVATE_KEY_FILE"):
        leanspec.SpecsService(mode=leanspec.SpecsMode.DATABASE, database_url=url, github_app_id=7,
                              github_app_private_key_file=str(tmp_path / "missing.pem"))
    secret = "-----BEGIN PRIVATE KEY-----\nnot-a-key-3f9a\n-----END PRIVATE KEY-----\n"
    with pytest.raises(leanspec.ConfigError, match="GITHUB_APP_PRIVATE_KEY") as refused:
        leanspec.SpecsService(mode=leanspec.SpecsMode.DATABASE, database_url=url, github_app_id=7,
                              github_app_private_key=secret, github_app_installation_id=11)
    assert "not-a-key-3f9a" not in str(refused.value)
