"""CachingSource from Python: hits, invalidation, and the inner source it keeps alive."""
import datetime

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
