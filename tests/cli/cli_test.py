"""End-to-end tests of the `leanspec` command-line tool (src/cli).

Runs the real binary on spec trees built in temporary folders (nothing is checked in).
Usage: python3 tests/cli/cli_test.py /path/to/leanspec [unittest args]
   or: LEANSPEC_CLI=/path/to/leanspec python3 tests/cli/cli_test.py
Standard library only.
"""

import fcntl
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import tempfile
import termios
import textwrap
import unittest
import urllib.request

BINARY = os.environ.get("LEANSPEC_CLI", "")
if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
    BINARY = sys.argv.pop(1)
BINARY = os.path.abspath(BINARY) if BINARY else ""

# The CLI keeps parsed frontmatter under $XDG_CACHE_HOME/leanspec: give the whole run its own,
# so tests neither read the user's cache nor leave files in it.
CACHE_HOME = tempfile.TemporaryDirectory(prefix="leanspec-cli-cache-")
os.environ["XDG_CACHE_HOME"] = CACHE_HOME.name

ANSI = re.compile(r"\x1b\[[0-9;]*m")
DIAGNOSTIC_LINE = re.compile(r"^(?P<file>[^:\n]+?)(?::(?P<line>\d+))?: (?P<severity>error|warning): "
                             r"(?:\[(?P<code>[a-z0-9-]+)\] )?(?P<message>.+)$")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def spec(specs_dir, spec_id, frontmatter, body, extra_files=None):
    """Writes specs_dir/<spec_id>/README.md (and extra files) with a YAML frontmatter block."""
    fm = textwrap.dedent(frontmatter).strip("\n")
    write(os.path.join(specs_dir, spec_id, "README.md"), f"---\n{fm}\n---\n\n{textwrap.dedent(body).lstrip()}")
    for name, content in (extra_files or {}).items():
        write(os.path.join(specs_dir, spec_id, name), textwrap.dedent(content).lstrip())


LONG_TITLE = "Alpha feature with a deliberately long title that keeps going well past any narrow terminal"


def build_standard_tree(specs_dir):
    """Six specs covering every status, priorities, tags, assignees, depends_on and parents."""
    spec(specs_dir, "001-alpha", """
        status: planned
        priority: high
        tags: [cli, core]
        assignee: alice
        created: '2025-11-01'
        """, f"""
        # {LONG_TITLE}

        The alpha spec talks about the cache layer and its invalidation.
        """)
    spec(specs_dir, "002-beta", """
        status: in-progress
        priority: critical
        tags: [core]
        assignee: bob
        created: '2025-11-02'
        depends_on:
          - 001-alpha
        """, """
        # Beta Engine

        The beta engine runs queries.
        """)
    spec(specs_dir, "003-gamma", """
        status: complete
        priority: low
        tags: [docs]
        created: '2025-11-03'
        completed: '2025-11-10'
        parent: 002-beta
        depends_on:
          - 002-beta
        """, """
        # Gamma Docs

        Documentation for gamma.
        """)
    spec(specs_dir, "004-delta", """
        status: draft
        created: '2025-11-04'
        parent: 002-beta
        """, """
        # Delta Draft

        Just an idea.
        """)
    spec(specs_dir, "005-epsilon", """
        status: archived
        priority: medium
        tags: [cli]
        created: '2025-11-05'
        """, """
        # Epsilon Archived

        Old work.
        """)
    spec(specs_dir, "006-zeta", """
        status: planned
        priority: medium
        tags: [cli]
        assignee: alice
        created: '2025-11-06'
        """, """
        # Zeta Tool

        Main text of zeta.
        """, {"DESIGN.md": """
        # Design Notes

        Zeta design goes here.
        """})


ACTIVE_IDS = ["001-alpha", "002-beta", "003-gamma", "004-delta", "006-zeta"]
ALL_IDS = ["001-alpha", "002-beta", "003-gamma", "004-delta", "005-epsilon", "006-zeta"]


class CliTestCase(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="leanspec-cli-")
        self.root = self._tmp.name
        self.specs = os.path.join(self.root, "specs")
        os.makedirs(self.specs)

    def tearDown(self):
        self._tmp.cleanup()

    def run_cli(self, *args, cwd=None, env=None, specs_dir=True):
        """Runs leanspec; by default with --specs-dir pointing at this test's tree."""
        argv = [BINARY, *args]
        if specs_dir:
            argv += ["--specs-dir", self.specs]
        full_env = dict(os.environ)
        full_env.pop("NO_COLOR", None)
        full_env.update(env or {})
        return subprocess.run(argv, cwd=cwd or self.root, env=full_env, capture_output=True,
                              text=True, timeout=60)

    def ok(self, *args, **kwargs):
        result = self.run_cli(*args, **kwargs)
        self.assertEqual(result.returncode, 0, f"{args}: stderr={result.stderr!r}")
        return result

    def json_of(self, *args, **kwargs):
        result = self.ok(*args, "--json", **kwargs)
        return json.loads(result.stdout)

    def fails(self, code, *args, **kwargs):
        result = self.run_cli(*args, **kwargs)
        self.assertEqual(result.returncode, code,
                         f"{args}: stdout={result.stdout!r} stderr={result.stderr!r}")
        self.assertTrue(result.stderr.startswith("leanspec: "), result.stderr)
        self.assertEqual(result.stdout, "", "errors must not write to stdout")
        return result


def ids(specs):
    return [s["id"] for s in specs]


class GeneralTest(CliTestCase):
    def test_help_lists_commands_options_and_exit_codes(self):
        out = self.run_cli("--help", specs_dir=False)
        self.assertEqual(out.returncode, 0)
        for command in ["list", "show", "search", "stats", "board", "deps", "validate"]:
            self.assertRegex(out.stdout, rf"(?m)^  {command} ")
        for option in ["--specs-dir", "--json", "--version"]:
            self.assertIn(option, out.stdout)
        for code in range(6):
            self.assertRegex(out.stdout, rf"(?m)^  {code}  \S")

    def test_command_help(self):
        out = self.run_cli("list", "--help", specs_dir=False)
        self.assertEqual(out.returncode, 0)
        self.assertIn("Usage: leanspec list", out.stdout)
        self.assertIn("--status", out.stdout)
        self.assertEqual(self.run_cli("help", "board", specs_dir=False).stdout,
                         self.run_cli("board", "-h", specs_dir=False).stdout)

    def test_version(self):
        out = self.run_cli("--version", specs_dir=False)
        self.assertEqual(out.returncode, 0)
        self.assertRegex(out.stdout, r"^leanspec \d+\.\d+\.\d+\n$")

    def test_no_command_is_a_usage_error(self):
        out = self.run_cli(specs_dir=False)
        self.assertEqual(out.returncode, 2)
        self.assertIn("Usage:", out.stderr)
        self.assertEqual(out.stdout, "")


class UsageErrorTest(CliTestCase):
    def setUp(self):
        super().setUp()
        build_standard_tree(self.specs)

    def test_each_usage_error_exits_2_and_names_the_argument(self):
        cases = [
            (("frobnicate",), "frobnicate"),
            (("list", "--bogus"), "--bogus"),
            (("list", "--status", "nope"), "nope"),
            (("list", "--status=planned,nope"), "--status"),
            (("list", "--priority", "huge"), "--priority"),
            (("list", "--sort", "colour"), "--sort"),
            (("list", "--limit", "ten"), "--limit"),
            (("list", "--limit", "-3"), "--limit"),
            (("list", "--archived", "--all"), "--archived"),
            (("list", "--json=yes"), "--json"),
            (("list", "stray"), "stray"),
            (("show",), "ref"),
            (("show", "1", "2"), "'2'"),
            (("deps",), "ref"),
            (("search",), "query"),
            (("board", "--by", "colour"), "colour"),
            (("validate", "--strict"), "--strict"),
        ]
        for args, named in cases:
            with self.subTest(args=args):
                result = self.fails(2, *args)
                self.assertIn(named, result.stderr)

    def test_missing_option_value(self):
        result = self.fails(2, "list", "--status", specs_dir=False)
        self.assertIn("--status", result.stderr)
        result = self.fails(2, "list", "--specs-dir", specs_dir=False)
        self.assertIn("--specs-dir", result.stderr)

    def test_search_syntax_error_is_a_usage_error(self):
        self.fails(2, "search", "(cache")


class ListTest(CliTestCase):
    def setUp(self):
        super().setUp()
        build_standard_tree(self.specs)

    def list_ids(self, *args):
        doc = self.json_of("list", *args)
        self.assertEqual(doc["total"], len(doc["specs"]) if doc["nextCursor"] is None else doc["total"])
        return ids(doc["specs"])

    def test_default_hides_archived_and_sorts_by_number(self):
        doc = self.json_of("list")
        self.assertEqual(ids(doc["specs"]), ACTIVE_IDS)
        self.assertEqual(doc["total"], 5)
        self.assertIsNone(doc["nextCursor"])
        alpha = doc["specs"][0]
        self.assertEqual(alpha["title"], LONG_TITLE)
        self.assertEqual(alpha["status"], "planned")
        self.assertEqual(alpha["priority"], "high")
        self.assertEqual(alpha["tags"], ["cli", "core"])
        self.assertEqual(alpha["assignee"], "alice")

    def test_all_and_archived(self):
        self.assertEqual(self.list_ids("--all"), ALL_IDS)
        self.assertEqual(self.list_ids("--archived"), ["005-epsilon"])
        self.assertEqual(self.list_ids("--status", "archived"), ["005-epsilon"])

    def test_filters(self):
        self.assertEqual(self.list_ids("--status", "planned"), ["001-alpha", "006-zeta"])
        self.assertEqual(self.list_ids("--status", "draft,complete"), ["003-gamma", "004-delta"])
        self.assertEqual(self.list_ids("--status", "draft", "--status", "in-progress"), ["002-beta", "004-delta"])
        self.assertEqual(self.list_ids("--priority", "critical,high"), ["001-alpha", "002-beta"])
        self.assertEqual(self.list_ids("--priority", "medium", "--all"), ["005-epsilon", "006-zeta"])
        self.assertEqual(self.list_ids("--tag", "cli", "--tag", "core"), ["001-alpha"])
        self.assertEqual(self.list_ids("--tag", "cli", "--tag", "core", "--tags-match", "any"),
                         ["001-alpha", "002-beta", "006-zeta"])
        self.assertEqual(self.list_ids("--tag", "cli", "--tag", "core", "--tags-match", "all"), ["001-alpha"])
        # --any-tag: the deprecated spelling of --tags-match any, kept for one release
        self.assertEqual(self.list_ids("--tag", "cli", "--tag", "core", "--any-tag"),
                         ["001-alpha", "002-beta", "006-zeta"])
        self.assertEqual(self.list_ids("--tag", "cli", "--all"), ["001-alpha", "005-epsilon", "006-zeta"])
        self.assertEqual(self.list_ids("--assignee", "alice"), ["001-alpha", "006-zeta"])
        self.assertEqual(self.list_ids("--assignee", "nobody"), [])

    def test_sort(self):
        self.assertEqual(self.list_ids("--desc"), list(reversed(ACTIVE_IDS)))
        self.assertEqual(self.list_ids("--sort", "title"),
                         ["001-alpha", "002-beta", "004-delta", "003-gamma", "006-zeta"])
        self.assertEqual(self.list_ids("--sort", "id", "--desc"), sorted(ACTIVE_IDS, reverse=True))

    def test_pages_with_limit_and_cursor(self):
        seen = []
        cursor = None
        for _ in range(10):
            args = ["list", "--limit", "2", "--all"] + (["--cursor", cursor] if cursor else [])
            doc = self.json_of(*args)
            self.assertEqual(doc["total"], 6)
            self.assertLessEqual(len(doc["specs"]), 2)
            seen += ids(doc["specs"])
            cursor = doc["nextCursor"]
            if cursor is None:
                break
        self.assertEqual(seen, ALL_IDS)
        self.fails(2, "list", "--cursor", "not-a-cursor!")

    def test_table_is_aligned_and_plain_when_piped(self):
        out = self.ok("list", "--all").stdout
        self.assertNotIn("\x1b", out)
        lines = out.rstrip("\n").split("\n")
        header = lines[0]
        self.assertEqual(header.split(), ["ID", "STATUS", "PRIORITY", "TITLE", "TAGS"])
        starts = [header.index(name) for name in ["ID", "STATUS", "PRIORITY", "TITLE", "TAGS"]]
        rows = lines[1:]
        self.assertEqual(len(rows), 6)
        for row in rows:
            self.assertEqual(row, row.rstrip(), "no trailing spaces")
            for column, start in enumerate(starts[1:], start=1):
                if column == 4 and len(row) < start:  # no tags: the row ends after the title
                    continue
                self.assertGreater(len(row), start, f"row too short: {row!r}")
                self.assertEqual(row[start - 2:start], "  ", f"column {column} misaligned: {row!r}")
                self.assertNotEqual(row[start], " ", f"column {column} misaligned: {row!r}")
        by_id = {row.split()[0]: row for row in rows}
        self.assertEqual(set(by_id), set(ALL_IDS))
        self.assertIn(LONG_TITLE, by_id["001-alpha"], "titles are not truncated when piped")
        self.assertEqual(by_id["004-delta"][starts[2]:starts[3]].strip(), "-")
        self.assertTrue(by_id["004-delta"].endswith("Delta Draft"), "no padding after the last cell")
        self.assertEqual(by_id["002-beta"][starts[1]:starts[2]].strip(), "in-progress")
        self.assertTrue(by_id["001-alpha"].endswith("cli, core"))

    def test_empty_result(self):
        self.assertEqual(self.ok("list", "--assignee", "nobody").stdout, "No specs match.\n")


def run_in_pty(argv, cwd, columns, env):
    """Runs argv with stdout on a pseudo-terminal `columns` wide; returns (exit code, output)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    attrs = termios.tcgetattr(slave)
    attrs[1] &= ~termios.OPOST  # keep "\n" as written
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=slave, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            process.kill()
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    process.stderr.read()
    process.stderr.close()
    return process.wait(timeout=30), b"".join(chunks).decode("utf-8")


class TerminalTest(CliTestCase):
    def setUp(self):
        super().setUp()
        build_standard_tree(self.specs)

    def pty_env(self, **extra):
        env = dict(os.environ)
        env.pop("NO_COLOR", None)
        env.pop("COLUMNS", None)
        env.update(extra)
        return env

    def test_tty_gets_colour_and_titles_cut_to_the_width(self):
        code, out = run_in_pty([BINARY, "list", "--specs-dir", self.specs], self.root, 70, self.pty_env())
        self.assertEqual(code, 0)
        self.assertIn("\x1b[", out)
        plain = ANSI.sub("", out)
        lines = plain.rstrip("\n").split("\n")
        self.assertEqual(len(lines), 6)
        for line in lines:
            self.assertLessEqual(len(line), 70, line)
        alpha = next(line for line in lines if line.startswith("001-alpha"))
        self.assertIn("\u2026", alpha)
        self.assertNotIn(LONG_TITLE, plain)
        self.assertIn("Alpha feature", alpha)

    def test_no_color_disables_colour_on_a_tty(self):
        code, out = run_in_pty([BINARY, "list", "--specs-dir", self.specs], self.root, 200,
                               self.pty_env(NO_COLOR="1"))
        self.assertEqual(code, 0)
        self.assertNotIn("\x1b", out)
        self.assertIn(LONG_TITLE, out, "a wide terminal needs no truncation")

    def test_board_titles_fit_a_narrow_tty(self):
        code, out = run_in_pty([BINARY, "board", "--specs-dir", self.specs], self.root, 40, self.pty_env())
        self.assertEqual(code, 0)
        for line in ANSI.sub("", out).rstrip("\n").split("\n"):
            self.assertLessEqual(len(line), 40, line)


class ShowTest(CliTestCase):
    def setUp(self):
        super().setUp()
        build_standard_tree(self.specs)

    def test_refs_by_id_number_and_slug(self):
        for ref in ["001-alpha", "1", "001", "alpha"]:
            with self.subTest(ref=ref):
                self.assertEqual(self.json_of("show", ref)["id"], "001-alpha")

    def test_text_has_metadata_then_body(self):
        out = self.ok("show", "2").stdout
        first, rest = out.split("\n", 1)
        self.assertEqual(first, "002-beta  Beta Engine")
        self.assertRegex(rest, r"(?m)^status: +in-progress$")
        self.assertRegex(rest, r"(?m)^priority: +critical$")
        self.assertRegex(rest, r"(?m)^assignee: +bob$")
        self.assertRegex(rest, r"(?m)^depends on: +001-alpha$")
        self.assertIn("\n\n# Beta Engine\n\nThe beta engine runs queries.\n", rest)
        self.assertNotIn("\n\n\n", rest)
        self.assertLess(rest.index("status:"), rest.index("The beta engine"))

    def test_json_is_the_full_spec(self):
        doc = self.json_of("show", "zeta")
        self.assertEqual(doc["id"], "006-zeta")
        self.assertEqual(doc["title"], "Zeta Tool")
        self.assertIn("Main text of zeta.", doc["contentMd"])
        self.assertEqual([s["file"] for s in doc["subSpecs"]], ["DESIGN.md"])

    def test_html(self):
        out = self.ok("show", "2", "--html").stdout
        self.assertIn("<h1>Beta Engine</h1>", out)
        self.assertIn("<p>The beta engine runs queries.</p>", out)
        self.assertNotIn("status:", out)
        doc = self.json_of("show", "2", "--html")
        self.assertEqual(doc["id"], "002-beta")
        self.assertIn("<h1>Beta Engine</h1>", doc["contentHtml"])
        self.assertEqual(doc["html"], doc["contentHtml"])  # the deprecated key, for one release

    def test_sub_spec_by_file_or_name(self):
        for name in ["DESIGN.md", "design", "Design Notes"]:
            with self.subTest(name=name):
                out = self.ok("show", "6", "--sub", name).stdout
                self.assertIn("Zeta design goes here.", out)
                self.assertNotIn("Main text of zeta.", out)
        doc = self.json_of("show", "6", "--sub", "DESIGN")
        self.assertEqual((doc["specId"], doc["file"], doc["name"]), ("006-zeta", "DESIGN.md", "Design Notes"))
        self.assertIn("Zeta design goes here.", doc["content"])
        self.assertRegex(doc["contentHash"], r"^[0-9a-f]{40}$")
        result = self.fails(3, "show", "6", "--sub", "PLAN")
        self.assertIn("DESIGN.md", result.stderr)

    def test_diagnostics_go_to_stderr(self):
        spec(self.specs, "007-broken", """
            status: sideways
            """, """
            # Broken
            """)
        result = self.ok("show", "7")
        self.assertIn("# Broken", result.stdout)
        lines = result.stderr.strip().split("\n")
        self.assertTrue(lines and lines[0], "a diagnostic is printed")
        for line in lines:
            match = DIAGNOSTIC_LINE.match(line)
            self.assertIsNotNone(match, line)
            self.assertTrue(match["file"].endswith("007-broken/README.md"), line)
        self.assertTrue(any("sideways" in line for line in lines), lines)
        self.assertEqual(self.run_cli("show", "7", "--json").stderr, result.stderr)


class NotFoundAndAmbiguousTest(CliTestCase):
    def test_unknown_ref_exits_3(self):
        build_standard_tree(self.specs)
        for args in [("show", "999"), ("show", "no-such-slug"), ("deps", "999")]:
            with self.subTest(args=args):
                result = self.fails(3, *args)
                self.assertIn(args[1], result.stderr)

    def test_missing_specs_dir_exits_3(self):
        missing = os.path.join(self.root, "nowhere")
        result = self.fails(3, "list", "--specs-dir", missing, specs_dir=False)
        self.assertIn("nowhere", result.stderr)
        os.rmdir(self.specs)
        result = self.fails(3, "list", specs_dir=False)
        self.assertIn("specs", result.stderr)

    def test_ambiguous_number_exits_4_naming_both(self):
        spec(self.specs, "038-a", "status: planned", "# A\n")
        spec(self.specs, "038-b", "status: planned", "# B\n")
        for args in [("show", "38"), ("show", "038"), ("deps", "38")]:
            with self.subTest(args=args):
                result = self.fails(4, *args)
                self.assertIn("038-a", result.stderr)
                self.assertIn("038-b", result.stderr)
        self.assertEqual(self.json_of("show", "038-b")["id"], "038-b")


def watch_opens(paths):
    """An inotify descriptor (ctypes, no strace) that hears every open of `paths` (folders: also
    of the files in them); read it with opened()."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    fd = libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
    if fd < 0:
        raise unittest.SkipTest("inotify is not available")
    in_open = 0x20
    for path in paths:
        if libc.inotify_add_watch(fd, path.encode(), in_open) < 0:
            raise unittest.SkipTest("inotify_add_watch failed")
    return fd


def opened(fd):
    """How many open events the inotify descriptor `fd` holds (and forgets them)."""
    count = 0
    while True:
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return count
        at = 0
        while at < len(data):
            _, _, _, length = struct.unpack_from("iIII", data, at)
            at += 16 + length
            count += 1


class OneShotTest(CliTestCase):
    """One-shot commands read only what they need (issue 18): `show` reads the folder it names,
    and `search` checks its query before it reads the tree."""

    def setUp(self):
        super().setUp()
        build_standard_tree(self.specs)
        spec(self.specs, "038-a", "status: planned", "# A\n")
        spec(self.specs, "038-b", "status: sideways", "# B\n\nBody of b.\n")
        spec(os.path.join(self.specs, "archived"), "040-old", "status: complete", "# Old\n")
        spec(os.path.join(self.specs, "20251101"), "041-grouped", "status: draft\ntags: [x]",
             "# Grouped\n", {"PLAN.md": "# The plan\n\nSteps.\n"})
        spec(os.path.join(self.specs, "20251101"), "002-beta", "status: planned", "# Beta again\n")

    def test_show_reads_no_other_spec_folder(self):
        others = [os.path.join(self.specs, name) for name in ("001-alpha", "003-gamma", "038-a")]
        fd = watch_opens(others)
        try:
            self.ok("show", "006-zeta", "--json")
            self.ok("show", "zeta")
            self.assertEqual(opened(fd), 0, "show opened another spec folder or its files")
            self.ok("search", "zeta")  # the control: a command that reads every spec is heard
            self.assertGreater(opened(fd), 0)
        finally:
            os.close(fd)

    def test_show_equals_the_fully_loaded_snapshot(self):
        # The database path loads the whole tree into a snapshot and resolves refs there: the
        # one-folder read must print the same bytes, errors and exit codes.
        db = ["--db", "sqlite:" + os.path.join(self.root, "specs.db")]
        self.ok(*db, "project", "add", "acme/web", specs_dir=False)
        self.ok(*db, "--project", "acme/web", "import")
        refs = ["001-alpha", "1", "001", "alpha", "2", "002-beta", "beta", "20251101/002-beta", "38",
                "038", "038-b", "b", "40", "archived/040-old", "old", "41", "grouped", "6", "999",
                "nope", "../x", "20251101/", "specs/001-alpha"]
        for ref in refs:
            for extra in ([], ["--json"], ["--html"], ["--sub", "plan"]):
                with self.subTest(ref=ref, extra=extra):
                    one = self.run_cli("show", ref, *extra)
                    full = self.run_cli(*db, "--project", "acme/web", "show", ref, *extra, specs_dir=False)
                    self.assertEqual((one.returncode, one.stdout), (full.returncode, full.stdout))
                    # Diagnostics name files relative to the current folder: the database's are
                    # relative to its specs directory.
                    self.assertEqual(one.stderr.replace("specs/", ""), full.stderr.replace("specs/", ""))

    def test_a_bad_query_fails_before_the_tree_is_read(self):
        missing = os.path.join(self.root, "nowhere")
        result = self.fails(2, "search", "cache AND (", "--specs-dir", missing, specs_dir=False)
        self.assertIn("unbalanced parenthesis", result.stderr)
        self.assertNotIn("nowhere", result.stderr)
        self.fails(3, "search", "cache", "--specs-dir", missing, specs_dir=False)


class SearchTest(CliTestCase):
    def setUp(self):
        super().setUp()
        build_standard_tree(self.specs)

    def test_json_ranks_hits(self):
        doc = self.json_of("search", "cache", "invalidation")
        self.assertEqual([hit["id"] for hit in doc["results"]], ["001-alpha"])
        self.assertEqual(doc["total"], 1)
        self.assertTrue(doc["results"][0]["snippet"])
        doc = self.json_of("search", "engine")
        self.assertEqual(doc["results"][0]["id"], "002-beta")

    def test_limit(self):
        everything = self.json_of("search", "status:planned OR status:draft")
        self.assertEqual(everything["total"], 3)
        self.assertEqual(len(everything["results"]), 3)
        doc = self.json_of("search", "status:planned", "OR", "status:draft", "--limit", "1")
        self.assertEqual(len(doc["results"]), 1)
        self.assertEqual(doc["total"], 3)

    def test_table(self):
        out = self.ok("search", "engine").stdout
        lines = out.rstrip("\n").split("\n")
        self.assertEqual(lines[0].split(), ["RANK", "ID", "TITLE", "SNIPPET"])
        self.assertTrue(lines[1].startswith("1 "))
        self.assertIn("002-beta", lines[1])
        self.assertIn("Beta Engine", lines[1])
        self.assertEqual(self.ok("search", "xylophone").stdout, "No specs match 'xylophone'.\n")

    def test_a_query_over_the_caps_is_a_usage_error_naming_the_cap(self):
        # 1 MB in ten arguments (one argument may not exceed 128 KiB on Linux).
        result = self.fails(2, "search", *(["x" * 100_000] * 10), "--json")
        self.assertIn("longer than the limit of 4096 bytes", result.stderr)
        result = self.fails(2, "search", *[f"w{i}" for i in range(65)])
        self.assertIn("more than 64 terms", result.stderr)
        result = self.fails(2, "search", *[f"w{i}~1" for i in range(9)])
        self.assertIn("more than 8 fuzzy terms", result.stderr)


class StatsTest(CliTestCase):
    def test_json_and_text(self):
        build_standard_tree(self.specs)
        doc = self.json_of("stats")
        self.assertEqual(doc["totalSpecs"], 6)
        by_status = {row["status"]: row["count"] for row in doc["specsByStatus"]}
        self.assertEqual(by_status, {"draft": 1, "planned": 2, "in-progress": 1, "complete": 1, "archived": 1})
        by_priority = {row["priority"]: row["count"] for row in doc["specsByPriority"]}
        self.assertEqual(by_priority, {"low": 1, "medium": 2, "high": 1, "critical": 1})
        self.assertEqual(doc["specsWithoutPriority"], 1)
        self.assertEqual({row["tag"]: row["count"] for row in doc["specsByTag"]},
                         {"cli": 3, "core": 2, "docs": 1})
        self.assertEqual({row["assignee"]: row["count"] for row in doc["specsByAssignee"]},
                         {"alice": 2, "bob": 1})
        self.assertAlmostEqual(doc["completionRate"], 100 / 6, places=3)

        out = self.ok("stats").stdout
        self.assertTrue(out.startswith("Specs: 6  Complete: 16.7%\n"), out)
        self.assertRegex(out, r"(?m)^in-progress +1$")
        self.assertRegex(out, r"(?m)^none +1$")
        self.assertRegex(out, r"(?m)^cli +3$")
        self.assertRegex(out, r"(?m)^alice +2$")

    def test_text_shows_the_top_10_tags(self):
        for n in range(12):
            tags = ", ".join(f"t{k:02d}" for k in range(n + 1))
            spec(self.specs, f"{n + 1:03d}-s{n}", f"status: planned\ntags: [{tags}]", f"# S{n}\n")
        out = self.ok("stats").stdout
        self.assertIn("TAG (top 10 of 12)", out)
        self.assertRegex(out, r"(?m)^t00 +12$")
        self.assertRegex(out, r"(?m)^t09 +3$")
        self.assertNotRegex(out, r"(?m)^t1[01] ")
        self.assertEqual(len(self.json_of("stats")["specsByTag"]), 12)


class BoardTest(CliTestCase):
    def setUp(self):
        super().setUp()
        build_standard_tree(self.specs)

    def board(self, *args):
        doc = self.json_of("board", *args)
        return [(name, ids(specs)) for name, specs in doc.items()]

    def test_by_status(self):
        self.assertEqual(self.board(), [
            ("draft", ["004-delta"]),
            ("planned", ["001-alpha", "006-zeta"]),
            ("in-progress", ["002-beta"]),
            ("complete", ["003-gamma"]),
        ])
        self.assertEqual(self.board("--all")[-1], ("archived", ["005-epsilon"]))
        self.assertEqual(self.board("--by", "status"), self.board())

    def test_by_priority(self):
        self.assertEqual(self.board("--by", "priority"), [
            ("critical", ["002-beta"]),
            ("high", ["001-alpha"]),
            ("medium", ["006-zeta"]),
            ("low", ["003-gamma"]),
            ("none", ["004-delta"]),
        ])

    def test_by_tag_assignee_and_parent(self):
        self.assertEqual(self.board("--by", "tag"), [
            ("cli", ["001-alpha", "006-zeta"]),
            ("core", ["001-alpha", "002-beta"]),
            ("docs", ["003-gamma"]),
            ("(none)", ["004-delta"]),
        ])
        self.assertEqual(self.board("--by", "assignee", "--all"), [
            ("alice", ["001-alpha", "006-zeta"]),
            ("bob", ["002-beta"]),
            ("(none)", ["003-gamma", "004-delta", "005-epsilon"]),
        ])
        self.assertEqual(self.board("--by", "parent"), [
            ("002-beta", ["003-gamma", "004-delta"]),
            ("(none)", ["001-alpha", "002-beta", "006-zeta"]),
        ])

    def test_by_parent_resolves_each_parent_once_and_keeps_unresolvable_text(self):
        # A parent chain, a parent cycle, a self-parent, a dangling and an ambiguous parent.
        for i in range(1, 40):
            spec(self.specs, f"1{i:02d}-chain", f"status: planned\nparent: 1{i + 1:02d}-chain", "# C\n")
        spec(self.specs, "140-chain", "status: planned\nparent: 150-loop-b", "# End\n")
        spec(self.specs, "150-loop-a", "status: planned\nparent: 151-loop-b", "# A\n")
        spec(self.specs, "151-loop-b", "status: planned\nparent: loop-a", "# B\n")
        spec(self.specs, "160-self", "status: planned\nparent: 160", "# Self\n")
        spec(self.specs, "161-dangling", "status: planned\nparent: 999", "# Dangling\n")
        spec(self.specs, "162-ambiguous", "status: planned\nparent: 38", "# Ambiguous\n")
        spec(self.specs, "038-x", "status: planned", "# X\n")
        spec(self.specs, "038-y", "status: planned", "# Y\n")
        groups = dict(self.board("--by", "parent"))
        for i in range(1, 40):
            self.assertEqual(groups[f"1{i + 1:02d}-chain"], [f"1{i:02d}-chain"])
        self.assertEqual(groups["150-loop-b"], ["140-chain"])  # the text, not a spec: no such id
        self.assertEqual(groups["151-loop-b"], ["150-loop-a"])
        self.assertEqual(groups["150-loop-a"], ["151-loop-b"])  # "loop-a" resolved to its id
        self.assertEqual(groups["160"], ["160-self"])  # a spec is not its own parent
        self.assertEqual(groups["999"], ["161-dangling"])
        self.assertEqual(groups["38"], ["162-ambiguous"])
        self.assertEqual(groups["002-beta"], ["003-gamma", "004-delta"])

    def test_summaries_are_spec_objects(self):
        doc = self.json_of("board")
        alpha = doc["planned"][0]
        self.assertEqual((alpha["id"], alpha["status"], alpha["title"]), ("001-alpha", "planned", LONG_TITLE))
        self.assertNotIn("contentMd", alpha)

    def test_text(self):
        out = self.ok("board").stdout
        self.assertEqual(out, "\n".join([
            "draft (1)",
            "  004-delta  Delta Draft",
            "",
            "planned (2)",
            f"  001-alpha  {LONG_TITLE}",
            "  006-zeta   Zeta Tool",
            "",
            "in-progress (1)",
            "  002-beta  Beta Engine",
            "",
            "complete (1)",
            "  003-gamma  Gamma Docs",
        ]) + "\n")
        self.assertNotIn("archived", out)
        self.assertIn("archived (1)\n  005-epsilon  Epsilon Archived\n", self.ok("board", "--all").stdout)


class DepsTest(CliTestCase):
    def setUp(self):
        super().setUp()
        build_standard_tree(self.specs)

    def test_json(self):
        doc = self.json_of("deps", "beta")
        self.assertEqual(doc["id"], "002-beta")
        self.assertEqual(doc["dependsOn"], ["001-alpha"])
        self.assertEqual(doc["requiredBy"], ["003-gamma"])
        self.assertIsNone(doc["parent"])
        self.assertEqual(sorted(doc["children"]), ["003-gamma", "004-delta"])
        doc = self.json_of("deps", "3", "--transitive")
        self.assertEqual(doc["parent"], "002-beta")
        self.assertEqual(sorted(doc["dependsOnTransitive"]), ["001-alpha", "002-beta"])
        self.assertEqual(doc["ancestors"], ["002-beta"])
        self.assertEqual(doc["cycles"], [])

    def test_text(self):
        out = self.ok("deps", "3").stdout
        self.assertTrue(out.startswith("003-gamma  Gamma Docs\n\n"), out)
        self.assertIn("depends on (1)\n  002-beta  Beta Engine\n", out)
        self.assertIn("required by (0)\n  (none)\n", out)
        self.assertIn("parent (1)\n  002-beta  Beta Engine\n", out)
        self.assertNotIn("transitively", out)
        out = self.ok("deps", "3", "--transitive").stdout
        self.assertRegex(out, r"depends on, transitively \(2\)\n(  00[12]-(alpha|beta) .*\n){2}")
        self.assertIn("ancestors (1)\n  002-beta  Beta Engine\n", out)

    def test_cycles(self):
        spec(self.specs, "010-x", "status: planned\ndepends_on: [011-y]", "# X\n")
        spec(self.specs, "011-y", "status: planned\ndepends_on: [010-x]", "# Y\n")
        doc = self.json_of("deps", "10")
        self.assertEqual(len(doc["cycles"]), 1)
        self.assertEqual(set(doc["cycles"][0]), {"010-x", "011-y"})
        self.assertIn("cycles (1)\n  010-x -> 011-y -> 010-x\n", self.ok("deps", "10").stdout)


class ValidateTest(CliTestCase):
    def test_clean_tree_exits_0(self):
        build_standard_tree(self.specs)
        result = self.ok("validate")
        self.assertEqual(result.stdout, "ok: 6 specs checked, no problems\n")
        self.assertEqual(self.json_of("validate"), [])
        self.ok("validate", "--warnings-as-errors")

    def test_errors_exit_1_with_one_line_per_diagnostic(self):
        build_standard_tree(self.specs)
        spec(self.specs, "007-bad", """
            status: planned
            depends_on:
              - 999-missing
            """, "# Bad\n")
        write(os.path.join(self.specs, "008-broken", "README.md"),
              "---\nstatus: [planned\ntags: {\n---\n\n# Broken\n")
        result = self.run_cli("validate")
        self.assertEqual(result.returncode, 1, result.stderr)
        lines = result.stdout.rstrip("\n").split("\n")
        self.assertEqual(lines[-2], "")
        self.assertRegex(lines[-1], r"^failed: \d+ errors?, \d+ warnings? in 2 specs \(8 checked\)$")
        diagnostics = [DIAGNOSTIC_LINE.match(line) for line in lines[:-2]]
        for line, match in zip(lines, diagnostics):
            self.assertIsNotNone(match, line)
            self.assertIsNotNone(match["code"], line)
        codes = {m["code"] for m in diagnostics}
        self.assertIn("dangling-depends-on", codes)
        self.assertIn("yaml-syntax", codes)
        dangling = next(m for m in diagnostics if m["code"] == "dangling-depends-on")
        self.assertEqual(dangling["file"], "specs/007-bad/README.md", "relative to the cwd")
        yaml_error = next(m for m in diagnostics if m["code"] == "yaml-syntax")
        self.assertIsNotNone(yaml_error["line"], "a YAML error has a line")

        result = self.run_cli("validate", "--json")
        self.assertEqual(result.returncode, 1)
        doc = json.loads(result.stdout)
        self.assertEqual(len(doc), len(diagnostics))
        self.assertEqual({d["code"] for d in doc}, codes)
        self.assertTrue(all(d["severity"] in ("error", "warning") for d in doc))

    def test_warnings_fail_only_with_warnings_as_errors(self):
        spec(self.specs, "038-a", "status: planned", "# A\n")
        spec(self.specs, "038-b", "status: planned", "# B\n")
        result = self.ok("validate")
        self.assertIn("[duplicate-number]", result.stdout)
        self.assertRegex(result.stdout, r"(?m)^ok: 0 errors, 2 warnings in 2 specs \(2 checked\)$")
        result = self.run_cli("validate", "--warnings-as-errors")
        self.assertEqual(result.returncode, 1)
        self.assertRegex(result.stdout, r"(?m)^failed: 0 errors, 2 warnings")
        self.assertEqual(self.run_cli("validate", "--warnings-as-errors", "--json").returncode, 1)


# What a terminal would act on: C0 controls but tab and newline, DEL, C1 controls (U+0080 to
# U+009F: U+009B is a one-character CSI) and the bidi controls that reorder what is shown.
TERMINAL_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# The only escape sequences the CLI itself writes (colours, on a TTY).
OWN_STYLES = re.compile(r"\x1b\[(?:0|1|2|3[1-6])m")
# Injections: retitle the terminal, clear the screen, C1 CSI, bidi override, NUL-like, CR.
EVIL = "\x1b]0;pwned\x07\x1b[2J\u009b2J\u202e\u2066\r\x7f\x01"
EVIL_YAML = r'"\e]0;pwned\a\e[2J\x9b2J\u202e\u2066\r\x7f\x01\0"'


class HostileTextTest(CliTestCase):
    """Spec text may come from anyone (a synced GitHub repository): no human output may hand a
    terminal a control character, whichever field carries it."""

    # Names on disk: C0 controls make a name no specs tree holds (refused with a diagnostic, the
    # REFUSED folder below), so the names that load carry the other dangerous code points.
    NAME_EVIL = "\u009b2J\u202e\u2066"
    HOSTILE_ID = "007-evil\u009b\u202ex"
    REFUSED = "008-ctl\x1b]0;id\x07\nx"

    def setUp(self):
        super().setUp()
        spec(self.specs, "001-host", f"""
            status: planned
            tags: [{EVIL_YAML}, plain]
            assignee: {EVIL_YAML}
            priority: high
            created_at: {EVIL_YAML}
            updated_at: {EVIL_YAML}
            parent: {EVIL_YAML}
            depends_on: [{EVIL_YAML}, 002-bad-status]
            """, f"# Title {EVIL} pwned\n\nBody {EVIL} pwned text\n",
             {f"SUB{self.NAME_EVIL}.md": f"# Sub {EVIL}\n\nsub text\n"})
        spec(self.specs, "002-bad-status", f"""
            status: {EVIL_YAML}
            parent: 001-host
            depends_on: [001-host]
            """, "# Second\n")
        spec(self.specs, self.HOSTILE_ID, "status: draft\nparent: 002-bad-status\ndepends_on: [001-host]",
             f"# Evil id {EVIL}\n")
        spec(self.specs, self.REFUSED, "status: draft", "# Refused\n")

    def assert_inert(self, data, what, own_styles=False):
        text = data if isinstance(data, str) else data.decode("utf-8")  # strict: no invalid byte
        if own_styles:
            text = OWN_STYLES.sub("", text)
        found = TERMINAL_CONTROLS.search(text)
        if found:
            self.fail(f"{what}: raw {found.group()!r} reaches the terminal: "
                      f"{text[max(0, found.start() - 60):found.start() + 20]!r}")

    def run_bytes(self, *args):
        result = subprocess.run([BINARY, *args, "--specs-dir", self.specs], cwd=self.root,
                                capture_output=True, timeout=60)
        self.assert_inert(result.stdout, f"{args} stdout")
        self.assert_inert(result.stderr, f"{args} stderr")
        return result

    def test_every_command_escapes_what_the_specs_say(self):
        commands = [
            ["list"], ["list", "--all"], ["stats"], ["validate"], ["search", "pwned"],
            ["show", "001-host"], ["show", "1", "--sub", f"SUB{self.NAME_EVIL}"], ["show", "1", "--html"],
            ["show", "2"], ["show", self.HOSTILE_ID], ["deps", "1", "--transitive"],
            ["deps", self.HOSTILE_ID, "--transitive"], ["deps", "2"],
        ] + [["board", "--all", "--by", by] for by in ("status", "priority", "tag", "assignee", "parent")]
        seen = b""
        for argv in commands:
            with self.subTest(argv=argv):
                result = self.run_bytes(*argv)
                self.assertIn(result.returncode, (0, 1), result.stderr)
                seen += result.stdout + result.stderr
        # Made visible, not dropped: the text is still there to read.
        self.assertIn(b"pwned", seen)
        self.assertIn(b"\\x1b]0;pwned\\x07", seen)
        self.assertIn(b"\\u009b", seen.lower())
        self.assertIn(b"\\u202e", seen.lower())
        self.assertIn(b"evil", seen)
        self.assertIn(b"008-ctl\\x1b]0;id\\x07\\x0ax", seen)  # the refused folder, named

    def test_errors_escape_the_ref_they_name(self):
        result = self.run_bytes("show", f"nope{EVIL}")
        self.assertEqual(result.returncode, 3)
        self.assertIn(b"pwned", result.stderr)
        result = self.run_bytes("search", f"zzz{EVIL}")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(b"No specs match", result.stdout)

    def test_a_tty_gets_only_the_cli_own_colours(self):
        env = dict(os.environ)
        env.pop("NO_COLOR", None)
        for argv in (["list"], ["board", "--by", "tag"], ["show", "1"], ["validate"], ["stats"],
                     ["deps", "1"], ["search", "pwned"]):
            with self.subTest(argv=argv):
                code, out = run_in_pty([BINARY, *argv, "--specs-dir", self.specs], self.root, 200, env)
                self.assertIn(code, (0, 1))
                self.assertIn("\x1b[", out)
                self.assert_inert(out, argv, own_styles=True)

    def test_watch_escapes_the_ids_it_prints(self):
        proc = subprocess.Popen([BINARY, "--specs-dir", self.specs, "watch", "--count", "1"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            self.assertIn(b"watching", proc.stderr.readline())
            spec(self.specs, f"009-new{self.NAME_EVIL}", "status: planned", "# New\n")
            ready, _, _ = select.select([proc.stdout], [], [], 20)
            self.assertTrue(ready, "no event within 20 s")
            line = proc.stdout.readline()
            self.assertIn(b"009-new", line)
            self.assert_inert(line, "watch")
            self.assertEqual(proc.wait(timeout=20), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            proc.stdout.close()
            proc.stderr.close()


class DiscoveryTest(CliTestCase):
    """--specs-dir vs .lean-spec/config.json (specsDir) vs ./specs."""

    def setUp(self):
        super().setUp()
        spec(self.specs, "001-default", "status: planned", "# Default dir\n")
        self.custom = os.path.join(self.root, "docs", "specs")
        spec(self.custom, "001-custom", "status: planned", "# Custom dir\n")
        spec(self.custom, "002-custom-two", "status: planned", "# Custom two\n")

    def listed(self, *args):
        result = self.ok("list", "--json", *args, specs_dir=False)
        return ids(json.loads(result.stdout)["specs"])

    def test_defaults_to_specs_in_the_current_directory(self):
        self.assertEqual(self.listed(), ["001-default"])

    def test_config_specs_dir(self):
        write(os.path.join(self.root, ".lean-spec", "config.json"), json.dumps({"specsDir": "docs/specs"}))
        self.assertEqual(self.listed(), ["001-custom", "002-custom-two"])
        self.assertEqual(self.listed("--specs-dir", self.specs), ["001-default"], "--specs-dir wins")
        self.assertEqual(self.listed("--specs-dir", "specs"), ["001-default"], "relative to the cwd")

    def test_diagnostic_paths_are_relative_to_the_cwd(self):
        write(os.path.join(self.root, ".lean-spec", "config.json"), json.dumps({"specsDir": "docs/specs"}))
        spec(self.custom, "003-bad", "status: planned\ndepends_on: [999-none]", "# Bad\n")
        result = self.run_cli("validate", specs_dir=False)
        self.assertEqual(result.returncode, 1)
        self.assertIn("docs/specs/003-bad/README.md: error: [dangling-depends-on] ", result.stdout)

    def test_bad_config_exits_5(self):
        write(os.path.join(self.root, ".lean-spec", "config.json"), "{ not json")
        result = self.fails(5, "list", specs_dir=False)
        self.assertIn("config.json", result.stderr)

    def test_config_naming_a_missing_dir_exits_3(self):
        write(os.path.join(self.root, ".lean-spec", "config.json"), json.dumps({"specsDir": "gone"}))
        result = self.fails(3, "list", specs_dir=False)
        self.assertIn("gone", result.stderr)

    def test_global_options_anywhere(self):
        self.assertEqual(ids(json.loads(self.ok("--json", "--specs-dir", self.custom, "list",
                                                specs_dir=False).stdout)["specs"]),
                         ["001-custom", "002-custom-two"])
        self.assertEqual(ids(json.loads(self.ok("list", f"--specs-dir={self.custom}", "--json",
                                                specs_dir=False).stdout)["specs"]),
                         ["001-custom", "002-custom-two"])


class LayoutTest(CliTestCase):
    def test_date_grouped_tree_lists_without_a_config(self):
        spec(os.path.join(self.specs, "20251031"), "001-first", "status: planned", "# First\n")
        spec(os.path.join(self.specs, "20251101"), "002-second", "status: planned", "# Second\n")
        self.assertEqual(ids(self.json_of("list")["specs"]), ["001-first", "002-second"])

    def test_a_tree_without_spec_folders_says_why(self):
        write(os.path.join(self.specs, "notes", "README.md"), "# Notes\n")
        result = self.ok("list")
        self.assertIn("No specs match.", result.stdout)
        self.assertIn("no spec folder found", result.stderr)
        self.assertIn("'notes'", result.stderr)
        self.assertEqual(json.loads(self.ok("list", "--json").stdout)["total"], 0)


class WriteTest(CliTestCase):
    """`update` and `check`: only the touched lines change; a stale base is exit 6, nothing written."""

    README = ("---\nstatus: planned   # soon\npriority: 'low'\ntags:\n  - core\n---\n\n"
              "# Alpha\n\n- [ ] one\n- [x] two\n```\n- [ ] not an item\n```\n")

    def setUp(self):
        super().setUp()
        self.readme = os.path.join(self.specs, "001-alpha", "README.md")
        write(self.readme, self.README)

    def text(self):
        with open(self.readme, encoding="utf-8", newline="") as f:
            return f.read()

    def test_update_changes_only_the_lines_it_touches(self):
        out = self.ok("update", "alpha", "--status", "complete", "--priority", "high",
                      "--tag", "+api", "--tag", "-core", "--set", "owner=web team").stdout
        self.assertRegex(out, r"^001-alpha: updated \([0-9a-f]{12}\)\n$")
        text = self.text()
        stamp = re.search(r"^updated_at: (\S+)$", text, re.M).group(1)
        self.assertEqual(text, "---\nstatus: complete   # soon\npriority: 'high'\ntags:\n  - api\n"
                               f"transitions:\n- status: complete\n  at: {stamp}\ncompleted_at: {stamp}\n"
                               f"owner: web team\nupdated_at: {stamp}\n---\n\n"
                               "# Alpha\n\n- [ ] one\n- [x] two\n```\n- [ ] not an item\n```\n")
        shown = self.json_of("show", "1")
        self.assertEqual((shown["status"], shown["priority"], shown["tags"]), ("complete", "high", ["api"]))
        self.assertEqual(self.json_of("update", "1", "--priority", "high")["contentHash"], shown["contentHash"])
        self.assertEqual(self.text(), text)  # a no-op writes nothing

    def test_check_toggles_one_box(self):
        self.assertEqual(self.ok("check", "1", "1").stdout[:len("001-alpha: checked item 1")],
                         "001-alpha: checked item 1")
        self.assertEqual(self.text(), self.README.replace("- [ ] one", "- [x] one"))
        self.ok("check", "1", "2")
        self.assertEqual(self.text(), self.README.replace("- [ ] one", "- [x] one").replace("- [x] two", "- [ ] two"))
        self.assertIn("2 task-list items", self.fails(3, "check", "1", "3").stderr)

    def test_create_numbers_after_the_highest_and_archive_sets_the_status(self):
        spec(self.specs, "archived/009-old", "status: archived", "# Old\n")
        out = self.ok("create", "Cache: the next layer", "--priority", "high", "--tag", "a,b").stdout
        self.assertEqual(out, "created 010-cache-the-next-layer (specs/010-cache-the-next-layer)\n")
        created = self.json_of("show", "10")
        self.assertEqual((created["title"], created["priority"], created["tags"], created["status"]),
                         ("Cache: the next layer", "high", ["a", "b"], "planned"))
        self.assertEqual(self.json_of("create", "Second", "--slug", "custom")["id"], "011-custom")
        self.fails(2, "create", "x", "--tag", "-a")
        self.fails(2, "create")
        self.assertRegex(self.ok("archive", "alpha").stdout, r"^001-alpha: archived \([0-9a-f]{12}\)\n$")
        self.assertEqual(self.json_of("show", "1")["status"], "archived")
        self.assertIn("status: archived   # soon\n", self.text())

    def test_a_stale_base_is_a_conflict_and_writes_nothing(self):
        before = self.text()
        result = self.fails(6, "update", "1", "--status", "complete", "--if-hash", "0" * 40)
        self.assertIn("changed since", result.stderr)
        self.assertEqual(self.text(), before)
        self.fails(2, "update", "1")
        self.fails(2, "update", "1", "--status", "bogus")
        self.fails(2, "check", "1", "0")
        self.fails(3, "update", "9", "--status", "complete")


class FrontmatterCacheTest(unittest.TestCase):
    """The parse and summary caches under $XDG_CACHE_HOME change no output and follow edits."""

    def test_cached_runs_match_uncached_runs_and_see_edits(self):
        with tempfile.TemporaryDirectory() as root:
            specs = os.path.join(root, "specs")
            spec(specs, "001-alpha", "status: planned\ntags: [a]", "# Alpha\n")
            spec(specs, "002-beta", "status: complete\ncompleted: 2025-01-01", "# Beta\n")
            argv = [BINARY, "--specs-dir", specs, "list", "--all", "--json"]

            def run(**extra):
                env = dict(os.environ, **extra)
                result = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
                return json.loads(result.stdout)

            uncached = run(LEANSPEC_NO_CACHE="1")
            first, second = run(), run()
            self.assertEqual(first, uncached)
            self.assertEqual(second, uncached)
            # list reads summaries (its cache keeps none of files changed in the last 2 s, so
            # here it reads every file each time); show reads in full, with the parse cache
            show = [BINARY, "--specs-dir", specs, "show", "1", "--json"]
            shown = [subprocess.run(show, env=dict(os.environ, **extra), capture_output=True,
                                    text=True, check=True).stdout
                     for extra in ({"LEANSPEC_NO_CACHE": "1"}, {}, {})]
            self.assertEqual(shown[1], shown[0])
            self.assertEqual(shown[2], shown[0])
            names = os.listdir(os.path.join(CACHE_HOME.name, "leanspec"))
            self.assertTrue(any(name.startswith("frontmatter-") for name in names), names)
            spec(specs, "001-alpha", "status: in-progress\ntags: [a]", "# Alpha\n")
            statuses = {s["id"]: s["status"] for s in run()["specs"]}
            self.assertEqual(statuses["001-alpha"], "in-progress")


class DatabaseTest(unittest.TestCase):
    """`project` and `import` on a real SQLite file; reads with --project match the directory's."""

    def test_register_import_and_read_like_the_directory(self):
        with tempfile.TemporaryDirectory() as root:
            specs = os.path.join(root, "specs")
            build_standard_tree(specs)
            db = ["--db", "sqlite:" + os.path.join(root, "specs.db")]

            def run(*args, check=True):
                result = subprocess.run([BINARY, *db, *args], capture_output=True, text=True)
                if check:
                    self.assertEqual(result.returncode, 0, result.stderr)
                return result

            run("project", "add", "acme/web", "--branch", "dev")
            imported = json.loads(run("--project", "acme/web", "--specs-dir", specs, "import", "--json").stdout)
            self.assertEqual((imported["added"], imported["version"]), (6, 1))
            again = json.loads(run("--project", "acme/web", "--specs-dir", specs, "import", "--json").stdout)
            self.assertEqual((again["added"], again["updated"], again["version"]), (0, 0, 1))
            status = json.loads(run("project", "status", "acme/web", "--json").stdout)
            self.assertEqual((status["branch"], status["specCount"]), ("dev", 6))
            self.assertEqual((status["syncIntervalMs"], status["commitSha"]), (300000, None))
            self.assertEqual((status["syncIntervalSeconds"], status["lastCommit"]), (300, None))
            for command in (["list", "--all"], ["search", "alpha"], ["stats"], ["show", "1"]):
                from_db = run("--project", "acme/web", *command, "--json").stdout
                from_dir = run("--specs-dir", specs, *command, "--json").stdout
                self.assertEqual(json.loads(from_db), json.loads(from_dir), command)
            missing = run("--project", "acme/nope", "list", check=False)
            self.assertEqual(missing.returncode, 3)
            self.assertIn("acme/nope", missing.stderr)
            self.assertIn("removed", run("project", "remove", "acme/web").stdout)
            self.assertEqual(json.loads(run("project", "list", "--json").stdout), [])

    def test_a_bad_postgres_url_names_the_host_never_the_password(self):
        result = subprocess.run([BINARY, "--db", "postgres://ann:hunter2secret@127.0.0.1:1/specs",
                                 "project", "list"], capture_output=True, text=True)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("127.0.0.1:1", result.stderr)
        self.assertNotIn("hunter2secret", result.stderr + result.stdout)


class AllProjectsTest(unittest.TestCase):
    """--all-projects (and --project a,b) of list, board, search and stats: a specs directory
    and two projects of a real SQLite store, each spec or hit named with its project."""

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="leanspec-cli-sets-")
        self.root = self._tmp.name
        self.specs = os.path.join(self.root, "local", "specs")  # project id "local"
        spec(self.specs, "001-alpha", "status: planned\ntags: [api]", "# Alpha\n\nThe local cache.\n")
        spec(self.specs, "002-beta", "status: in-progress", "# Beta\n")
        self.db = ["--db", "sqlite:" + os.path.join(self.root, "specs.db")]
        for project, specs in (("acme/web", [("001-alpha", "status: complete\ntags: [web]",
                                              "# Web alpha\n\nThe cache of pages.\n"),
                                             ("010-remote", "status: draft\ntags: [api]", "# Remote\n")]),
                               ("acme/api", [("003-gamma", "status: planned\ntags: [api]",
                                              "# Gamma\n\nA cache for tokens.\n")])):
            tree = os.path.join(self.root, project.replace("/", "-"))
            for spec_id, frontmatter, body in specs:
                spec(tree, spec_id, frontmatter, body)
            self.ok("project", "add", project, specs_dir=False)
            self.ok("--project", project, "import", "--specs-dir", tree, specs_dir=False)

    def tearDown(self):
        self._tmp.cleanup()

    def run_cli(self, *args, specs_dir=True):
        argv = [BINARY, *self.db, *args] + (["--specs-dir", self.specs] if specs_dir else [])
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "NO_COLOR")}
        return subprocess.run(argv, cwd=self.root, env=env, capture_output=True, text=True,
                              timeout=120)

    def ok(self, *args, **kwargs):
        result = self.run_cli(*args, **kwargs)
        self.assertEqual(result.returncode, 0, f"{args}: stderr={result.stderr!r}")
        return result

    def json_of(self, *args, **kwargs):
        return json.loads(self.ok(*args, "--json", **kwargs).stdout)

    def test_list_names_each_spec_project(self):
        page = self.json_of("list", "--all-projects")
        self.assertEqual(page["total"], 5)
        rows = list(zip(page["projectIds"], ids(page["specs"])))
        self.assertEqual(rows[:2], [("acme/web", "001-alpha"), ("local", "001-alpha")])
        self.assertEqual(rows[2:], [("local", "002-beta"), ("acme/api", "003-gamma"),
                                    ("acme/web", "010-remote")])
        tagged = self.json_of("list", "--all-projects", "--tag", "api")
        self.assertEqual(list(zip(tagged["projectIds"], ids(tagged["specs"]))),
                         [("local", "001-alpha"), ("acme/api", "003-gamma"), ("acme/web", "010-remote")])
        table = self.ok("list", "--all-projects").stdout.splitlines()
        self.assertEqual(table[0].split()[:3], ["PROJECT", "ID", "STATUS"])
        self.assertIn("acme/api", table[4])
        # Pages: every spec once, the cursor printed for the next one.
        seen, cursor = [], []
        for _ in range(10):
            page = self.json_of("list", "--all-projects", "--limit", "2", *cursor)
            seen += list(zip(page["projectIds"], ids(page["specs"])))
            if not page["nextCursor"]:
                break
            cursor = ["--cursor", page["nextCursor"]]
        self.assertEqual(seen, rows)
        two = self.json_of("--project", "acme/web,acme/api", "list")
        self.assertEqual(sorted(set(two["projectIds"])), ["acme/api", "acme/web"])
        # One project's JSON has no projectIds.
        self.assertNotIn("projectIds", self.json_of("list"))

    def test_search_board_and_stats(self):
        result = self.json_of("search", "cache", "--all-projects")
        self.assertEqual(sorted((h["projectId"], h["id"]) for h in result["results"]),
                         [("acme/api", "003-gamma"), ("acme/web", "001-alpha"), ("local", "001-alpha")])
        first = self.json_of("search", "cache", "--all-projects", "--limit", "1")
        self.assertEqual((len(first["results"]), first["total"]), (1, 3))
        second = self.json_of("search", "cache", "--all-projects", "--limit", "1",
                              "--cursor", first["nextCursor"])
        self.assertNotEqual(second["results"][0], first["results"][0])
        text = self.ok("search", "cache", "--all-projects").stdout
        self.assertEqual(text.splitlines()[0].split()[:3], ["RANK", "PROJECT", "ID"])
        self.assertNotIn("projectId", self.ok("search", "cache", "--json").stdout)

        stats = self.json_of("stats", "--all-projects")
        self.assertEqual(stats["totalSpecs"], 5)
        counts = {p: {e["status"]: e["count"] for e in c} for p, c in stats["byProject"].items()}
        self.assertEqual(counts["acme/web"]["complete"], 1)
        self.assertEqual(counts["local"]["in-progress"], 1)
        self.assertEqual(sum(counts["acme/api"].values()), 1)
        table = self.ok("stats", "--all-projects").stdout
        self.assertRegex(table, r"acme/web +1 +0 +0 +1 +0 +2")

        board = self.json_of("board", "--all-projects")
        self.assertEqual([(s["projectId"], s["id"]) for s in board["complete"]],
                         [("acme/web", "001-alpha")])
        self.assertIn("  acme/api 003-gamma  Gamma", self.ok("board", "--all-projects").stdout)

    def test_only_a_database_and_bad_combinations(self):
        page = self.json_of("list", "--all-projects", specs_dir=False)
        self.assertEqual(sorted(set(page["projectIds"])), ["acme/api", "acme/web"])
        clash = self.run_cli("--project", "acme/web", "list", "--all-projects")
        self.assertEqual(clash.returncode, 2)
        self.assertIn("--all-projects", clash.stderr)
        bad = self.run_cli("--project", "acme/web,,acme/api", "list")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("acme/web,,acme/api", bad.stderr)
        unknown = self.run_cli("--project", "acme/web,acme/nope", "stats")
        self.assertEqual(unknown.returncode, 3)
        self.assertIn("acme/nope", unknown.stderr)


class ProjectSubjectTest(unittest.TestCase):
    """Commands about one project (sync, project status/remove/add, import) take its id as an
    argument or as --project; `sync --json` prints the sync run as the library writes it."""

    SYNC_RUN_KEYS = {"id", "projectId", "outcome", "startedAt", "endedAt", "added", "updated",
                     "removed", "requests", "notModified", "bytes", "durationMs",
                     "rateLimitRemaining", "path", "commitSha", "commit", "retryAt", "error"}

    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory(prefix="leanspec-cli-db-")
        self.root = self._tmp.name
        self.db = ["--db", "sqlite:" + os.path.join(self.root, "specs.db")]

    def tearDown(self):
        self._tmp.cleanup()

    def run_cli(self, *args, env=None):
        full_env = {k: v for k, v in os.environ.items()
                    if k not in ("GITHUB_TOKEN", "GITHUB_API_URL", "DATABASE_URL")}
        full_env.update(env or {})
        return subprocess.run([BINARY, *self.db, *args], capture_output=True, text=True,
                              timeout=120, env=full_env)

    def ok(self, *args, **kwargs):
        result = self.run_cli(*args, **kwargs)
        self.assertEqual(result.returncode, 0, f"{args}: stderr={result.stderr!r}")
        return result

    def test_positional_id_and_project_option_agree(self):
        specs = os.path.join(self.root, "specs")
        spec(specs, "001-alpha", "status: planned", "# Alpha\n")
        self.ok("project", "add", "acme/web")
        self.ok("project", "add", "--project", "acme/api")
        by_arg = json.loads(self.ok("project", "status", "acme/web", "--json").stdout)
        by_option = json.loads(self.ok("--project", "acme/web", "project", "status", "--json").stdout)
        self.assertEqual(by_arg, by_option)
        self.assertEqual(json.loads(self.ok("project", "status", "acme/api", "--json").stdout)["id"],
                         "acme/api")
        same = self.ok("--project", "acme/web", "project", "status", "acme/web", "--json")
        self.assertEqual(json.loads(same.stdout), by_arg)
        for args in (["--project", "acme/api", "project", "status", "acme/web"],
                     ["--project", "acme/api", "sync", "acme/web"],
                     ["--project", "acme/api", "import", "acme/web", "--specs-dir", specs],
                     ["--project", "acme/api", "project", "remove", "acme/web"]):
            result = self.run_cli(*args)
            self.assertEqual(result.returncode, 2, f"{args}: {result.stderr}")
            self.assertIn("acme/web", result.stderr)
            self.assertIn("acme/api", result.stderr)
        imported = json.loads(self.ok("import", "acme/web", "--specs-dir", specs, "--json").stdout)
        self.assertEqual((imported["projectId"], imported["added"]), ("acme/web", 1))
        again = json.loads(self.ok("--project", "acme/web", "import", "--specs-dir", specs,
                                   "--json").stdout)
        self.assertEqual((again["added"], again["version"]), (0, 1))
        self.assertEqual(self.run_cli("import", "--specs-dir", specs).returncode, 2)
        self.ok("project", "remove", "--project", "acme/api")
        self.ok("project", "remove", "acme/web")
        self.assertEqual(json.loads(self.ok("project", "list", "--json").stdout), [])

    def test_sync_json_is_the_sync_run(self):
        repo = os.path.join(self.root, "repo")
        spec(os.path.join(repo, "specs"), "001-alpha", "status: planned", "# Alpha\n")
        spec(os.path.join(repo, "specs"), "002-beta", "status: draft", "# Beta\n")
        git = ["git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True)
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-q", "-m", "specs"], check=True)
        fake = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support",
                            "fake_github.py")
        server = subprocess.Popen([sys.executable, fake, "--repo", repo,
                                   "--parent-pid", str(os.getpid())],
                                  stdout=subprocess.PIPE, text=True)
        try:
            api = "http://127.0.0.1:" + server.stdout.readline().split()[0]
            self.ok("project", "add", "acme/web")
            run = json.loads(self.ok("sync", "acme/web", "--api-url", api, "--json").stdout)
            self.assertEqual(set(run), self.SYNC_RUN_KEYS)
            self.assertEqual((run["projectId"], run["outcome"], run["added"]), ("acme/web", "ok", 2))
            self.assertGreater(run["id"], 0)
            again = json.loads(self.ok("--project", "acme/web", "sync", "--api-url", api,
                                       "--json").stdout)
            self.assertEqual(set(again), self.SYNC_RUN_KEYS)
            self.assertEqual(again["outcome"], "not_modified")
            self.assertEqual(again["commit"], run["commit"])
            # Every project: an array of runs (acme/api is unknown to the fake: an error run).
            self.ok("project", "add", "acme/api")
            every = self.run_cli("sync", "--api-url", api, "--json")
            self.assertEqual(every.returncode, 5, every.stderr)
            runs = json.loads(every.stdout)
            self.assertEqual([(r["projectId"], r["outcome"]) for r in runs],
                             [("acme/api", "error"), ("acme/web", "not_modified")])
            for r in runs:
                self.assertEqual(set(r), self.SYNC_RUN_KEYS)
        finally:
            server.terminate()
            server.wait(timeout=30)
            server.stdout.close()

    def test_an_interrupted_sync_reads_as_interrupted_with_its_time(self):
        import sqlite3
        self.ok("project", "add", "acme/web")
        # A sync's process was killed: the state says syncing, its lease ran out at 1e12 ms.
        db = sqlite3.connect(os.path.join(self.root, "specs.db"))
        with db:
            db.execute("UPDATE projects SET sync_state = 'syncing'")
            db.execute("INSERT INTO leases (project_id, holder, expires_at) "
                       "VALUES ('acme/web', 'host:1:dead', 1000000000000)")
        db.close()
        status = json.loads(self.ok("project", "status", "acme/web", "--json").stdout)
        self.assertEqual((status["syncState"], status["syncInterruptedAt"]),
                         ("interrupted", 1000000000000))
        self.assertIn("interrupted at 2001-09-09T01:46:40Z",
                      self.ok("project", "status", "acme/web").stdout)
        self.assertIn("interrupted at 2001-09-09T01:46:40Z", self.ok("project", "list").stdout)
        env = {"SPECS_MODE": "database", "DATABASE_URL": self.db[1]}
        service = json.loads(self.ok("status", "--json", env=env).stdout)
        registration = service["projects"][0]["registration"]
        self.assertEqual((registration["syncState"], registration["syncInterruptedAt"]),
                         ("interrupted", 1000000000000))
        self.assertIn("interrupted at 2001-09-09T01:46:40Z", self.ok("status", env=env).stdout)


class DatabaseSafetyTest(unittest.TestCase):
    """Issue 16: connection strings are PostgreSQL and never shown; imports leave SQLite
    checkpointed; read commands create nothing."""

    def run_cli(self, root, *args, **variables):
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(variables)
        return subprocess.run([BINARY, *args], cwd=root, env=env, capture_output=True, text=True,
                              timeout=60)

    def test_a_connection_string_is_postgres_never_a_file_and_never_shown(self):
        url = "host=127.0.0.1 port=1 user=ann password=hunter2secret dbname=specs connect_timeout=2"
        with tempfile.TemporaryDirectory() as root:
            for args in (["project", "add", "acme/web"], ["project", "list"],
                         ["--project", "acme/web", "list"]):
                result = self.run_cli(root, *args, DATABASE_URL=url)
                self.assertEqual(result.returncode, 5, (args, result.stderr))
                self.assertIn("PostgreSQL", result.stderr)
                self.assertNotIn("hunter2secret", result.stdout + result.stderr)
            self.assertEqual(os.listdir(root), [])
            spec(os.path.join(root, "specs"), "001-alpha", "status: planned", "# Alpha\n")
            env = {"SPECS_MODE": "both", "DATABASE_URL": url}  # the database is down
            for extra in ([], ["--json"]):
                result = self.run_cli(root, "status", *extra, **env)
                self.assertEqual(result.returncode, 0, result.stderr)
                if extra:  # the table may cut the description short
                    sources = json.loads(result.stdout)["health"]["sources"]
                    self.assertIn("password=***", sources[1]["description"])
                self.assertNotIn("hunter2secret", result.stdout + result.stderr)
            self.assertEqual(os.listdir(root), ["specs"])

    def test_a_raw_slash_in_a_url_password_is_refused_without_showing_it(self):
        with tempfile.TemporaryDirectory() as root:
            result = self.run_cli(root, "--db", "postgres://ann:hunter2/secret@127.0.0.1:1/specs",
                                  "project", "list")
            self.assertEqual(result.returncode, 5, result.stderr)
            self.assertIn("percent-encode", result.stderr)
            self.assertNotIn("hunter2", result.stderr)
            self.assertNotIn("secret@", result.stderr)

    def test_imports_leave_the_sqlite_file_checkpointed(self):
        with tempfile.TemporaryDirectory() as root:
            specs = os.path.join(root, "specs")
            path = os.path.join(root, "specs.db")
            db = ["--db", "sqlite:" + path]
            self.assertEqual(self.run_cli(root, *db, "project", "add", "acme/web").returncode, 0)
            for round in range(4):
                for n in range(40):
                    spec(specs, f"{n:03d}-spec", "status: planned",
                         f"# Spec {n}\n\nround {round}\n" + "words " * 300)
                result = self.run_cli(root, *db, "--project", "acme/web", "--specs-dir", specs,
                                      "import", "--json")
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(json.loads(result.stdout)["version"], round + 1)
                wal = path + "-wal"
                size = os.path.getsize(wal) if os.path.exists(wal) else 0
                self.assertEqual(size, 0, f"round {round}: the WAL holds {size} bytes")

    def test_read_commands_create_no_file_or_folder(self):
        with tempfile.TemporaryDirectory() as root:
            typo = os.path.join(root, "typo", "specs.db")
            for args in (["--project", "acme/web", "list"], ["project", "list"]):
                result = self.run_cli(root, "--db", "sqlite:" + typo, *args)
                self.assertEqual(result.returncode, 3, result.stderr)
                self.assertIn(typo, result.stderr)
            self.assertEqual(os.listdir(root), [])
            empty = os.path.join(root, "empty.db")
            open(empty, "w").close()
            result = self.run_cli(root, "--db", empty, "--project", "acme/web", "list")
            self.assertEqual(result.returncode, 5, result.stderr)
            self.assertIn(empty, result.stderr)
            self.assertEqual(sorted(os.listdir(root)), ["empty.db"])
            self.assertEqual(os.path.getsize(empty), 0)


class StatusTest(unittest.TestCase):
    """`leanspec status`: the service's mode, sources, projects and cache, configured from the
    environment like an app; every bad variable named, no secret shown."""

    SERVICE_VARIABLES = ("SPECS_MODE", "SPECS_DIR", "DATABASE_URL", "GITHUB_TOKEN",
                         "GITHUB_API_URL", "CACHE_TTL", "WEBHOOK_SECRET",
                         "WEBHOOK_SECRET_PREVIOUS", "REVALIDATION_SECRET", "SYNC_DEADLINE_MS")

    def run_status(self, root, *args, **variables):
        env = {k: v for k, v in os.environ.items() if k not in self.SERVICE_VARIABLES}
        env.update(variables)
        return subprocess.run([BINARY, "status", *args], cwd=root, env=env, capture_output=True,
                              text=True, timeout=60)

    def test_both_mode_lists_each_source_and_project(self):
        with tempfile.TemporaryDirectory() as root:
            specs = os.path.join(root, "specs")
            spec(specs, "001-alpha", "status: planned", "# Alpha\n")
            remote = os.path.join(root, "remote")
            spec(remote, "010-x", "status: draft", "# X\n")
            spec(remote, "011-y", "status: draft", "# Y\n")
            db = "sqlite:" + os.path.join(root, "specs.db")
            for args in (["project", "add", "acme/web"],
                         ["--project", "acme/web", "--specs-dir", remote, "import"]):
                subprocess.run([BINARY, "--db", db, *args], check=True, capture_output=True)

            text = self.run_status(root, SPECS_MODE="both", DATABASE_URL=db)
            self.assertEqual(text.returncode, 0, text.stderr)
            self.assertIn("Mode: both", text.stdout)
            self.assertRegex(text.stdout, r"database\s+ok")
            self.assertRegex(text.stdout, r"acme/web\s+database\s+2\s+idle\s+never")

            result = self.run_status(root, "--json", SPECS_MODE="both", DATABASE_URL=db)
            self.assertEqual(result.returncode, 0, result.stderr)
            status = json.loads(result.stdout)
            self.assertEqual(status["health"]["mode"], "both")
            self.assertFalse(status["health"]["stale"])
            self.assertEqual([(p["id"], p["source"], p["specCount"]) for p in status["projects"]],
                             [(os.path.basename(root), "filesystem", 1), ("acme/web", "database", 2)])
            self.assertEqual(status["projects"][1]["registration"]["syncState"], "idle")
            self.assertIn("hitRate", status["cache"])

    def test_an_unreachable_database_is_down_not_an_error(self):
        with tempfile.TemporaryDirectory() as root:
            spec(os.path.join(root, "specs"), "001-alpha", "status: planned", "# Alpha\n")
            result = self.run_status(root, "--json", "--mode", "both",
                                     DATABASE_URL="postgres://ann:hunter2secret@127.0.0.1:1/specs")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertNotIn("hunter2secret", result.stdout + result.stderr)
            status = json.loads(result.stdout)
            self.assertTrue(status["health"]["stale"])
            self.assertEqual([s["state"] for s in status["health"]["sources"]], ["ok", "down"])
            self.assertEqual(len(status["projects"]), 1)

    def test_the_mode_flag_wins_over_the_environment_it_makes_irrelevant(self):
        with tempfile.TemporaryDirectory() as root:  # no ./specs here
            db = "sqlite:" + os.path.join(root, "specs.db")
            for variables in ({}, {"SPECS_DIR": os.path.join(root, "nowhere")},
                              {"SPECS_MODE": "filesystem", "DATABASE_URL": "mysql://x/y"}):
                result = self.run_status(root, "--json", "--mode", "database", "--db", db,
                                         **variables)
                self.assertEqual(result.returncode, 0, (variables, result.stderr))
                self.assertEqual(json.loads(result.stdout)["health"]["mode"], "database")

    def test_every_bad_variable_is_named_and_no_secret_shown(self):
        with tempfile.TemporaryDirectory() as root:
            result = self.run_status(root, SPECS_MODE="both", SPECS_DIR=os.path.join(root, "no"),
                                     CACHE_TTL="soon", DATABASE_URL="mysql://x/y",
                                     REVALIDATION_SECRET="topsecret\n", GITHUB_TOKEN="ghp_x y",
                                     SYNC_DEADLINE_MS="5 min")
            self.assertEqual(result.returncode, 5)
            self.assertEqual(result.stdout, "")
            for name in ("SPECS_DIR", "CACHE_TTL", "DATABASE_URL", "REVALIDATION_SECRET",
                         "GITHUB_TOKEN", "SYNC_DEADLINE_MS"):
                self.assertIn(name, result.stderr)
            self.assertNotIn("topsecret", result.stderr)
            self.assertNotIn("ghp_x", result.stderr)


class SyncTest(unittest.TestCase):
    """`leanspec sync` against the fake GitHub (tests/support/fake_github.py) over loopback."""

    FAKE_GITHUB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support",
                               "fake_github.py")

    def git(self, repo, *args):
        subprocess.run(["git", "-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.com",
                        *args], check=True, capture_output=True)

    def test_non_ascii_folder_and_file_names_come_through_the_tarball(self):
        # The CLI never calls setlocale: libarchive reads in the "C" locale. The tarball's
        # names are pax records in UTF-8, as tar writers send them.
        with tempfile.TemporaryDirectory() as root:
            repo = os.path.join(root, "repo")
            os.makedirs(repo)
            self.git(repo, "init", "-q", "-b", "main")
            spec(os.path.join(repo, "specs"), "001-café-crème", "status: planned", "# Café\n",
                 {"ñotes-日本語.md": "# Ñotes\n"})
            spec(os.path.join(repo, "specs"), "002-beta", "status: draft", "# Beta\n")
            self.git(repo, "add", "-A")
            self.git(repo, "commit", "-q", "-m", "specs")
            server = subprocess.Popen(["/usr/bin/python3", self.FAKE_GITHUB, "--repo", repo,
                                       "--tarball-format", "pax", "--parent-pid", str(os.getpid())],
                                      stdout=subprocess.PIPE, text=True)
            try:
                api_url = "http://127.0.0.1:%d" % int(server.stdout.readline().split()[0])
                env = {k: v for k, v in os.environ.items()
                       if k not in ("GITHUB_TOKEN", "GITHUB_API_URL") and not k.startswith("LC_")
                       and k != "LANG"}
                db = "sqlite:" + os.path.join(root, "specs.db")
                subprocess.run([BINARY, "--db", db, "project", "add", "acme/web"], check=True,
                               capture_output=True, env=env)
                result = subprocess.run([BINARY, "--db", db, "sync", "--project", "acme/web",
                                         "--api-url", api_url, "--json"],
                                        capture_output=True, text=True, env=env, timeout=60)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                run = json.loads(result.stdout)
                run = run[0] if isinstance(run, list) else run
                self.assertEqual((run["outcome"], run["path"], run["added"]), ("ok", "tarball", 2),
                                 run["error"])
                listed = subprocess.run([BINARY, "--db", db, "--project", "acme/web", "list",
                                         "--json"], capture_output=True, text=True, env=env)
                self.assertEqual(listed.returncode, 0, listed.stderr)
                self.assertEqual([s["id"] for s in json.loads(listed.stdout)["specs"]],
                                 ["001-café-crème", "002-beta"])
            finally:
                server.terminate()
                server.wait(timeout=30)
                server.stdout.close()

    def test_a_github_app_from_the_environment(self):
        # GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY_FILE alone: the installation is looked up,
        # its token fetched with the app's JWT (checked by the fake against the public key).
        with tempfile.TemporaryDirectory() as root:
            repo = os.path.join(root, "repo")
            os.makedirs(repo)
            self.git(repo, "init", "-q", "-b", "main")
            spec(os.path.join(repo, "specs"), "001-alpha", "status: planned", "# Alpha\n")
            self.git(repo, "add", "-A")
            self.git(repo, "commit", "-q", "-m", "specs")
            key = os.path.join(root, "app.pem")
            subprocess.run(["openssl", "genrsa", "-traditional", "-out", key, "2048"], check=True,
                           capture_output=True)
            modulus = subprocess.run(["openssl", "rsa", "-noout", "-modulus", "-in", key],
                                     check=True, capture_output=True, text=True).stdout
            server = subprocess.Popen(["/usr/bin/python3", self.FAKE_GITHUB, "--repo", repo,
                                       "--parent-pid", str(os.getpid())],
                                      stdout=subprocess.PIPE, text=True)
            try:
                api_url = "http://127.0.0.1:%d" % int(server.stdout.readline().split()[0])
                app = {"id": 31, "modulus": modulus.strip().split("=", 1)[1],
                       "installation_id": 5}
                urllib.request.urlopen(api_url + "/_admin/config",
                                       json.dumps({"app": app}).encode(), timeout=10).read()
                env = {k: v for k, v in os.environ.items()
                       if not k.startswith("GITHUB_") and k != "DATABASE_URL"}
                env.update(GITHUB_APP_ID="31", GITHUB_APP_PRIVATE_KEY_FILE=key)
                db = "sqlite:" + os.path.join(root, "specs.db")
                subprocess.run([BINARY, "--db", db, "project", "add", "acme/web"], check=True,
                               capture_output=True, env=env)
                result = subprocess.run([BINARY, "--db", db, "sync", "--project", "acme/web",
                                         "--api-url", api_url, "--json"],
                                        capture_output=True, text=True, env=env, timeout=60)
                self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
                run = json.loads(result.stdout)
                run = run[0] if isinstance(run, list) else run
                self.assertEqual((run["outcome"], run["added"]), ("ok", 1), run["error"])
                with urllib.request.urlopen(api_url + "/_admin/stats", timeout=10) as answer:
                    stats = json.loads(answer.read())["app"]
                self.assertEqual((stats["installation_lookups"], stats["access_tokens"],
                                  stats["jwt_rejected"]), (1, 1, 0))
                for secret in stats["tokens"] + stats["jwts"]:
                    self.assertNotIn(secret, result.stdout + result.stderr)
                # A key that is not one: a config error naming the variable, not the key.
                with open(key, "w") as f:
                    f.write("-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0\n"
                            "-----END RSA PRIVATE KEY-----\n")
                result = subprocess.run([BINARY, "--db", db, "sync", "--project", "acme/web",
                                         "--api-url", api_url], capture_output=True, text=True,
                                        env=env, timeout=60)
                self.assertNotEqual(result.returncode, 0)
                self.assertIn("GITHUB_APP_PRIVATE_KEY_FILE", result.stderr)
                self.assertNotIn("c2VjcmV0", result.stdout + result.stderr)
            finally:
                server.terminate()
                server.wait(timeout=30)
                server.stdout.close()


class GithubWriteTest(unittest.TestCase):
    """update, check, create and archive with --project: commits to the fake GitHub."""

    FAKE_GITHUB = SyncTest.FAKE_GITHUB
    git = SyncTest.git

    def test_writes_commit_to_the_repository_and_the_store(self):
        with tempfile.TemporaryDirectory() as root:
            repo = os.path.join(root, "repo")
            os.makedirs(repo)
            self.git(repo, "init", "-q", "-b", "main")
            spec(os.path.join(repo, "specs"), "001-alpha", "status: planned",
                 "# Alpha\n\n- [ ] one\n- [ ] two\n")
            self.git(repo, "add", "-A")
            self.git(repo, "commit", "-q", "-m", "specs")
            server = subprocess.Popen(["/usr/bin/python3", self.FAKE_GITHUB, "--repo", repo,
                                       "--token", "ghp_writeCanary0123456789",
                                       "--parent-pid", str(os.getpid())],
                                      stdout=subprocess.PIPE, text=True)
            try:
                api_url = "http://127.0.0.1:%d" % int(server.stdout.readline().split()[0])
                env = {k: v for k, v in os.environ.items()
                       if not k.startswith("GITHUB_") and k != "DATABASE_URL"}
                env.update(GITHUB_TOKEN="ghp_writeCanary0123456789", GITHUB_API_URL=api_url)
                db = "sqlite:" + os.path.join(root, "specs.db")

                def cli(*args):
                    return subprocess.run([BINARY, "--db", db, *args], capture_output=True,
                                          text=True, env=env, timeout=60)

                self.assertEqual(cli("project", "add", "acme/web").returncode, 0)
                self.assertEqual(cli("sync", "--project", "acme/web").returncode, 0)
                done = cli("--project", "acme/web", "update", "1", "--status", "in-progress",
                           "--tag", "+api", "--json")
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertEqual(json.loads(done.stdout)["status"], "in-progress")
                head = subprocess.run(["git", "-C", repo, "show", "main:specs/001-alpha/README.md"],
                                      capture_output=True, text=True, check=True).stdout
                self.assertIn("status: in-progress", head)
                self.assertIn("tags: [api]", head)
                done = cli("--project", "acme/web", "check", "1", "2")
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertIn("checked item 2", done.stdout)
                done = cli("--project", "acme/web", "create", "Second spec", "--json")
                self.assertEqual(done.returncode, 0, done.stderr)
                self.assertEqual(json.loads(done.stdout)["id"], "002-second-spec")
                done = cli("--project", "acme/web", "archive", "2")
                self.assertEqual(done.returncode, 0, done.stderr)
                listed = json.loads(cli("--project", "acme/web", "list", "--all", "--json").stdout)
                self.assertEqual([(s["id"], s["status"]) for s in listed["specs"]],
                                 [("001-alpha", "in-progress"), ("002-second-spec", "archived")])
                # A stale hash: exit 6, nothing written. A token that may not write: a clear
                # error, without the token.
                stale = cli("--project", "acme/web", "update", "1", "--priority", "high",
                            "--if-hash", "a" * 40)
                self.assertEqual(stale.returncode, 6, stale.stderr)
                urllib.request.urlopen(api_url + "/_admin/config", b'{"read_only": true}',
                                       timeout=10).read()
                refused = cli("--project", "acme/web", "update", "1", "--priority", "high")
                self.assertNotEqual(refused.returncode, 0)
                self.assertIn("contents: write", refused.stderr)
                self.assertNotIn("ghp_writeCanary0123456789", refused.stdout + refused.stderr)
                # A project set is not one project.
                self.assertEqual(cli("--project", "*", "update", "1", "--priority", "high")
                                 .returncode, 2)
            finally:
                server.terminate()
                server.wait(timeout=30)
                server.stdout.close()


class WatchTest(unittest.TestCase):
    """`leanspec watch` prints one JSON line per change as files change under it."""

    def test_json_lines_for_edit_new_spec_and_archive(self):
        with tempfile.TemporaryDirectory() as root:
            specs = os.path.join(root, "specs")
            spec(specs, "001-alpha", "status: planned", "# Alpha\n")
            proc = subprocess.Popen([BINARY, "--specs-dir", specs, "watch", "--json", "--count", "3"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            try:
                self.assertIn("watching", proc.stderr.readline())  # ready: edits from now are seen
                lines = []

                def next_event():
                    ready, _, _ = select.select([proc.stdout], [], [], 20)
                    self.assertTrue(ready, "no event within 20 s")
                    lines.append(json.loads(proc.stdout.readline()))
                    return lines[-1]

                spec(specs, "001-alpha", "status: in-progress", "# Alpha two\n")
                self.assertEqual(next_event()["changed"], ["001-alpha"])
                spec(specs, "002-beta", "status: planned", "# Beta\n")
                self.assertEqual(next_event()["added"], ["002-beta"])
                os.makedirs(os.path.join(specs, "archived"))
                os.rename(os.path.join(specs, "001-alpha"), os.path.join(specs, "archived", "001-alpha"))
                self.assertEqual(next_event()["changed"], ["001-alpha"])
                self.assertEqual([e["version"] for e in lines], [2, 3, 4])
                self.assertEqual(proc.wait(timeout=20), 0)  # --count 3 reached
            finally:
                if proc.poll() is None:
                    proc.kill()
                proc.wait()
                proc.stdout.close()
                proc.stderr.close()

    def test_sigint_stops_it_cleanly(self):
        with tempfile.TemporaryDirectory() as root:
            specs = os.path.join(root, "specs")
            spec(specs, "001-alpha", "status: planned", "# Alpha\n")
            proc = subprocess.Popen([BINARY, "--specs-dir", specs, "watch"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            self.assertIn("1 specs", proc.stderr.readline())
            proc.send_signal(2)
            self.assertEqual(proc.wait(timeout=20), 0)
            proc.stdout.close()
            proc.stderr.close()


if __name__ == "__main__":
    if not BINARY or not os.access(BINARY, os.X_OK):
        sys.exit(f"usage: {sys.argv[0]} /path/to/leanspec  (or set LEANSPEC_CLI); got {BINARY!r}")
    unittest.main(verbosity=2)
