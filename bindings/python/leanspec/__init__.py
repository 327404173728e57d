"""libleanspec for Python: LeanSpec specs from a directory or a database.

    import leanspec
    source = leanspec.FilesystemSource("specs")
    for spec in source.list(status="planned", tags=["api"]):
        print(spec.id, spec.title, spec.created_at)
    spec = source.get("18")              # id, number or slug; None when nothing matches
    hits = source.search("cache status:planned", limit=10)

The classes come from the C++ core (leanspec._leanspec); this file adds the Python idioms:
iteration over sources, ``to_dict()`` (the JSON shape every front-end shares, camelCase
keys) and ``__repr__``. Every call is thread-safe and releases the GIL while the library
works. Failures raise a subclass of :class:`leanspec.Error`, one per error code.
"""

import atexit as _atexit
import json as _json

from . import _leanspec
from ._leanspec import *  # noqa: F401,F403  (the whole C++ API)
from ._leanspec import (
    CachingSource,
    ChangeEvent,
    DatabaseSource,
    Diagnostic,
    FilesystemSource,
    Project,
    Relationships,
    CacheStats,
    SearchHit,
    ServedProject,
    ServiceHealth,
    SearchResult,
    Spec,
    SpecList,
    SpecSource,
    Stats,
    SyncRun,
    WebhookResult,
    __version__,
)

__all__ = [name for name in dir(_leanspec) if not name.startswith("_")] + ["__version__"]

# At interpreter exit, threads still inside a call (daemon threads) get up to 5 s to return
# before exit() destroys the static objects they use (src/calls_in_flight.cpp).
_atexit.register(_leanspec._wait_for_calls, 5.0)


def _to_dict(self, **kwargs):
    """The JSON object of this value as a dict (the keys of to_json(): camelCase)."""
    return _json.loads(self.to_json(**kwargs))


for _cls in (Spec, SpecList, SearchResult, Stats, Relationships, Diagnostic, Project, ChangeEvent,
             ServiceHealth, ServedProject, CacheStats, SyncRun, WebhookResult):
    _cls.to_dict = _to_dict


def _sequence_iter(self):
    for i in range(len(self)):
        yield self[i]


SpecList.__iter__ = _sequence_iter
SearchResult.__iter__ = _sequence_iter


def _source_iter(self):
    """Every spec of the default project, by number."""
    return iter(self.list())


def _pages(self, page_size=100, **filters):
    """Yields the specs of list(**filters), fetching `page_size` at a time."""
    cursor = ""
    while True:
        page = self.list(limit=page_size, cursor=cursor, **filters)
        yield from page
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


SpecSource.__iter__ = _source_iter
SpecSource.pages = _pages

Spec.__repr__ = lambda s: f"<Spec {s.id} {s.status.text} {s.title!r}>"
SpecList.__repr__ = lambda l: f"<SpecList {len(l)} of {l.total}>"
SearchHit.__repr__ = lambda h: f"<SearchHit {h.spec.id} score={h.score:.3g}>"
SearchResult.__repr__ = lambda r: f"<SearchResult {len(r)} of {r.total}>"
Diagnostic.__repr__ = lambda d: f"<Diagnostic {d.severity.text} {d.code} {d.file}:{d.line}>"
ChangeEvent.__repr__ = lambda e: (
    f"<ChangeEvent {e.project_id} v{e.version} +{len(e.added)} ~{len(e.changed)} "
    f"-{len(e.removed)}>"
)
Project.__repr__ = lambda p: f"<Project {p.id}>"
SyncRun.__repr__ = lambda r: (
    f"<SyncRun {r.id} {r.project_id} {r.outcome.text} +{r.added} ~{r.updated} -{r.removed}>"
)
WebhookResult.__repr__ = lambda r: f"<WebhookResult {r.status} {r.action.text} {r.message!r}>"

del _cls
