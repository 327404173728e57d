#!/usr/bin/python3
"""A fake GitHub REST API (v3) over a real git repository, for tests and benchmarks.

    /usr/bin/python3 fake_github.py --repo PATH [--owner acme] [--name web] [--token T]
                                    [--max-tree-entries N] [--tarball-format git|pax]
                                    [--parent-pid PID]

Standard library only. Two listeners on 127.0.0.1, both bound to port 0; the first line on
stdout is "API_PORT CODELOAD_PORT" (then stdout is closed). SIGTERM (or SIGINT, or the death of
--parent-pid) stops both cleanly with exit status 0.

Every answer comes from git at request time (`git rev-parse`, `cat-file`, `ls-tree`, `diff`,
`archive`), so SHAs are real git SHAs and committing to the repository (bare or not) is a push.

API listener (http://127.0.0.1:API_PORT), shaped like api.github.com:
  GET /repos/{o}/{r}                      full_name, default_branch, size (KB), ...
  GET /repos/{o}/{r}/branches/{b}         {name, commit: {sha, commit: {tree: {sha}}}}
  GET /repos/{o}/{r}/commits/{ref}        a commit; `Accept: application/vnd.github.sha` -> SHA
  GET /repos/{o}/{r}/git/trees/{sha}      ?recursive=1; `truncated` past --max-tree-entries
  GET /repos/{o}/{r}/git/blobs/{sha}      base64 (60-char lines); `...vnd.github.raw` -> bytes
  GET /repos/{o}/{r}/contents/{path}      ?ref=; a file (base64 or raw) or a directory listing
  GET /repos/{o}/{r}/compare/{b}...{h}    files (added/modified/removed/renamed), at most 300
  GET /repos/{o}/{r}/tarball/{ref}        302 to the codeload listener
  GET /repos/{o}/{r}/git/commits/{sha}    a git commit: {sha, tree: {sha}, parents, message}
Writes (the Git Data API and pull requests), made with git plumbing in the repository, with
GitHub's answers: 201 on success; 404 for an unknown repository; 422 for a field that is
missing or names no object ("Validation Failed", "Object does not exist", ...), a ref update
that is not a fast forward ("Update is not a fast forward") and a ref that exists already
("Reference already exists"); 409 "Git Repository is empty." while `empty_repository` is set;
403 "Resource not accessible by personal access token" while `read_only` is set.
  POST  /repos/{o}/{r}/git/blobs          {content, encoding: utf-8|base64} -> {sha, url}
  POST  /repos/{o}/{r}/git/trees          {base_tree?, tree: [{path, mode, type, sha|content}]}
  POST  /repos/{o}/{r}/git/commits        {message, tree, parents: [sha]} -> {sha, tree, ...}
  PATCH /repos/{o}/{r}/git/refs/heads/{b} {sha, force?}; the work tree follows its branch
  POST  /repos/{o}/{r}/git/refs           {ref: "refs/heads/x", sha}
  POST  /repos/{o}/{r}/pulls              {title, head, base, body?} -> {number, html_url, ...}
Codeload listener (http://127.0.0.1:CODELOAD_PORT):
  GET /{o}/{r}/legacy.tar.gz/{sha}        git archive --format=tar.gz --prefix={o}-{r}-{sha7}/

Every GET answer carries a strong ETag (a hash of the body); a matching If-None-Match gets a
304, which costs no rate limit. API answers carry X-RateLimit-Limit/Remaining/Reset/Used.

Controls, on the API listener (never counted, never limited, no token needed):
  POST /_admin/config  JSON, every key optional; a key present replaces that setting:
      latency_ms      int    delay before each answer (both listeners)
      endpoint_latency_ms {endpoint: ms}  more delay for that endpoint's answers (endpoint
                                names below), e.g. {"codeload": 30000} for a hanging download
      fail_rate       float  share of requests answered 502 (both listeners), with...
      fail_seed       int    ...this random seed (reseeded whenever it is given)
      fail_all        bool   every request answered 502 (both listeners)
      fail_paths      {path: n}  the next n requests for that path (no query) answered 502
      token           str|null  required token ("Authorization: Bearer T" or "token T"), else 401
      rate_limit      int|null  primary limit: requests left (each non-304 API answer costs
                                one); at 0 -> 403 "API rate limit exceeded", Remaining: 0
      rate_limit_reset int   unix time sent as X-RateLimit-Reset (default: now + 3600)
      secondary_after int|null  after this many more API requests, every API request gets
                                403 "You have exceeded a secondary rate limit" without
                                rate-limit headers
      secondary_retry_after int|str|null  Retry-After sent with the secondary 403 (seconds,
                                or a string such as an HTTP date, sent as given)
      max_tree_entries int   entries per tree answer before `truncated` (0: 100000)
      redirects       {path: location}  API paths answered 302 to that Location (after the
                                token and limit checks), e.g. to test redirect rules
    Hostile answers (each null or absent: off), for the sync's validation:
      corrupt         {endpoint: mode}  every 200 answer of that endpoint (commit, tree, blob,
                                contents, codeload) spoiled: "truncate" (its first half),
                                "html" (an HTML error page, content type unchanged)
      blob_content    str    the `content` of every blob and file-contents answer, as given
                                (e.g. not base64); `size` stays the real one
      blob_bytes      int    every blob and file-contents answer carries this many 'x' bytes
                                (base64) instead of the file; `size` stays the real one
      tree_entries    [entry, ...]  into every recursive tree answer: an entry with
                                "patch": true updates the fields of the entry at its path;
                                others are appended as given (missing fields: mode 100644,
                                type blob, size 0, the SHA of the first blob). "{token}" in a
                                path becomes the token the request carried
      tarball_members [member, ...]  into every codeload tarball: {"name", "type": "file"
                                (default) | "symlink" | "hardlink" | "dir", "data": str or
                                "size": n ('x' bytes), "target": link target}; "{prefix}" in a
                                name becomes the archive's folder ("acme-web-abc1234/"). A
                                member replaces the one of its name, else it is appended
      read_only       bool   every write answered 403 "Resource not accessible by personal
                                access token" (a token without contents: write)
      empty_repository bool  every write answered 409 "Git Repository is empty."
      blob_sha        str|null  the SHA every created blob's answer names, as given (a lie)
      tarball_format  str    "git" (default): codeload sends `git archive` as it is (names
                                in ustar headers, raw UTF-8); "pax": every member rewritten
                                in the pax format (Python's tarfile), so a non-ASCII name
                                travels as a pax `path` record in UTF-8, as tar writers do
    A fleet (many projects against one fake; see fleet_* below):
      any_repo        bool   every /repos/{o}/{r} (and codeload /{o}/{r}/...) is served from
                                the one repository, as a fleet of identical repositories
      secondary_concurrency int|null  API requests in progress at once before GitHub's
                                secondary limit: one more gets 403 "You have exceeded a
                                secondary rate limit" with Retry-After
      secondary_points_per_minute int|null  points (a GET 1, other methods 5) of admitted
                                API requests in any 60 s before that 403
      secondary_limit_retry_after int  its Retry-After, seconds (default 60)
    GitHub App authentication (see FakeApp; off until `app` is given):
      app             {"id": n, "modulus": hex, "exponent": n, "installation_id": n,
                       "token_ttl_s": n} | null   an app: its JWTs (RS256, checked against
                                this public key with integer arithmetic, iat/exp checked) get
                                POST /app/installations/{id}/access_tokens (201 {token,
                                expires_at}) and GET /repos/{o}/{r}/installation; every other
                                API request then needs a live installation token (else 401)
      app_token_ttl_s int    lifetime of the tokens issued from now on (default 3600)
      app_revoke_tokens true revokes every token issued so far
      app_revoke_after int   after this many more requests with an installation token, every
                                token issued so far is revoked (a 401 mid-sync)
      app_refuse_tokens bool every installation token is answered 401 (new ones too)
      app_installed   bool   false: the app is uninstalled (lookup and access_tokens 404,
                                tokens revoked)
  POST /_admin/reset   zeroes the counters below (settings stay)
  GET  /_admin/stats   {"requests": {endpoint: n}, "total", "not_modified", "failed",
                        "rate_limited", "unauthorized", "connections", "codeload_connections"
                        (TCP connections that carried a non-admin request),
                        "max_concurrent", "codeload_authorization": [header or null, ...],
                        "api_authorization_missing": n, "paths": [path, ...] (arrival order),
                        "by_status": {"200": n, "304": n, ...} (API answers by status),
                        "conditional": n (API requests with If-None-Match),
                        "primary_counted": n (API answers that cost the primary limit: the
                        routes' answers but 304s; not 401s, limit 403s or 502s),
                        "secondary_limited": n (403s of
                        secondary_concurrency / secondary_points_per_minute),
                        "app": null | {"access_tokens", "installation_lookups", "jwt_rejected",
                        "token_rejected": n, "tokens": [issued token, ...], "jwts": [JWT
                        received, ...]}}
                        "pulls": [{"number", "title", "head", "base", "body"}, ...] (opened)
  endpoint names: repo, branch, commit, tree, blob, contents, compare, tarball, codeload,
  git_commit, create_blob, create_tree, create_commit, update_ref, create_ref, create_pull,
  other
"""

import argparse
import base64
import gzip
import hashlib
import http.server
import io
import json
import os
import random
import re
import signal
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.parse

SHA_RE = re.compile(r"^[0-9a-f]{40}$")
DEFAULT_MAX_TREE_ENTRIES = 100000
MAX_COMPARE_FILES = 300


class GitError(Exception):
    pass


class Git:
    """git commands on one repository (bare or with a work tree)."""

    def __init__(self, repo):
        self.repo = repo

    def run(self, *args, check=True):
        proc = subprocess.run(["git", "-C", self.repo, *args], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
        if check and proc.returncode != 0:
            raise GitError(proc.stderr.decode(errors="replace").strip())
        return proc.stdout

    def resolve(self, ref, kind="commit"):
        """The SHA of `ref` peeled to `kind`, or None."""
        if not ref or ref.startswith("-"):
            return None
        out = self.run("rev-parse", "--verify", "--quiet", "--end-of-options",
                       ref + "^{" + kind + "}", check=False)
        sha = out.decode().strip()
        return sha if SHA_RE.match(sha) else None

    def object_type(self, sha):
        if not SHA_RE.match(sha):
            return None
        out = self.run("cat-file", "-t", sha, check=False).decode().strip()
        return out or None

    def default_branch(self):
        out = self.run("symbolic-ref", "--short", "HEAD", check=False).decode().strip()
        return out or "main"

    def commit_info(self, sha):
        fmt = "%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B"
        fields = self.run("show", "-s", "--format=" + fmt, sha).decode().split("\x00")
        return {"sha": fields[0], "tree": fields[1], "parents": fields[2].split(),
                "author": {"name": fields[3], "email": fields[4], "date": fields[5]},
                "committer": {"name": fields[6], "email": fields[7], "date": fields[8]},
                "message": fields[9].rstrip("\n")}

    def ls_tree(self, sha, recursive):
        args = ["ls-tree", "-l", "-z"] + (["-r", "-t"] if recursive else []) + [sha]
        entries = []
        for record in self.run(*args).split(b"\x00"):
            if not record:
                continue
            meta, path = record.split(b"\t", 1)
            mode, kind, obj, size = meta.decode().split()
            entries.append({"path": path.decode("utf-8", errors="surrogateescape"),
                            "mode": mode, "type": kind, "sha": obj,
                            "size": None if size == "-" else int(size)})
        return entries

    def blob(self, sha):
        return self.run("cat-file", "blob", sha)

    def write(self, *args, data=b"", env=None):
        """A git command that writes objects or refs: `data` on stdin, `env` added."""
        proc = subprocess.run(["git", "-C", self.repo, *args], input=data,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env={**os.environ, **(env or {})})
        if proc.returncode != 0:
            raise GitError(proc.stderr.decode(errors="replace").strip())
        return proc.stdout.decode().strip()

    def is_ancestor(self, old, new):
        return subprocess.run(["git", "-C", self.repo, "merge-base", "--is-ancestor", old, new],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0

    def is_bare(self):
        return self.run("rev-parse", "--is-bare-repository").decode().strip() == "true"

    def repo_size_kb(self, sha):
        total = sum(e["size"] or 0 for e in self.ls_tree(sha, True) if e["type"] == "blob")
        return (total + 1023) // 1024

    def diff(self, base, head):
        """[(status letter, old path, new path, old sha, new sha)] of base...head."""
        out = self.run("diff", "--raw", "-z", "-M", "--no-abbrev", base + "..." + head)
        parts = out.split(b"\x00")
        changes = []
        i = 0
        while i < len(parts) and parts[i]:
            meta = parts[i].decode().lstrip(":").split()
            status = meta[4][0]
            old = parts[i + 1].decode("utf-8", errors="surrogateescape")
            if status in "RC":
                new = parts[i + 2].decode("utf-8", errors="surrogateescape")
                i += 3
            else:
                new = old
                i += 2
            changes.append((status, old, new, meta[2], meta[3]))
        return changes


class State:
    """Settings and counters shared by every handler thread."""

    def __init__(self, args):
        self.lock = threading.Lock()
        self.git = Git(args.repo)
        self.owner = args.owner
        self.name = args.name
        self.api_base = ""
        self.codeload_base = ""
        self.latency_ms = 0
        self.fail_rate = 0.0
        self.random = random.Random(0)
        self.fail_all = False
        self.token = args.token
        self.rate_limit = None
        self.rate_limit_total = 5000
        self.rate_limit_reset = None
        self.secondary_after = None
        self.secondary_retry_after = None
        self.max_tree_entries = args.max_tree_entries
        self.redirects = {}
        self.fail_paths = {}
        self.corrupt = None
        self.blob_content = None
        self.blob_bytes = None
        self.tree_entries = None
        self.tarball_members = None
        self.endpoint_latency_ms = {}
        self.tarball_format = args.tarball_format
        self.read_only = False
        self.empty_repository = False
        self.blob_sha = None
        self.write_lock = threading.Lock()  # one write's git plumbing at a time
        self.fleet_init()
        self.app = None  # a FakeApp once the `app` setting is given
        self.reset_counters()

    def reset_counters(self):
        self.requests = {}
        self.total = 0
        self.not_modified = 0
        self.failed = 0
        self.rate_limited = 0
        self.unauthorized = 0
        self.connections = 0
        self.codeload_connections = 0
        self.in_flight = 0
        self.max_concurrent = 0
        self.codeload_authorization = []
        self.api_authorization_missing = 0
        self.paths = []
        self.pulls = []
        self.fleet_reset_counters()

    def configure(self, changes):
        with self.lock:
            for key, value in changes.items():
                if key == "fail_seed":
                    self.random = random.Random(value)
                elif key.startswith("app"):
                    self.app = FakeApp.configure(self.app, key, value)
                elif key == "tarball_format" and value not in ("git", "pax"):
                    raise ValueError("tarball_format: 'git' or 'pax', not " + repr(value))
                elif key in ("latency_ms", "endpoint_latency_ms", "tarball_format", "fail_rate", "fail_all", "token", "rate_limit",
                             "rate_limit_reset", "secondary_after", "secondary_retry_after",
                             "max_tree_entries", "redirects", "fail_paths", "corrupt",
                             "blob_content", "blob_bytes", "tree_entries", "tarball_members",
                             "read_only", "empty_repository", "blob_sha") \
                        or key in self.FLEET_SETTINGS:
                    setattr(self, key, value)
                else:
                    raise ValueError("unknown setting " + key)

    def stats(self):
        with self.lock:
            return {"requests": dict(self.requests), "total": self.total,
                    "not_modified": self.not_modified, "failed": self.failed,
                    "rate_limited": self.rate_limited, "unauthorized": self.unauthorized,
                    "connections": self.connections,
                    "codeload_connections": self.codeload_connections,
                    "max_concurrent": self.max_concurrent,
                    "codeload_authorization": list(self.codeload_authorization),
                    "api_authorization_missing": self.api_authorization_missing,
                    "paths": list(self.paths), "pulls": list(self.pulls),
                    **self.fleet_stats(),
                    "app": self.app.stats() if self.app is not None else None}

    # ---- a fleet: many repositories, GitHub's secondary limits, counts by status ------------
    FLEET_SETTINGS = ("any_repo", "secondary_concurrency", "secondary_points_per_minute",
                      "secondary_limit_retry_after")

    def fleet_init(self):
        self.any_repo = False
        self.secondary_concurrency = None
        self.secondary_points_per_minute = None
        self.secondary_limit_retry_after = 60
        self.api_in_flight = 0
        self.points_window = []  # (monotonic time, points) of admitted API requests, 60 s

    def fleet_reset_counters(self):
        self.by_status = {}
        self.conditional = 0
        self.primary_counted = 0
        self.secondary_limited = 0

    def fleet_stats(self):
        return {"by_status": dict(self.by_status), "conditional": self.conditional,
                "primary_counted": self.primary_counted,
                "secondary_limited": self.secondary_limited}

    def fleet_repo_ok(self, owner, name):
        return self.any_repo or (owner == self.owner and name == self.name)

    def fleet_admit(self, method):
        """With the lock held: None when the API request may proceed (then counted in flight
        and in the minute's points; fleet_done() ends it), else GitHub's secondary 403."""
        now = time.monotonic()
        self.points_window = [(t, p) for t, p in self.points_window if t > now - 60]
        points = 1 if method in ("GET", "HEAD", "OPTIONS") else 5
        over = ((self.secondary_concurrency is not None and
                 self.api_in_flight >= self.secondary_concurrency) or
                (self.secondary_points_per_minute is not None and
                 sum(p for _, p in self.points_window) + points >
                 self.secondary_points_per_minute))
        if over:
            self.secondary_limited += 1
            self.rate_limited += 1
            return Answer(403, {"message": "You have exceeded a secondary rate limit. Please "
                                           "wait a few minutes before you try again.",
                                "documentation_url": "https://docs.github.com/rest"},
                          headers={"Retry-After": self.secondary_limit_retry_after})
        self.api_in_flight += 1
        self.points_window.append((now, points))
        return None

    def fleet_done(self):
        with self.lock:
            self.api_in_flight -= 1

    def fleet_count(self, status):
        with self.lock:
            key = str(status)
            self.by_status[key] = self.by_status.get(key, 0) + 1


class Answer(Exception):
    """An HTTP answer raised from deep inside a route."""

    def __init__(self, status, body, content_type="application/json; charset=utf-8",
                 headers=None):
        super().__init__(status)
        self.status = status
        self.body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.content_type = content_type
        self.headers = headers or {}


def not_found(message="Not Found"):
    return Answer(404, {"message": message,
                        "documentation_url": "https://docs.github.com/rest"})


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every answer carries Content-Length
    server_version = "fake-github/1"
    state = None  # set on the subclass per listener
    codeload = False

    def log_message(self, *args):
        pass

    def setup(self):
        super().setup()
        self.counted = False  # one handler per connection: counted at its first non-admin request

    # ---- plumbing -----------------------------------------------------------------------
    def send(self, status, body=b"", content_type="application/json; charset=utf-8",
             headers=None):
        if getattr(self, "api_request", False):
            self.state.fleet_count(status)
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, str(value))
        if status != 304:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if status != 304 else 0))
        self.end_headers()
        if status != 304:
            self.wfile.write(body)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def token_ok(self):
        if self.state.app is not None:  # under the state's lock
            return self.state.app.authorizes(self.headers.get("Authorization") or "",
                                             urllib.parse.urlsplit(self.path).path)
        want = self.state.token
        if want is None:
            return True
        got = self.headers.get("Authorization") or ""
        return got in ("Bearer " + want, "token " + want)

    def rate_headers(self):
        st = self.state
        if st.rate_limit is None:
            return {}
        reset = st.rate_limit_reset or int(time.time()) + 3600
        return {"X-RateLimit-Limit": st.rate_limit_total,
                "X-RateLimit-Remaining": max(st.rate_limit, 0),
                "X-RateLimit-Reset": reset,
                "X-RateLimit-Used": max(st.rate_limit_total - st.rate_limit, 0),
                "X-RateLimit-Resource": "core"}

    # ---- admin ------------------------------------------------------------------------------
    def do_POST(self):
        path = urllib.parse.urlsplit(self.path).path
        if path.startswith("/repos/") and not self.codeload:
            self.do_GET()
            return
        body = self.read_body()
        if path.startswith("/app/") and not self.codeload:
            self.app_post(path)
            return
        try:
            if path == "/_admin/config" and not self.codeload:
                self.state.configure(json.loads(body or b"{}"))
            elif path == "/_admin/reset" and not self.codeload:
                with self.state.lock:
                    self.state.reset_counters()
            else:
                raise not_found()
            self.send(200, b'{"ok": true}')
        except Answer as a:
            self.send(a.status, a.body, a.content_type)
        except (ValueError, TypeError) as e:
            self.send(400, json.dumps({"message": str(e)}).encode())

    def do_PATCH(self):
        self.do_GET()

    def do_GET(self):
        st = self.state
        split = urllib.parse.urlsplit(self.path)
        self.request_body = self.read_body() if self.command in ("POST", "PATCH") else b""
        if not self.codeload and split.path == "/_admin/stats":
            self.send(200, json.dumps(st.stats()).encode())
            return
        endpoint = "codeload" if self.codeload else endpoint_name(split.path, self.command)
        with st.lock:
            if not self.counted:
                self.counted = True
                if self.codeload:
                    st.codeload_connections += 1
                else:
                    st.connections += 1
            st.requests[endpoint] = st.requests.get(endpoint, 0) + 1
            st.total += 1
            st.in_flight += 1
            st.max_concurrent = max(st.max_concurrent, st.in_flight)
            if self.codeload:
                st.codeload_authorization.append(self.headers.get("Authorization"))
            elif self.headers.get("Authorization") is None:
                st.api_authorization_missing += 1
            st.paths.append(split.path)
            self.fleet_limited = None if self.codeload else self.fleet_arrive()
            latency = st.latency_ms + (st.endpoint_latency_ms or {}).get(endpoint, 0)
            fail = st.fail_all or (st.fail_rate > 0 and st.random.random() < st.fail_rate)
            if st.fail_paths.get(split.path, 0) > 0:
                st.fail_paths[split.path] -= 1
                fail = True
        try:
            if latency:
                time.sleep(latency / 1000.0)
            if fail:
                with st.lock:
                    st.failed += 1
                self.send(502, b'{"message": "Server Error"}')
                return
            if self.codeload:
                self.answer(*self.codeload_route(split.path))
            else:
                self.api(split)
        finally:
            with st.lock:
                st.in_flight -= 1
            self.fleet_leave()

    def api(self, split):
        self.api_request = True  # its answer is counted by status
        try:
            limited = self.fleet_limited
            if limited is not None:
                self.send(limited.status, limited.body, limited.content_type, limited.headers)
            else:
                self.api_checked(split)
        finally:
            self.api_request = False

    def fleet_arrive(self):
        """With the lock held, as an API request arrives: GitHub's secondary limits."""
        self.fleet_admitted = False
        if self.headers.get("If-None-Match"):
            self.state.conditional += 1
        # The verdict is kept for api_checked: asking twice would count an app's refusal twice.
        self.token_verdict = self.token_ok()
        if not self.token_verdict:
            return None
        limited = self.state.fleet_admit(self.command)
        self.fleet_admitted = limited is None
        return limited

    def fleet_leave(self):
        self.token_verdict = None
        if getattr(self, "fleet_admitted", False):
            self.fleet_admitted = False
            self.state.fleet_done()

    def api_checked(self, split):
        st = self.state
        with st.lock:
            verdict = getattr(self, "token_verdict", None)
            if not (self.token_ok() if verdict is None else verdict):
                st.unauthorized += 1
                answer = Answer(401, {"message": "Bad credentials",
                                      "documentation_url": "https://docs.github.com/rest"})
            elif st.secondary_after is not None and st.secondary_after <= 0:
                st.rate_limited += 1
                headers = {}
                if st.secondary_retry_after is not None:
                    headers["Retry-After"] = st.secondary_retry_after
                answer = Answer(403, {"message": "You have exceeded a secondary rate limit. "
                                                 "Please wait a few minutes before you try again.",
                                      "documentation_url": "https://docs.github.com/rest"},
                                headers=headers)
            elif st.rate_limit is not None and st.rate_limit <= 0:
                st.rate_limited += 1
                answer = Answer(403, {"message": "API rate limit exceeded.",
                                      "documentation_url": "https://docs.github.com/rest"},
                                headers=self.rate_headers())
            else:
                answer = None
                if st.secondary_after is not None:
                    st.secondary_after -= 1
        if answer is not None:
            self.send(answer.status, answer.body, answer.content_type, answer.headers)
            return
        try:
            location = st.redirects.get(split.path)
            if location is not None:
                raise Answer(302, b"", "text/html; charset=utf-8", {"Location": location})
            status, body, content_type, headers = self.api_route(split)
        except Answer as a:
            status, body, content_type, headers = a.status, a.body, a.content_type, a.headers
        except GitError as e:
            status, body, content_type, headers = (
                422, json.dumps({"message": str(e)}).encode(),
                "application/json; charset=utf-8", {})
        self.answer(status, body, content_type, headers, api=True)

    def answer(self, status, body, content_type, headers, api=False):
        """Sends an answer with an ETag; a matching If-None-Match gets a 304 for free."""
        st = self.state
        headers = dict(headers)
        if status == 200:
            endpoint = "codeload" if self.codeload else endpoint_name(self.path.split("?")[0],
                                                                      self.command)
            body = spoil(body, (st.corrupt or {}).get(endpoint))
            etag = '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
            headers["ETag"] = etag
            wanted = [t.strip() for t in (self.headers.get("If-None-Match") or "").split(",")]
            if etag in wanted or "*" in wanted:
                with st.lock:
                    st.not_modified += 1
                    if api:
                        headers.update(self.rate_headers())
                self.send(304, headers=headers)
                return
        if api:
            with st.lock:
                st.primary_counted += 1
                if st.rate_limit is not None:
                    st.rate_limit -= 1
                headers.update(self.rate_headers())
        self.send(status, body, content_type, headers)

    # ---- routes -------------------------------------------------------------------------------
    def api_route(self, split):
        st = self.state
        git = st.git
        query = urllib.parse.parse_qs(split.query)
        accept = self.headers.get("Accept") or ""
        parts = [urllib.parse.unquote(p) for p in split.path.split("/")[1:]]
        if len(parts) < 3 or parts[0] != "repos" or not st.fleet_repo_ok(parts[1], parts[2]):
            raise not_found()
        rest = parts[3:]
        owner, name = parts[1], parts[2]
        base = st.api_base + "/repos/" + owner + "/" + name
        json_type = "application/json; charset=utf-8"

        if self.command != "GET":
            return self.write_route(git, base, rest)

        if rest[:2] == ["git", "commits"] and len(rest) == 3:
            sha = git.resolve(rest[2]) if SHA_RE.match(rest[2]) else None
            if sha is None or git.object_type(sha) != "commit":
                raise not_found()
            info = git.commit_info(sha)
            return 200, dumps(git_commit_json(info, base)), json_type, {}

        if rest == ["installation"] and st.app is not None:
            with st.lock:
                return st.app.installation_answer(st.owner)

        if not rest:
            branch = git.default_branch()
            head = git.resolve(branch)
            return 200, dumps({
                "id": 1, "name": name, "full_name": owner + "/" + name,
                "owner": {"login": owner}, "private": False, "default_branch": branch,
                "size": git.repo_size_kb(head) if head else 0, "url": base,
                "html_url": "https://github.com/" + owner + "/" + name}), json_type, {}

        if rest[0] == "branches" and len(rest) >= 2:
            branch = "/".join(rest[1:])
            sha = git.resolve("refs/heads/" + branch)
            if sha is None:
                raise not_found("Branch not found")
            return 200, dumps({"name": branch, "commit": commit_json(git, sha, base),
                               "protected": False}), json_type, {}

        if rest[0] == "commits" and len(rest) >= 2:
            ref = "/".join(rest[1:])
            sha = git.resolve(ref)
            if sha is None:
                raise Answer(422, {"message": "No commit found for SHA: " + ref})
            if "application/vnd.github.sha" in accept:
                return 200, sha.encode(), "application/vnd.github.sha; charset=utf-8", {}
            return 200, dumps(commit_json(git, sha, base)), json_type, {}

        if rest[:2] == ["git", "trees"] and len(rest) == 3:
            sha = git.resolve(rest[2], "tree")
            if sha is None:
                raise not_found()
            recursive = "recursive" in query
            entries = git.ls_tree(sha, recursive)
            limit = st.max_tree_entries or DEFAULT_MAX_TREE_ENTRIES
            truncated = len(entries) > limit
            tree = []
            for e in entries[:limit]:
                item = {"path": e["path"], "mode": e["mode"], "type": e["type"], "sha": e["sha"]}
                if e["type"] == "blob":
                    item["size"] = e["size"]
                    item["url"] = base + "/git/blobs/" + e["sha"]
                elif e["type"] == "tree":
                    item["url"] = base + "/git/trees/" + e["sha"]
                tree.append(item)
            if recursive and st.tree_entries:
                self.patch_tree(tree)
            return 200, dumps({"sha": sha, "url": base + "/git/trees/" + sha, "tree": tree,
                               "truncated": truncated}), json_type, {}

        if rest[:2] == ["git", "blobs"] and len(rest) == 3:
            sha = rest[2]
            if git.object_type(sha) != "blob":
                raise not_found()
            data = git.blob(sha)
            if "application/vnd.github.raw" in accept:
                return 200, data, "application/vnd.github.raw", {}
            return 200, dumps({"sha": sha, "node_id": "B_" + sha[:12], "size": len(data),
                               "url": base + "/git/blobs/" + sha,
                               "content": self.blob_text(data), "encoding": "base64"}), \
                json_type, {}

        if rest[0] == "contents":
            path = "/".join(rest[1:]).strip("/")
            ref = (query.get("ref") or [git.default_branch()])[0]
            commit = git.resolve(ref)
            if commit is None:
                raise not_found("No commit found for the ref " + ref)
            return self.contents(git, base, commit, ref, path, accept)

        if rest[0] == "compare" and len(rest) >= 2:
            spec = "/".join(rest[1:])
            if "..." not in spec:
                raise not_found()
            base_ref, head_ref = spec.split("...", 1)
            base_sha, head_sha = git.resolve(base_ref), git.resolve(head_ref)
            if base_sha is None or head_sha is None:
                raise not_found()
            return 200, dumps(compare_json(git, base, base_sha, head_sha)), json_type, {}

        if rest[0] == "tarball" and len(rest) <= 2:
            ref = rest[1] if len(rest) == 2 else git.default_branch()
            sha = git.resolve(ref)
            if sha is None:
                raise not_found()
            location = (st.codeload_base + "/" + owner + "/" + name + "/legacy.tar.gz/" +
                        sha)
            return 302, b"", "text/html; charset=utf-8", {"Location": location}

        raise not_found()

    # ---- writes ---------------------------------------------------------------------------
    def write_route(self, git, base, rest):
        st = self.state
        with st.lock:
            read_only, empty = st.read_only, st.empty_repository
        if read_only:
            raise Answer(403, {"message": "Resource not accessible by personal access token",
                               "documentation_url": "https://docs.github.com/rest"})
        if empty:
            raise Answer(409, {"message": "Git Repository is empty."})
        try:
            body = json.loads(self.request_body or b"null")
        except ValueError:
            raise Answer(400, {"message": "Problems parsing JSON"})
        if not isinstance(body, dict):
            raise Answer(400, {"message": "Problems parsing JSON"})
        key = (self.command, "/".join(rest[:2]) if rest[:1] == ["git"] else rest[0])
        with st.write_lock:
            if key == ("POST", "git/blobs"):
                blob = create_blob(git, base, body)
                with st.lock:
                    blob["sha"] = st.blob_sha or blob["sha"]
                return 201, dumps(blob), JSON_TYPE, {}
            if key == ("POST", "git/trees"):
                return 201, dumps(create_tree(git, base, body)), JSON_TYPE, {}
            if key == ("POST", "git/commits"):
                return 201, dumps(create_commit(git, base, body)), JSON_TYPE, {}
            if key == ("PATCH", "git/refs") and len(rest) > 3 and rest[2] == "heads":
                return 200, dumps(update_ref(git, base, "/".join(rest[3:]), body)), JSON_TYPE, {}
            if key == ("POST", "git/refs"):
                return 201, dumps(create_ref(git, base, body)), JSON_TYPE, {}
            if key == ("POST", "pulls"):
                pull = create_pull(git, body, len(st.pulls) + 1)
                pull["html_url"] = "https://github.com/%s/%s/pull/%d" % (
                    st.owner, st.name, pull["number"])
                with st.lock:
                    st.pulls.append({k: body.get(k) for k in ("title", "head", "base", "body")}
                                    | {"number": pull["number"]})
                return 201, dumps(pull), JSON_TYPE, {}
        raise not_found()

    def app_post(self, path):
        """POST /app/installations/{id}/access_tokens (an app's JWT) -> 201 {token, ...}."""
        st = self.state
        self.read_body()
        with st.lock:
            st.total += 1
            st.paths.append(path)
            st.requests["access_tokens"] = st.requests.get("access_tokens", 0) + 1
            if st.app is None:
                answer = not_found()
            else:
                answer = st.app.access_tokens(self.headers.get("Authorization") or "", path)
        self.send(answer.status, answer.body, answer.content_type, answer.headers)

    def blob_text(self, data):
        """A blob's `content`: base64 of the file, or what the hostile settings say."""
        st = self.state
        if st.blob_content is not None:
            return st.blob_content
        if st.blob_bytes is not None:
            return base64_lines(b"x" * st.blob_bytes)
        return base64_lines(data)

    def patch_tree(self, tree):
        """Applies tree_entries to a recursive listing (in place)."""
        got = self.headers.get("Authorization") or ""
        token = got.split(" ", 1)[1] if " " in got else got
        first_blob = next((e["sha"] for e in tree if e["type"] == "blob"), "0" * 40)
        by_path = {e["path"]: e for e in tree}
        for entry in self.state.tree_entries:
            entry = dict(entry)
            if "path" in entry:
                entry["path"] = entry["path"].replace("{token}", token)
            if entry.pop("patch", False):
                if entry.get("path") not in by_path:
                    raise Answer(500, {"message": "tree_entries: no entry " + entry["path"]})
                by_path[entry["path"]].update(entry)
                continue
            item = {"mode": "100644", "type": "blob", "sha": first_blob, "size": 0}
            item.update(entry)
            tree.append(item)

    def contents(self, git, base, commit, ref, path, accept):
        if path:
            out = git.run("ls-tree", "-l", "-z", commit, "--", path).split(b"\x00")
            records = [r for r in out if r]
            if not records:
                raise not_found()
            meta, _ = records[0].split(b"\t", 1)
            mode, kind, sha, size = meta.decode().split()
        else:
            kind, sha = "tree", git.resolve(commit, "tree")
        json_type = "application/json; charset=utf-8"
        if kind == "blob":
            data = git.blob(sha)
            if "application/vnd.github.raw" in accept:
                return 200, data, "application/vnd.github.raw", {}
            item = content_item(base, ref, path, "file", sha, len(data))
            item.update({"content": self.blob_text(data), "encoding": "base64"})
            return 200, dumps(item), json_type, {}
        listing = []
        for e in git.ls_tree(sha, False):
            child = (path + "/" if path else "") + e["path"]
            kind = {"blob": "file", "tree": "dir", "commit": "submodule"}[e["type"]]
            if e["mode"] == "120000":
                kind = "symlink"
            listing.append(content_item(base, ref, child, kind, e["sha"], e["size"] or 0))
        return 200, dumps(listing), json_type, {}

    def codeload_route(self, path):
        st = self.state
        parts = path.split("/")[1:]
        if (len(parts) != 4 or not st.fleet_repo_ok(parts[0], parts[1]) or
                parts[2] != "legacy.tar.gz" or not SHA_RE.match(parts[3])):
            return 404, b"Not Found", "text/plain; charset=utf-8", {}
        sha = parts[3]
        if st.git.object_type(sha) != "commit":
            return 404, b"Not Found", "text/plain; charset=utf-8", {}
        prefix = parts[0] + "-" + parts[1] + "-" + sha[:7] + "/"
        if st.tarball_members or st.tarball_format == "pax":
            tar = st.git.run("archive", "--format=tar", "--prefix=" + prefix, sha)
            data = gzip.compress(hostile_tarball(tar, prefix, st.tarball_members or []), 6,
                                 mtime=0)
        else:
            data = st.git.run("archive", "--format=tar.gz", "--prefix=" + prefix, sha)
        return 200, data, "application/x-gzip", {
            "Content-Disposition": "attachment; filename=" + prefix[:-1] + ".tar.gz"}


SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class FakeApp:
    """A GitHub App: its public key, one installation, the tokens issued. Used under the
    state's lock."""

    def __init__(self, config):
        self.id = int(config["id"])
        self.modulus = int(config["modulus"], 16)
        self.exponent = int(config.get("exponent", 65537))
        self.installation_id = int(config.get("installation_id", 1))
        self.token_ttl_s = int(config.get("token_ttl_s", 3600))
        self.installed = True
        self.tokens = {}  # token -> expires_at (unix s)
        self.revoked = set()
        self.revoke_after = None
        self.refuse_tokens = False
        self.counters = {"access_tokens": 0, "installation_lookups": 0, "jwt_rejected": 0,
                         "token_rejected": 0}
        self.jwts = []

    @staticmethod
    def configure(app, key, value):
        """The app after one setting (see the module's Controls)."""
        if key == "app":
            return FakeApp(value) if value is not None else None
        if app is None:
            raise ValueError(key + ": no app configured")
        if key == "app_token_ttl_s":
            app.token_ttl_s = int(value)
        elif key == "app_revoke_tokens":
            app.revoked.update(app.tokens)
        elif key == "app_revoke_after":
            app.revoke_after = value
        elif key == "app_refuse_tokens":
            app.refuse_tokens = bool(value)
        elif key == "app_installed":
            app.installed = bool(value)
            if not app.installed:
                app.revoked.update(app.tokens)
        else:
            raise ValueError("unknown setting " + key)
        return app

    def stats(self):
        out = dict(self.counters)
        out["tokens"] = list(self.tokens)
        out["jwts"] = list(self.jwts)
        return out

    def jwt_ok(self, authorization):
        """An RS256 JWT of this app, signed with its key, iat in the past, exp within 10 min."""
        if not authorization.startswith("Bearer "):
            return False
        jwt = authorization[len("Bearer "):]
        self.jwts.append(jwt)
        try:
            head, claims, signature = jwt.split(".")
            if json.loads(b64url_decode(head)).get("alg") != "RS256":
                return False
            size = (self.modulus.bit_length() + 7) // 8
            sig = b64url_decode(signature)
            if len(sig) != size:
                return False
            digest = hashlib.sha256((head + "." + claims).encode()).digest()
            padding = size - 3 - len(SHA256_DIGEST_INFO) - len(digest)
            expected = (b"\x00\x01" + b"\xff" * padding + b"\x00" + SHA256_DIGEST_INFO +
                        digest)
            if pow(int.from_bytes(sig, "big"), self.exponent, self.modulus).to_bytes(
                    size, "big") != expected:
                return False
            payload = json.loads(b64url_decode(claims))
            now = time.time()
            return (str(payload.get("iss")) == str(self.id) and payload["iat"] <= now and
                    now < payload["exp"] <= now + 600 and payload["iat"] < payload["exp"])
        except (ValueError, KeyError, TypeError):
            return False

    def authorizes(self, authorization, path):
        """Whether an API request may go on: the JWT for the installation lookup, else a live
        installation token."""
        if path.endswith("/installation"):
            ok = self.jwt_ok(authorization)
            if not ok:
                self.counters["jwt_rejected"] += 1
            return ok
        token = authorization[len("Bearer "):] if authorization.startswith("Bearer ") else ""
        expires = self.tokens.get(token)
        if (expires is None or token in self.revoked or self.refuse_tokens or
                time.time() >= expires):
            self.counters["token_rejected"] += 1
            return False
        if self.revoke_after is not None:
            self.revoke_after -= 1
            if self.revoke_after <= 0:
                self.revoked.update(self.tokens)
                self.revoke_after = None
        return True

    def installation_answer(self, owner):
        self.counters["installation_lookups"] += 1
        if not self.installed:
            raise not_found()
        return 200, dumps({"id": self.installation_id, "app_id": self.id,
                           "account": {"login": owner}, "target_type": "Organization"}), \
            "application/json; charset=utf-8", {}

    def access_tokens(self, authorization, path):
        parts = path.split("/")
        if not self.jwt_ok(authorization):
            self.counters["jwt_rejected"] += 1
            return Answer(401, {"message": "A JSON web token could not be decoded",
                                "documentation_url": "https://docs.github.com/rest"})
        if (len(parts) != 5 or parts[2] != "installations" or parts[4] != "access_tokens" or
                parts[3] != str(self.installation_id) or not self.installed):
            return not_found()
        self.counters["access_tokens"] += 1
        alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
        token = "ghs_" + "".join(random.SystemRandom().choice(alphabet) for _ in range(36))
        expires = int(time.time()) + self.token_ttl_s
        self.tokens[token] = expires
        return Answer(201, {"token": token,
                            "expires_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                        time.gmtime(expires)),
                            "permissions": {"contents": "read"},
                            "repository_selection": "all"})


def spoil(body, mode):
    """A 200 answer's body as a hostile setting wants it (see `corrupt`)."""
    if mode is None:
        return body
    if mode == "truncate":
        return body[:len(body) // 2]
    if mode == "html":
        return b"<html><body><h1>Unicorn!</h1> This page is taking too long</body></html>"
    raise Answer(500, {"message": "corrupt: unknown mode " + str(mode)})


def hostile_tarball(tar, prefix, members):
    """The uncompressed tarball `tar` with `members` (see tarball_members) put in."""
    wanted = []
    for spec in members:
        info = tarfile.TarInfo(spec["name"].replace("{prefix}", prefix))
        kind = spec.get("type", "file")
        data = None
        if kind == "file":
            data = spec["data"].encode() if "data" in spec else b"x" * spec.get("size", 0)
            info.size = len(data)
        elif kind in ("symlink", "hardlink"):
            info.type = tarfile.SYMTYPE if kind == "symlink" else tarfile.LNKTYPE
            info.linkname = spec["target"]
        elif kind == "dir":
            info.type = tarfile.DIRTYPE
        else:
            raise Answer(500, {"message": "tarball_members: unknown type " + kind})
        info.mode = 0o644 if kind != "dir" else 0o755
        wanted.append((info, data))
    by_name = {info.name: (info, data) for info, data in wanted}
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(tar)) as source, \
            tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT,
                         pax_headers=source.pax_headers) as sink:
        for member in source:
            replacement = by_name.pop(member.name, None)
            if replacement is not None:
                info, data = replacement
                sink.addfile(info, io.BytesIO(data) if data is not None else None)
            else:
                sink.addfile(member, source.extractfile(member) if member.isfile() else None)
        for info, data in wanted:
            if info.name in by_name:
                sink.addfile(info, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


def dumps(value):
    return json.dumps(value, indent=2).encode()


def base64_lines(data):
    """Base64 with a newline after every 60 characters, as GitHub sends blob content."""
    text = base64.b64encode(data).decode()
    return "".join(text[i:i + 60] + "\n" for i in range(0, len(text), 60))


JSON_TYPE = "application/json; charset=utf-8"


def invalid(message):
    return Answer(422, {"message": message,
                        "documentation_url": "https://docs.github.com/rest/git"})


def git_commit_json(info, base):
    return {"sha": info["sha"], "url": base + "/git/commits/" + info["sha"],
            "tree": {"sha": info["tree"], "url": base + "/git/trees/" + info["tree"]},
            "parents": [{"sha": p, "url": base + "/git/commits/" + p} for p in info["parents"]],
            "message": info["message"], "author": info["author"],
            "committer": info["committer"]}


def create_blob(git, base, body):
    content, encoding = body.get("content"), body.get("encoding", "utf-8")
    if not isinstance(content, str) or encoding not in ("utf-8", "base64"):
        raise invalid("Invalid request.\n\n\"content\" wasn't supplied.")
    try:
        data = base64.b64decode(content, validate=True) if encoding == "base64" \
            else content.encode()
    except ValueError:
        raise invalid("Invalid request.\n\ncontent is not valid Base64.")
    sha = git.write("hash-object", "-w", "--stdin", data=data)
    return {"sha": sha, "url": base + "/git/blobs/" + sha}


def create_tree(git, base, body):
    entries, base_tree = body.get("tree"), body.get("base_tree")
    if not isinstance(entries, list):
        raise invalid("Invalid request.\n\n\"tree\" wasn't supplied.")
    index = tempfile.NamedTemporaryFile(prefix="fake-github-index-", delete=False).name
    os.unlink(index)  # git makes it
    env = {"GIT_INDEX_FILE": index}
    try:
        if base_tree is not None:
            if not isinstance(base_tree, str) or git.resolve(base_tree, "tree") != base_tree:
                raise invalid("base_tree is not a valid tree oid")
            git.write("read-tree", base_tree, env=env)
        for e in entries:
            path, mode, kind = e.get("path"), e.get("mode"), e.get("type", "blob")
            if not isinstance(path, str) or not path or path.startswith("/") or \
                    mode not in ("100644", "100755", "120000") or kind != "blob":
                raise invalid("Invalid tree info")
            if "content" in e:
                sha = git.write("hash-object", "-w", "--stdin",
                                data=str(e["content"]).encode())
            else:
                sha = e.get("sha")
                if sha is None:
                    git.write("update-index", "--force-remove", "--", path, env=env)
                    continue
                if not isinstance(sha, str) or git.object_type(sha) != "blob":
                    raise invalid("tree.sha %s is not a valid blob" % sha)
            git.write("update-index", "--add", "--cacheinfo", "%s,%s,%s" % (mode, sha, path),
                      env=env)
        sha = git.write("write-tree", env=env)
    finally:
        if os.path.exists(index):
            os.unlink(index)
    return {"sha": sha, "url": base + "/git/trees/" + sha, "truncated": False,
            "tree": [{"path": e["path"], "mode": e["mode"], "type": e["type"], "sha": e["sha"]}
                     for e in git.ls_tree(sha, False)]}


def create_commit(git, base, body):
    message, tree, parents = body.get("message"), body.get("tree"), body.get("parents", [])
    if not isinstance(message, str) or not isinstance(tree, str) or \
            not isinstance(parents, list):
        raise invalid("Invalid request.")
    if git.resolve(tree, "tree") != tree:
        raise invalid("Tree SHA does not exist")
    args = ["commit-tree", tree]
    for parent in parents:
        if not isinstance(parent, str) or git.object_type(parent) != "commit":
            raise invalid("Parent SHA does not exist or is not a commit object")
        args += ["-p", parent]
    who = {"GIT_AUTHOR_NAME": "libleanspec test", "GIT_AUTHOR_EMAIL": "test@example.com",
           "GIT_COMMITTER_NAME": "GitHub", "GIT_COMMITTER_EMAIL": "noreply@github.com"}
    sha = git.write(*args, data=message.encode(), env=who)
    return git_commit_json(git.commit_info(sha), base)


def update_ref(git, base, branch, body):
    sha, force = body.get("sha"), body.get("force", False)
    ref = "refs/heads/" + branch
    current = git.resolve(ref)
    if current is None:
        raise invalid("Reference does not exist")
    if not isinstance(sha, str) or git.object_type(sha) != "commit":
        raise invalid("Object does not exist")
    if not force and current != sha and not git.is_ancestor(current, sha):
        raise invalid("Update is not a fast forward")
    git.write("update-ref", ref, sha, current)
    if not git.is_bare() and git.default_branch() == branch:
        git.write("reset", "--hard", "--quiet", sha)  # the work tree follows its branch
    return {"ref": ref, "url": base + "/git/" + ref,
            "object": {"type": "commit", "sha": sha, "url": base + "/git/commits/" + sha}}


def create_ref(git, base, body):
    ref, sha = body.get("ref"), body.get("sha")
    if not isinstance(ref, str) or not ref.startswith("refs/") or ref.count("/") < 2:
        raise invalid("Reference name must start with 'refs/' and have at least two slashes.")
    if not isinstance(sha, str) or git.object_type(sha) != "commit":
        raise invalid("Object does not exist")
    if subprocess.run(["git", "check-ref-format", ref]).returncode != 0:
        raise invalid("Reference name is not valid")
    if git.resolve(ref) is not None:
        raise invalid("Reference already exists")
    git.write("update-ref", ref, sha, "")
    return {"ref": ref, "url": base + "/git/" + ref,
            "object": {"type": "commit", "sha": sha, "url": base + "/git/commits/" + sha}}


def create_pull(git, body, number):
    title, head, base_branch = body.get("title"), body.get("head"), body.get("base")
    if not all(isinstance(v, str) and v for v in (title, head, base_branch)):
        raise invalid("Validation Failed")
    head_sha = git.resolve("refs/heads/" + head)
    if head_sha is None or git.resolve("refs/heads/" + base_branch) is None:
        raise invalid("Validation Failed")
    return {"number": number, "state": "open", "title": title,
            "head": {"ref": head, "sha": head_sha}, "base": {"ref": base_branch}}


WRITE_ENDPOINTS = {("POST", "blobs"): "create_blob", ("POST", "trees"): "create_tree",
                   ("POST", "commits"): "create_commit", ("PATCH", "refs"): "update_ref",
                   ("POST", "refs"): "create_ref", ("GET", "commits"): "git_commit"}


def endpoint_name(path, method="GET"):
    parts = path.split("/")[1:]
    if len(parts) < 3 or parts[0] != "repos":
        return "other"
    rest = parts[3:]
    if rest[:1] == ["git"] and len(rest) > 1 and (method, rest[1]) in WRITE_ENDPOINTS:
        return WRITE_ENDPOINTS[(method, rest[1])]
    if rest[:1] == ["pulls"] and method == "POST":
        return "create_pull"
    if not rest:
        return "repo"
    if rest[0] in ("branches", "commits", "contents", "compare", "tarball"):
        return {"branches": "branch", "commits": "commit"}.get(rest[0], rest[0])
    if rest[0] == "git" and len(rest) > 1 and rest[1] in ("trees", "blobs"):
        return rest[1][:-1]
    return "other"


def commit_json(git, sha, base):
    info = git.commit_info(sha)
    return {"sha": sha, "url": base + "/commits/" + sha,
            "commit": {"author": info["author"], "committer": info["committer"],
                       "message": info["message"],
                       "tree": {"sha": info["tree"], "url": base + "/git/trees/" + info["tree"]}},
            "parents": [{"sha": p, "url": base + "/commits/" + p} for p in info["parents"]]}


def compare_json(git, base, base_sha, head_sha):
    ahead = git.run("rev-list", "--reverse", base_sha + ".." + head_sha).decode().split()
    behind = git.run("rev-list", head_sha + ".." + base_sha).decode().split()
    merge_base = git.run("merge-base", base_sha, head_sha, check=False).decode().strip()
    status = ("identical" if not ahead and not behind else
              "ahead" if not behind else "behind" if not ahead else "diverged")
    names = {"A": "added", "M": "modified", "D": "removed", "R": "renamed", "C": "copied",
             "T": "changed"}
    files = []
    for letter, old, new, old_sha, new_sha in git.diff(base_sha, head_sha)[:MAX_COMPARE_FILES]:
        item = {"sha": old_sha if letter == "D" else new_sha, "filename": new,
                "status": names.get(letter, "changed"),
                "contents_url": base + "/contents/" + urllib.parse.quote(new) + "?ref=" + head_sha}
        if letter == "R":
            item["previous_filename"] = old
        files.append(item)
    return {"url": base + "/compare/" + base_sha + "..." + head_sha, "status": status,
            "ahead_by": len(ahead), "behind_by": len(behind), "total_commits": len(ahead),
            "base_commit": commit_json(git, base_sha, base),
            "merge_base_commit": commit_json(git, merge_base, base) if merge_base else None,
            "commits": [commit_json(git, c, base) for c in ahead[-250:]], "files": files}


def content_item(base, ref, path, kind, sha, size):
    url = base + "/contents/" + urllib.parse.quote(path) + "?ref=" + urllib.parse.quote(ref)
    return {"type": kind, "name": path.rsplit("/", 1)[-1], "path": path, "sha": sha,
            "size": size, "url": url, "git_url": base + "/git/" +
            ("trees/" if kind == "dir" else "blobs/") + sha,
            "download_url": None, "_links": {"self": url}}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", required=True, help="path of the git repository served")
    parser.add_argument("--owner", default="acme")
    parser.add_argument("--name", default="web")
    parser.add_argument("--token", default=None, help="required token (default: none)")
    parser.add_argument("--max-tree-entries", type=int, default=0)
    parser.add_argument("--tarball-format", choices=("git", "pax"), default="git",
                        help="the tarball_format setting at start (see Controls)")
    parser.add_argument("--parent-pid", type=int, default=0,
                        help="exit when this process is gone")
    args = parser.parse_args()
    if not os.path.isdir(args.repo):
        sys.exit("fake_github: --repo " + args.repo + " is not a directory")

    state = State(args)
    servers = []
    for codeload in (False, True):
        handler = type("Handler", (Handler,), {"state": state, "codeload": codeload})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        servers.append(server)
    api_port, codeload_port = (s.server_address[1] for s in servers)
    state.api_base = "http://127.0.0.1:%d" % api_port
    state.codeload_base = "http://127.0.0.1:%d" % codeload_port

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2},
                                daemon=True) for s in servers]
    for t in threads:
        t.start()
    sys.stdout.write("%d %d\n" % (api_port, codeload_port))
    sys.stdout.flush()
    sys.stdout.close()
    sys.stdout = open(os.devnull, "w")
    while not stop.wait(0.5):
        if args.parent_pid and os.getppid() != args.parent_pid:
            break
    for s in servers:
        s.shutdown()
        s.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
