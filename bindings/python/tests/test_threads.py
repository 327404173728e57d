"""Many Python threads calling one source at once (the GIL is released inside the calls)."""
import threading

import leanspec


def test_many_threads_calling_at_once(specs_dir):
    source = leanspec.CachingSource(leanspec.FilesystemSource(specs_dir))
    errors = []
    barrier = threading.Barrier(8)

    def work():
        try:
            barrier.wait()
            for _ in range(200):
                assert source.list().total == 5
                assert source.get("2").id == "002-beta"
                assert source.search("cache")[0].spec.id == "001-alpha"
                assert source.stats().total == 5
                assert source.get("999") is None
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []


def test_the_gil_is_released_while_the_library_works(specs_dir):
    # While one thread loads a big tree, another keeps running Python code.
    for i in range(300):
        folder = specs_dir / f"{100 + i:03d}-bulk"
        folder.mkdir()
        (folder / "README.md").write_text(f"---\nstatus: planned\n---\n# Bulk {i}\n" + "x " * 2000)
    ticks = 0
    done = threading.Event()

    def load():
        for _ in range(5):
            leanspec.FilesystemSource(specs_dir, threads=1).search("bulk", limit=0)
        done.set()

    t = threading.Thread(target=load)
    t.start()
    while not done.is_set():
        ticks += 1
        done.wait(0.001)
    t.join()
    assert ticks > 1
