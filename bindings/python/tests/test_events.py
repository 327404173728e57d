"""Change events delivered to a Python callable from the library's thread."""
import queue
import sys
import threading

import leanspec


def watched(specs_dir):
    return leanspec.FilesystemSource(specs_dir, project_id="demo", watch=True, debounce=0.01)


def edit(specs_dir):
    (specs_dir / "001-alpha" / "README.md").write_text("---\nstatus: complete\n---\n# Done\n")


def test_an_edit_reaches_the_callable_on_another_thread(specs_dir):
    source = watched(specs_dir)
    events = queue.Queue()
    with source.subscribe(lambda e: events.put((e, threading.get_ident()))) as sub:
        assert sub.active
        edit(specs_dir)
        event, thread = events.get(timeout=10)
        assert event.project_id == "demo" and event.changed == ["001-alpha"]
        assert thread != threading.get_ident()
        assert event.to_dict()["changed"] == ["001-alpha"]
        assert source.get("1").status == leanspec.Status.COMPLETE
    assert not sub.active


def test_closed_subscriptions_hear_nothing(specs_dir):
    source = watched(specs_dir)
    first, second = queue.Queue(), queue.Queue()
    a = source.subscribe(first.put)
    b = source.subscribe(second.put)
    a.close()
    edit(specs_dir)
    assert second.get(timeout=10).changed == ["001-alpha"]
    assert first.empty()
    b.close()
    b.close()  # twice is fine


def test_an_exception_in_the_callable_is_reported_not_propagated(specs_dir, monkeypatch):
    source = watched(specs_dir)
    reported = queue.Queue()
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.put(u.exc_value))
    after = queue.Queue()

    def bad(event):
        raise ValueError("callback failed")

    with source.subscribe(bad), source.subscribe(after.put):
        edit(specs_dir)
        assert isinstance(reported.get(timeout=10), ValueError)
        assert after.get(timeout=10).changed == ["001-alpha"]  # the thread carried on
    assert source.list().total == 5


def test_unsubscribing_from_inside_the_callable(specs_dir):
    source = watched(specs_dir)
    seen = queue.Queue()
    holder = {}

    def once(event):
        holder["sub"].close()
        seen.put(event)

    holder["sub"] = source.subscribe(once)
    edit(specs_dir)
    assert seen.get(timeout=10).changed == ["001-alpha"]
    assert not holder["sub"].active


def test_a_dropped_subscription_unsubscribes(specs_dir):
    source = watched(specs_dir)
    seen = queue.Queue()
    sub = source.subscribe(seen.put)
    del sub
    keep = queue.Queue()
    with source.subscribe(keep.put):
        edit(specs_dir)
        keep.get(timeout=10)
    assert seen.empty()


def test_caching_source_passes_events_on(specs_dir):
    cache = leanspec.CachingSource(watched(specs_dir))
    assert cache.get("1").status == leanspec.Status.PLANNED
    events = queue.Queue()
    with cache.subscribe(events.put):
        edit(specs_dir)
        events.get(timeout=10)
        assert cache.get("1").status == leanspec.Status.COMPLETE  # invalidated before delivery
