"""The interpreter exits cleanly however the module is left at exit: a daemon thread in a call
that returns while the interpreter finalizes, a sync scheduler never stopped; and exit waits for
a call in flight (atexit's _wait_for_calls) before exit() destroys the library's statics."""
import os
import subprocess
import sys
import textwrap

import leanspec

# A daemon thread in sync_now() (an unreachable GitHub: it returns within milliseconds) while
# the main thread exits: the call often returns during finalization, where re-taking the GIL
# ends the thread with pthread_exit. Through a noexcept destructor that aborted the process
# (about 4 runs in 10 before the fix).
DAEMON_IN_CALL = textwrap.dedent("""
    import sys, threading, leanspec
    service = leanspec.SpecsService(mode=leanspec.SpecsMode.DATABASE,
                                    database_url="sqlite:" + sys.argv[1],
                                    github_api_url="http://127.0.0.1:9")
    service.add_project("acme/web")
    service.start_sync()
    threading.Thread(target=lambda: service.sync_now("acme/web"), daemon=True).start()
    sys.exit(0)
""")


def run_child(script, tmp_path, name):
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(leanspec.__file__)))
    return subprocess.run([sys.executable, "-c", script, str(tmp_path / name)], env=env,
                          capture_output=True, text=True, timeout=60)


def test_a_daemon_thread_returning_during_finalization_does_not_abort(tmp_path):
    for attempt in range(20):
        result = run_child(DAEMON_IN_CALL, tmp_path, f"exit-{attempt}.db")
        assert result.returncode == 0, (attempt, result.returncode, result.stderr[-2000:])


def test_exit_waits_for_a_call_in_flight(tmp_path):
    # A GitHub that answers after 0.5 s: sync_now stays inside the library that long, and
    # _wait_for_calls (what atexit runs) says so, then sees it return.
    import http.server
    import threading
    import time

    arrived = threading.Event()

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            arrived.set()
            time.sleep(0.5)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        service = leanspec.SpecsService(mode=leanspec.SpecsMode.DATABASE,
                                        database_url="sqlite:" + str(tmp_path / "wait.db"),
                                        github_api_url=f"http://127.0.0.1:{server.server_port}")
        service.add_project("acme/web")
        caller = threading.Thread(target=lambda: service.sync_now("acme/web"))
        caller.start()
        assert arrived.wait(10), "the sync never reached the server"
        assert leanspec._leanspec._wait_for_calls(0.05) is False  # still inside sync_now
        started = time.monotonic()
        assert leanspec._leanspec._wait_for_calls(10) is True
        assert time.monotonic() - started < 5
        caller.join(10)
    finally:
        server.shutdown()
