"""SpecsService's GitHub sync and webhooks from Python: a real git repository served by the fake
GitHub (tests/support/fake_github.py) over loopback, synced into a real SQLite file."""
import datetime
import hashlib
import hmac
import json
import os
import pathlib
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

import leanspec

FAKE_GITHUB = pathlib.Path(__file__).resolve().parents[3] / "tests" / "support" / "fake_github.py"
TOKEN = "ghp_pythonTestToken0123456789"
SECRET = "hook-secret"
GIT_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "pytest",
    "GIT_AUTHOR_EMAIL": "pytest@test.invalid",
    "GIT_COMMITTER_NAME": "pytest",
    "GIT_COMMITTER_EMAIL": "pytest@test.invalid",
}


class FakeGithub:
    """A git repository in `root` and the fake GitHub serving it (stopped by close())."""

    def __init__(self, root: pathlib.Path, files: dict):
        self.repo = root / "repo"
        self._git("init", "-q", "-b", "main", str(self.repo), cwd=root)
        self.commit(files, "initial")
        self.process = subprocess.Popen(
            [sys.executable, str(FAKE_GITHUB), "--repo", str(self.repo), "--owner", "acme",
             "--name", "web", "--token", TOKEN, "--parent-pid", str(os.getpid())],
            stdout=subprocess.PIPE, env=GIT_ENV)
        line = self.process.stdout.readline().decode()  # "API_PORT CODELOAD_PORT"
        if not line.strip():
            self.process.kill()
            raise RuntimeError("fake_github.py printed no port line")
        self.api_url = f"http://127.0.0.1:{int(line.split()[0])}"

    def _git(self, *args, cwd=None):
        return subprocess.run(["git", *args], cwd=cwd or self.repo, env=GIT_ENV, check=True,
                              capture_output=True, text=True).stdout.strip()

    def commit(self, files: dict, message: str) -> str:
        for relative, content in files.items():
            path = self.repo / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        self._git("add", "-A")
        self._git("commit", "-q", "-m", message)
        return self.head()

    def head(self) -> str:
        return self._git("rev-parse", "HEAD")

    def configure(self, **settings):
        request = urllib.request.Request(self.api_url + "/_admin/config",
                                         data=json.dumps(settings).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200

    def close(self):
        self.process.terminate()
        assert self.process.wait(timeout=30) == 0
        self.process.stdout.close()


@pytest.fixture
def github(tmp_path):
    server = FakeGithub(tmp_path, {
        "specs/001-alpha/README.md": "---\nstatus: planned\n---\n# Alpha\n",
        "specs/002-beta/README.md": "---\nstatus: draft\ndepends_on: [001-alpha]\n---\n# Beta\n",
        "README.md": "# acme/web\n",
    })
    yield server
    server.close()


@pytest.fixture
def service(github, tmp_path):
    # cache_ttl 0: what the scheduler syncs on its own threads shows at once
    svc = leanspec.SpecsService(mode=leanspec.SpecsMode.DATABASE,
                                database_url=f"sqlite:{tmp_path / 'sync.db'}",
                                github_api_url=github.api_url, github_token=TOKEN,
                                webhook_secrets=[SECRET], cache_ttl=datetime.timedelta(0))
    svc.add_project("acme/web")
    return svc


def signed(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def test_sync_now_gives_the_specs_and_sync_runs_lists_the_runs(service, github):
    service.update_project("acme/web", sync_interval=datetime.timedelta(hours=2))
    (project,) = service.registered_projects()
    assert project.sync_interval == datetime.timedelta(hours=2) and project.branch == "main"
    with pytest.raises(leanspec.NotFoundError):
        service.update_project("no/such", branch="x")
    assert service.sync_runs("acme/web") == []

    run = service.sync_now("acme/web")
    assert isinstance(run, leanspec.SyncRun)
    assert run.outcome == leanspec.SyncOutcome.OK, run.error
    assert (run.added, run.updated, run.removed) == (2, 0, 0)
    assert run.commit_sha == github.head() and run.error == "" and run.id > 0
    assert run.commit == run.commit_sha  # the deprecated name, for one release
    assert run.requests > 0 and run.bytes > 0
    assert isinstance(run.duration, datetime.timedelta)
    assert run.started_at.tzinfo is not None and run.ended_at >= run.started_at
    assert run.retry_at is None
    (project,) = service.registered_projects()
    assert project.commit_sha == run.commit
    with pytest.deprecated_call():
        assert project.last_commit == project.commit_sha
    assert [s.id for s in service.list()] == ["001-alpha", "002-beta"]
    assert service.get("1").title == "Alpha"

    again = service.sync_now("acme/web")
    assert again.outcome == leanspec.SyncOutcome.NOT_MODIFIED
    assert (again.requests, again.not_modified) == (1, 1)

    runs = service.sync_runs("acme/web")
    assert [r.id for r in runs] == [again.id, run.id]  # newest first
    assert [r.outcome for r in runs] == [leanspec.SyncOutcome.NOT_MODIFIED,
                                         leanspec.SyncOutcome.OK]
    assert runs[1].commit_sha == run.commit_sha and runs[1].added == 2
    assert [r.id for r in service.sync_runs("acme/web", limit=1)] == [again.id]
    assert len(service.sync_runs("acme/web", limit=0)) == 2
    assert service.sync_runs("other/repo") == []

    # to_dict(): the JSON every front-end shares (camelCase, times in unix ms)
    as_dict = runs[1].to_dict()
    assert list(as_dict) == ["id", "projectId", "outcome", "startedAt", "endedAt", "added",
                             "updated", "removed", "requests", "notModified", "bytes",
                             "durationMs", "rateLimitRemaining", "path", "commitSha", "commit",
                             "retryAt", "error"]
    assert as_dict["outcome"] == "ok" and as_dict["error"] is None
    assert as_dict["startedAt"] == int(runs[1].started_at.timestamp() * 1000)
    assert as_dict["commitSha"] == github.head()
    assert as_dict["commit"] == as_dict["commitSha"]  # deprecated, for one release
    assert TOKEN not in runs[1].to_json()
    assert "SyncRun" in repr(run) and run.outcome.text == "ok"

    with pytest.raises(leanspec.NotFoundError, match="no/such"):
        service.sync_now("no/such")
    with pytest.raises(leanspec.NotFoundError):
        service.request_sync("no/such")


def test_sync_now_releases_the_gil(service, github):
    # Each request waits 300 ms at the server, so the sync stays under way for a while; another
    # Python thread sees it as RUNNING in sync_runs() only if sync_now let go of the GIL.
    github.configure(latency_ms=300)
    result = {}
    worker = threading.Thread(target=lambda: result.update(run=service.sync_now("acme/web")))
    worker.start()
    seen_running = None
    while worker.is_alive() and seen_running is None:
        running = [r for r in service.sync_runs("acme/web")
                   if r.outcome == leanspec.SyncOutcome.RUNNING]
        if running:
            seen_running = running[0]
        time.sleep(0.01)
    worker.join()
    assert seen_running is not None, "no other thread ran during sync_now"
    assert seen_running.ended_at is None and seen_running.started_at is not None
    assert result["run"].outcome == leanspec.SyncOutcome.OK
    assert result["run"].id == seen_running.id


def test_webhooks_reject_forgeries_answer_pings_and_queue_pushes(service, github):
    ping = b'{"zen":"Keep it logically awesome.","hook_id":7}'
    forged = service.handle_webhook({"X-GitHub-Event": "ping", "X-GitHub-Delivery": "d-1",
                                     "X-Hub-Signature-256": signed(ping, "not-the-secret")}, ping)
    assert isinstance(forged, leanspec.WebhookResult)
    assert forged.action == leanspec.WebhookAction.REJECTED and 400 <= forged.status < 500
    assert SECRET not in forged.message
    unsigned = service.handle_webhook({"X-GitHub-Event": "ping", "X-GitHub-Delivery": "d-2"}, ping)
    assert unsigned.action == leanspec.WebhookAction.REJECTED

    # headers as a list of pairs (names in any case), the body as bytes or any buffer
    pong = service.handle_webhook([("x-github-event", "ping"), ("X-GitHub-Delivery", "d-3"),
                                   ("x-hub-signature-256", signed(ping))], bytearray(ping))
    assert (pong.status, pong.action) == (200, leanspec.WebhookAction.PING)
    assert pong.to_dict() == {"status": 200, "action": "ping", "message": pong.message,
                              "projectId": None}
    longer = service.handle_webhook({"X-GitHub-Event": "ping", "X-GitHub-Delivery": "d-4",
                                     "X-Hub-Signature-256": signed(ping)}, memoryview(ping + b" "))
    assert longer.action == leanspec.WebhookAction.REJECTED  # the signature covers every byte

    with pytest.raises(leanspec.InvalidArgumentError, match="body"):
        service.handle_webhook({"X-GitHub-Event": "ping"}, ping.decode())
    with pytest.raises(leanspec.InvalidArgumentError, match=r"headers\[0\]"):
        service.handle_webhook([("X-GitHub-Event",)], ping)
    with pytest.raises(leanspec.InvalidArgumentError, match="headers"):
        service.handle_webhook({"X-GitHub-Event": 1}, ping)

    # a signed push that changes a spec queues a sync, which the scheduler runs
    service.sync_now("acme/web")
    before = github.head()
    after = github.commit({"specs/001-alpha/README.md": "---\nstatus: planned\n---\n# Alpha two\n"},
                          "retitle alpha")
    changed = {"added": [], "removed": [], "modified": ["specs/001-alpha/README.md"]}
    push = json.dumps({"ref": "refs/heads/main", "before": before, "after": after,
                       "created": False, "deleted": False, "forced": False,
                       "repository": {"full_name": "acme/web"},
                       "commits": [{"id": after, **changed}],
                       "head_commit": {"id": after, **changed}}).encode()
    headers = {"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-5",
               "X-Hub-Signature-256": signed(push)}
    queued = service.handle_webhook(headers, push)
    assert queued.action == leanspec.WebhookAction.QUEUED and 200 <= queued.status < 300
    assert queued.project_id == "acme/web"
    assert service.handle_webhook(headers, push).action != leanspec.WebhookAction.QUEUED

    service.start_sync()
    try:
        deadline = time.monotonic() + 60
        latest = None
        while time.monotonic() < deadline:
            latest = service.sync_runs("acme/web", limit=1)[0]
            if latest.commit_sha == after and latest.outcome == leanspec.SyncOutcome.OK:
                break
            time.sleep(0.1)
        assert latest.commit_sha == after and latest.outcome == leanspec.SyncOutcome.OK
        assert (latest.updated, latest.added) == (1, 0)
    finally:
        service.stop_sync()
    assert service.get("1").title == "Alpha two"


def test_a_filesystem_service_has_no_sync(specs_dir):
    service = leanspec.SpecsService(specs_dir=specs_dir, webhook_secrets=[SECRET])
    with pytest.raises(leanspec.NotFoundError, match="database mode is off"):
        service.start_sync()
    service.stop_sync()  # nothing to stop
    with pytest.raises(leanspec.NotFoundError):
        service.sync_now("acme/web")
    with pytest.raises(leanspec.NotFoundError):
        service.sync_runs("acme/web")
    with pytest.raises(leanspec.NotFoundError):
        service.update_project("acme/web", branch="dev")
    ping = b'{"zen":"x"}'
    answer = service.handle_webhook({"X-GitHub-Event": "ping", "X-Hub-Signature-256": signed(ping)},
                                    ping)
    assert (answer.status, answer.action) == (404, leanspec.WebhookAction.REJECTED)


def test_non_ascii_folder_and_file_names_come_through_the_tarball(tmp_path):
    # A first sync reads the tarball; its names are pax records in UTF-8, as tar writers send.
    server = FakeGithub(tmp_path, {
        "specs/001-café-crème/README.md": "---\nstatus: planned\n---\n# Café\n",
        "specs/001-café-crème/ñotes-日本語.md": "# Ñotes\n",
        "specs/002-beta/README.md": "---\nstatus: draft\n---\n# Beta\n",
    })
    try:
        server.configure(tarball_format="pax")
        svc = leanspec.SpecsService(mode=leanspec.SpecsMode.DATABASE,
                                    database_url=f"sqlite:{tmp_path / 'utf8.db'}",
                                    github_api_url=server.api_url, github_token=TOKEN)
        svc.add_project("acme/web")
        run = svc.sync_now("acme/web")
        assert run.outcome == leanspec.SyncOutcome.OK, run.error
        assert (run.path, run.added) == ("tarball", 2)
        assert [s.id for s in svc.list()] == ["001-café-crème", "002-beta"]
        assert svc.get("1").title == "Café"
    finally:
        server.close()


def test_a_sync_past_its_deadline_fails_naming_it(tmp_path):
    server = FakeGithub(tmp_path, {"specs/001-alpha/README.md": "---\nstatus: planned\n---\n# A\n"})
    try:
        server.configure(endpoint_latency_ms={"codeload": 60000})  # the tarball never comes
        svc = leanspec.SpecsService(mode=leanspec.SpecsMode.DATABASE,
                                    database_url=f"sqlite:{tmp_path / 'deadline.db'}",
                                    github_api_url=server.api_url, github_token=TOKEN,
                                    sync_deadline=datetime.timedelta(milliseconds=1500))
        svc.add_project("acme/web")
        run = svc.sync_now("acme/web")
        assert run.outcome == leanspec.SyncOutcome.ERROR
        assert "deadline of 1500 ms" in run.error
        assert len(svc.list()) == 0
    finally:
        server.close()
