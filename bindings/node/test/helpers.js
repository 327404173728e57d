'use strict';
// Fixtures for the node --test suite: spec trees in fresh temporary folders, a git repository
// served by the suite's fake GitHub (tests/support/fake_github.py), bounded waits.
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');

/** A project folder with specs/ in a new temporary directory; remove() deletes it. */
class TempSpecTree {
  constructor() {
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'leanspec-node-'));
    this.specsDir = path.join(this.root, 'specs');
    this.writes = 0;
    fs.mkdirSync(this.specsDir);
  }

  /**
   * Writes specs/<relative>, creating folders; returns the full path. Atomic (a temporary
   * file renamed over it, as editors save), so a watcher never reads it half written.
   */
  write(relative, content) {
    const file = path.join(this.specsDir, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const temporary = path.join(this.root, `.write-${process.pid}-${++this.writes}`);
    fs.writeFileSync(temporary, content);
    fs.renameSync(temporary, file);
    return file;
  }

  /** Writes specs/<id>/README.md from frontmatter lines and a body. */
  spec(id, frontmatter, body = '') {
    return this.write(`${id}/README.md`, `---\n${frontmatter.join('\n')}\n---\n\n${body}`);
  }

  remove() {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** The tree most tests use: four specs with statuses, tags, a dependency, a sub-spec. */
function sampleTree() {
  const tree = new TempSpecTree();
  tree.spec('001-cache-layer', ['status: complete', 'priority: high', 'tags: [cache, core]', 'created: 2025-11-01', 'completed: 2025-11-05'],
    '# Cache layer\n\nA TTL cache in front of every source.\n\n| key | ttl |\n|---|---|\n| list | 60s |\n\n- [x] single flight\n- [ ] metrics\n');
  tree.spec('002-watcher', ['status: in-progress', 'priority: medium', 'tags: [fs]', 'depends_on: [001-cache-layer]', 'created: 2025-11-02'],
    '# File watcher\n\nFollows the specs directory with inotify.\n');
  tree.write('002-watcher/DESIGN.md', '# Watcher design\n\nDebounce bursts.\n');
  tree.spec('003-search', ['status: planned', 'tags: [query, core]', 'assignee: ada', 'created: 2025-11-03'],
    '# Search\n\nRanked search with a query language.\n');
  tree.spec('004-board', ['status: planned', 'priority: low', 'tags: [ui]', 'parent: 003-search', 'created: 2025-11-04'],
    '# Board view\n\nSpecs grouped by status.\n');
  return tree;
}

/**
 * Subscribes with `subscribe(listener) -> unsubscribe` and resolves with the first value that
 * passes `accept`, or rejects after `ms`; unsubscribes either way.
 */
function nextEvent(subscribe, accept = () => true, ms = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`no event within ${ms} ms`));
    }, ms);
    const unsubscribe = subscribe((value) => {
      if (!accept(value)) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(value);
    });
  });
}

/**
 * A git repository at `dir` (branch main) whose specs/ holds `specs` ({id: README.md text}).
 * commit(specs) writes more and commits them: on the fake GitHub, a push.
 */
function gitRepo(dir, specs) {
  const git = (...args) =>
    execFileSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { stdio: 'ignore' });
  const commit = (more) => {
    for (const [id, text] of Object.entries(more)) {
      fs.mkdirSync(path.join(dir, 'specs', id), { recursive: true });
      fs.writeFileSync(path.join(dir, 'specs', id, 'README.md'), text);
    }
    git('add', '.');
    git('commit', '-q', '-m', 'specs');
    return execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  };
  fs.mkdirSync(dir, { recursive: true });
  git('init', '-q', '-b', 'main');
  commit(specs);
  return { dir, commit };
}

/**
 * Starts tests/support/fake_github.py serving `repo` as acme/web (more command-line `args`,
 * e.g. ['--tarball-format', 'pax']); resolves with
 * {apiUrl, stop()} once it listens (its first stdout line is "API_PORT CODELOAD_PORT").
 */
async function fakeGithub(repo, args = []) {
  const script = path.join(__dirname, '..', '..', '..', 'tests', 'support', 'fake_github.py');
  const child = spawn('/usr/bin/python3', [script, '--repo', repo, '--owner', 'acme', '--name', 'web', '--parent-pid', String(process.pid), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const apiPort = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fake_github.py exited with ${code}`)));
    readline.createInterface({ input: child.stdout }).once('line', (line) => resolve(Number(line.split(' ')[0])));
  });
  return {
    apiUrl: `http://127.0.0.1:${apiPort}`,
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Calls `probe` until it returns a truthy value (resolved with), or rejects after `ms`. */
async function eventually(probe, what, ms = 30000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Asserts that `promise` rejects with an Error whose code is `code` (and message matches). */
async function rejectsWith(assert, promise, code, message) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof Error, 'an Error');
    assert.equal(error.code, code, `code of: ${error.message}`);
    if (message) assert.match(error.message, message);
    return true;
  });
}

module.exports = { TempSpecTree, sampleTree, nextEvent, rejectsWith, gitRepo, fakeGithub, eventually };
