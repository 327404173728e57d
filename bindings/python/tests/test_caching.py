"""CachingSource from Python: hits, invalidation, and the inner source it keeps alive."""
import datetime

import pytest

import leanspec


def test_hits_counters_and_invalidate(specs_dir):
    cache = leanspec.CachingSource(leanspec.FilesystemSource(specs_dir),
                                   ttl=datetime.timedelta(minutes=1))
    for _ in range(3):
        assert cache.get("1").id == "001-alpha"
    counters = cache.counters()
    assert (counters.hits, counters.misses) == (2, 1)
    cache.invalidate("001-alpha")
    cache.invalidate()
    assert cache.counters().entries == 0
    assert isinstance(cache.inner, leanspec.FilesystemSource)
    assert cache.list().total == 5


def test_invalidate_takes_a_ref_and_the_deprecated_id_keyword(specs_dir):
    cache = leanspec.CachingSource(leanspec.FilesystemSource(specs_dir),
                                   ttl=datetime.timedelta(minutes=1))
    for ref in ("001-alpha", "1", "alpha"):
        cache.get("1")
        cache.invalidate(ref)
        assert cache.counters().entries == 0, ref
    cache.get("1")
    with pytest.warns(DeprecationWarning, match="ref="):
        cache.invalidate(id="001")  # the keyword's old name, kept for one release
    assert cache.counters().entries == 0
