"""leanspec.Error and its subclasses: one per error code, each naming what went wrong."""
import pytest

import leanspec

CODES = {
    "InvalidArgumentError": "invalid_argument",
    "NotFoundError": "not_found",
    "AmbiguousError": "ambiguous",
    "ConfigError": "config",
    "IoError": "io",
    "DatabaseError": "database",
    "NetworkError": "network",
    "RateLimitedError": "rate_limited",
    "UnauthorizedError": "unauthorized",
    "ConflictError": "conflict",
    "InternalError": "internal",
}


def test_one_subclass_per_error_code():
    for name, code in CODES.items():
        cls = getattr(leanspec, name)
        assert issubclass(cls, leanspec.Error) and cls.code == code
        assert cls.__module__ == "leanspec"
    assert issubclass(leanspec.Error, Exception)


def test_a_missing_specs_directory_is_not_found(tmp_path):
    with pytest.raises(leanspec.NotFoundError, match="no-such-dir"):
        leanspec.FilesystemSource(tmp_path / "no-such-dir")


def test_bad_keywords_are_invalid_arguments_naming_the_keyword(source):
    with pytest.raises(leanspec.InvalidArgumentError, match="status.*nonsense"):
        source.list(status="nonsense")
    with pytest.raises(leanspec.InvalidArgumentError, match="priority"):
        source.list(priority=["high", 3])
    with pytest.raises(leanspec.InvalidArgumentError, match="tags_match"):
        source.list(tags_match="some")
    with pytest.raises(leanspec.InvalidArgumentError, match="sort"):
        source.list(sort="colour")
    with pytest.raises(leanspec.InvalidArgumentError):
        source.list(cursor="garbage")
    with pytest.raises(leanspec.InvalidArgumentError):
        source.search("(unbalanced")
    with pytest.raises(leanspec.InvalidArgumentError, match="4096 bytes"):
        source.search("x" * (1 << 20))
    with pytest.raises(leanspec.InvalidArgumentError, match="64 terms"):
        source.search(" ".join(f"w{i}" for i in range(65)))
    with pytest.raises(leanspec.InvalidArgumentError, match="8 fuzzy terms"):
        source.search(" ".join(f"w{i}~1" for i in range(9)))
    with pytest.raises(leanspec.InvalidArgumentError):
        source.get("../etc")
    with pytest.raises(TypeError):
        source.list("planned")  # keywords only


def test_unknown_project_is_not_found(source):
    with pytest.raises(leanspec.NotFoundError, match="other"):
        source.list(project_id="other")


def test_bad_database_url_is_a_config_error():
    with pytest.raises(leanspec.ConfigError):
        leanspec.DatabaseSource("mysql://nope")
