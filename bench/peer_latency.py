#!/usr/bin/python3
"""Edit latency of LeanSpec's own HTTP server (npm @leanspec/http-linux-x64): the time from
rewriting a spec's README.md (temp file + rename, like an editor) until the server's HTTP API
returns the new content, for GET /api/projects/{id}/specs/{spec} and for the list
GET /api/projects/{id}/specs; also the latency of its file-watcher push (SSE /api/events/specs).

    /usr/bin/python3 bench/peer_latency.py [--edits 300] [--list-edits 100] [--sse-edits 50]
        [--corpus DIR, default $LEANSPEC_CORPUS or ../shared/corpus/lean-spec beside the checkout] [--out FILE.json]

Standard library only. Installs the peer into bench/peers/ (next to the CLI peer) if missing,
edits a private temp copy of the corpus (never the corpus itself), and stops the server and
removes the copy on exit, Ctrl-C included.
"""
import argparse, http.client, json, os, random, re, shutil, signal, socket, subprocess, sys, tempfile, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, "peers")
PKG_DIR = os.path.join(PEERS, "node_modules", "@leanspec", "http-linux-x64")
BINARY = os.path.join(PKG_DIR, "leanspec-http")


def install_peer():
    """npm install into bench/peers, both peers at once: `npm install --no-save X` removes every
    package it is not told to install (bench/compare_cli.sh does the same)."""
    if os.path.isfile(BINARY):
        return
    pkgs = ["@leanspec/cli-linux-x64@0.3.0", "@leanspec/http-linux-x64@0.3.0"]
    os.makedirs(PEERS, exist_ok=True)
    if not os.path.exists(os.path.join(PEERS, ".gitignore")):
        open(os.path.join(PEERS, ".gitignore"), "w").write("*\n")  # downloaded, never committed
    print("installing", " ".join(pkgs), "into", PEERS, file=sys.stderr)
    subprocess.run(["npm", "install", "--prefix", PEERS, "--no-audit", "--no-fund", "--no-save", *pkgs],
                   check=True, stdout=sys.stderr)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One keep-alive HTTP/1.1 connection; reconnects if the server closes it."""
    def __init__(self, port):
        self.port, self.conn = port, None

    def get(self, path):
        for attempt in (0, 1):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.conn.request("GET", path)
                resp = self.conn.getresponse()
                return resp.status, resp.read().decode("utf-8", "replace")
            except (OSError, http.client.HTTPException):
                self.conn = None
                if attempt:
                    raise


def stats(samples_ms, timeouts, extra=None, what="edits"):
    """Percentiles as in bench/watch_latency.cpp: the sorted sample at index floor(q * n)."""
    xs = sorted(samples_ms)
    pct = lambda q: round(xs[min(len(xs) - 1, int(q * len(xs)))], 3) if xs else None
    out = {what: len(xs) + timeouts, "timeouts": timeouts, "p50_ms": pct(0.50), "p90_ms": pct(0.90),
           "p99_ms": pct(0.99), "max_ms": pct(1.0), "mean_ms": round(sum(xs) / len(xs), 3) if xs else None}
    return dict(out, **(extra or {}))


def edit(readme, original, marker):
    """Rewrite README.md from its original text with `marker` in the H1 title and the body.
    The temp file is hidden and ends in .tmp, the kind of name the peer's watcher ignores."""
    text = re.sub(r"^# (.*)$", lambda m: "# %s %s" % (m.group(1), marker), original, count=1, flags=re.M)
    text += "\nEdit marker: %s\n" % marker
    tmp = os.path.join(os.path.dirname(readme), ".README.md.tmp")
    t0 = time.perf_counter()
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.rename(tmp, readme)
    return t0


def wait_for(client, path, marker, t0, bound_s):
    """Poll `path` back to back (no sleep) until its body holds `marker`: (ms or None, polls)."""
    polls = 0
    while True:
        polls += 1
        status, body = client.get(path)
        if status == 200 and marker in body:
            return (time.perf_counter() - t0) * 1000, polls
        if time.perf_counter() - t0 > bound_s:
            return None, polls


def inotify_watches(pid):
    """Number of inotify watches the server holds (from /proc): >0 means it watches files."""
    n, fd_dir = 0, "/proc/%d/fd" % pid
    for fd in os.listdir(fd_dir):
        try:
            if os.readlink(os.path.join(fd_dir, fd)) == "anon_inode:inotify":
                n += sum(l.startswith("inotify wd:") for l in open("/proc/%d/fdinfo/%s" % (pid, fd)))
        except OSError:
            pass
    return n


def sse_reader(port, events):
    """Collect (perf_counter, changed path) from the server's SSE stream (a daemon thread)."""
    conn = http.client.HTTPConnection("127.0.0.1", port)  # no timeout: ends when the server does
    conn.request("GET", "/api/events/specs")
    resp = conn.getresponse()
    if resp.status != 200:
        return
    while True:
        line = resp.readline()
        if not line:
            return
        if line.startswith(b"data:"):
            events.append((time.perf_counter(), json.loads(line[5:]).get("path")))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--edits", type=int, default=300, help="edits timed through GET spec")
    ap.add_argument("--list-edits", type=int, default=100, help="further edits timed through the list")
    ap.add_argument("--sse-edits", type=int, default=50, help="edits timed to the watcher's SSE event")
    ap.add_argument("--specs", type=int, default=40, help="how many different specs to cycle through")
    ap.add_argument("--timeout", type=float, default=90.0, help="bound on each wait, seconds")
    ap.add_argument("--corpus", default=os.environ.get("LEANSPEC_CORPUS") or os.path.normpath(
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "corpus", "lean-spec")))
    ap.add_argument("--out")
    args = ap.parse_args()

    install_peer()
    os.chmod(BINARY, 0o755)  # npm does not run the package's postinstall (which does this)
    version = json.load(open(os.path.join(PKG_DIR, "package.json")))["version"]
    work = tempfile.mkdtemp(prefix="leanspec-peer-latency-")
    server = None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the cleanup below on kill too
    try:
        # Private project copy; HOME points into it too, since the server keeps its project
        # registry in ~/.lean-spec/projects.json.
        proj = os.path.join(work, "project")
        shutil.copytree(os.path.join(args.corpus, "specs"), os.path.join(proj, "specs"))
        if os.path.isfile(os.path.join(args.corpus, ".lean-spec", "config.json")):
            os.makedirs(os.path.join(proj, ".lean-spec"))
            shutil.copy(os.path.join(args.corpus, ".lean-spec", "config.json"), os.path.join(proj, ".lean-spec"))
        port = free_port()
        cmd = [BINARY, "--host", "127.0.0.1", "--port", str(port), "--project", proj, "--no-open"]
        env = dict(os.environ, HOME=work, XDG_CONFIG_HOME=os.path.join(work, ".config"))
        server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "server.log"), "w"))

        client, deadline = Client(port), time.monotonic() + 30  # bounded wait for startup
        while True:
            try:
                status, body = client.get("/api/projects")
                if status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("peer server did not start; see " + os.path.join(work, "server.log"))
            time.sleep(0.05)
        project = next(p for p in json.loads(body)["projects"] if os.path.samefile(p["path"], proj))
        base = "/api/projects/%s/specs" % project["id"]

        # Cycle through --specs specs spread over the list (the list hides archived specs, so
        # only listed ones are edited), each with an H1 title to put the marker in.
        listed = sorted(s["specName"] for s in json.loads(client.get(base)[1])["specs"])
        picks = []
        for name in listed[:: max(1, len(listed) // args.specs)]:
            readme = os.path.join(proj, "specs", name, "README.md")
            text = open(readme, encoding="utf-8").read()
            if re.search(r"^# ", text, re.M) and len(picks) < args.specs:
                picks.append((name, readme, text))
        for name, _, _ in picks:  # warm the server's caches: the first GET loads every spec
            client.get(base + "/" + name)
        run_id = "lsbench%x" % (time.time_ns() & 0xFFFFFFFF)

        def timed(n, label, url_of):
            ms, timeouts, polls = [], 0, []
            for i in range(-2, n):  # two untimed warm-up edits first
                name, readme, text = picks[i % len(picks)]
                marker = "%s-%s-%d" % (run_id, label, i)
                t0 = edit(readme, text, marker)
                got, p = wait_for(client, url_of(name), marker, t0, args.timeout)
                if i >= 0:
                    polls.append(p)
                    timeouts += got is None
                    ms.extend([got] if got is not None else [])
            return stats(ms, timeouts, {"polls_max": max(polls, default=0), "first_poll_hits": polls.count(1)})

        # Request time with no edit, for context: an edit is seen as fast as one request.
        def request_ms(url, n=100):
            out = []
            for _ in range(n):
                t0 = time.perf_counter()
                client.get(url)
                out.append((time.perf_counter() - t0) * 1000)
            return stats(out, 0, what="requests")

        load_start = os.getloadavg()
        res = {"peer": {"package": "@leanspec/http-linux-x64", "version": version,
                        "command": cmd, "get_route": base + "/{spec}", "list_route": base},
               "corpus": args.corpus, "specs_cycled": len(picks), "specs_listed": len(listed)}
        res["get"] = timed(args.edits, "get", lambda name: base + "/" + name)
        res["list"] = timed(args.list_edits, "list", lambda name: base)
        res["request_no_edit_get"] = request_ms(base + "/" + picks[0][0])
        res["request_no_edit_list"] = request_ms(base)

        # Watcher: inotify watches held, and the delay of its SSE push. The server flushes changes
        # on a fixed ticker (FILE_WATCH_DEBOUNCE_MS, 300 ms by default), so edits are spaced by a
        # random pause (no phase lock with the ticker) long enough that its rate limit never queues.
        events = []
        threading.Thread(target=sse_reader, args=(port, events), daemon=True).start()
        time.sleep(0.5)
        sse_ms, sse_timeouts = [], 0
        for i in range(args.sse_edits):
            name, readme, text = picks[i % len(picks)]
            t0 = edit(readme, text, "%s-sse-%d" % (run_id, i))
            want, hit = name + "/README.md", None
            while hit is None and time.perf_counter() - t0 < 5:
                hit = next((t for t, p in list(events) if t > t0 and p == want), None)
                time.sleep(0.001)
            sse_ms.extend([(hit - t0) * 1000] if hit else [])
            sse_timeouts += hit is None
            time.sleep(random.uniform(0.4, 0.9))
        res["sse_event"] = stats(sse_ms, sse_timeouts)
        res["watcher"] = {"inotify_watches": inotify_watches(server.pid),
                          "sse_events_seen": len(events)}
        res["load_average"] = {"start": load_start, "end": os.getloadavg(), "cpus": os.cpu_count()}

        for key in ("get", "list", "request_no_edit_get", "request_no_edit_list", "sse_event"):
            r = dict((k, v or 0) for k, v in res[key].items())
            print("%-21s n=%-4d timeouts=%-3d p50 %7.2f  p90 %7.2f  p99 %7.2f  max %7.2f  mean %7.2f ms" % (
                key, r.get("edits", r.get("requests")), r["timeouts"], r["p50_ms"], r["p90_ms"],
                r["p99_ms"], r["max_ms"], r["mean_ms"]))
        print("peer %s; %d specs cycled; fresh on the first poll: get %d/%d, list %d/%d; inotify watches %d;"
              " load average %.2f -> %.2f on %d cpus" % (version, len(picks), res["get"]["first_poll_hits"],
              args.edits, res["list"]["first_poll_hits"], args.list_edits, res["watcher"]["inotify_watches"],
              load_start[0], res["load_average"]["end"][0], os.cpu_count()))
        if args.out:
            with open(args.out, "w") as f:
                json.dump(res, f, indent=2)
    finally:
        if server is not None and server.poll() is None:
            server.kill()  # SIGKILL: nothing of the server's needs keeping
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
