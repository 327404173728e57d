'use strict';
// GithubSync through the addon against the suite's fake GitHub (tests/support/fake_github.py)
// over a git repository built here: syncNow fills the DatabaseSource, a second sync costs 304s,
// a forged webhook is rejected (401), a signed ping is answered, bad arguments are named.
const assert = require('node:assert/strict');
const { createHmac } = require('node:crypto');
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { test, before, after } = require('node:test');
const { DatabaseSource, GithubSync } = require('..');

const fakeGithub = path.join(__dirname, '..', '..', '..', 'tests', 'support', 'fake_github.py');
const secret = 'node-test-secret';
let root;
let fake;
let db;
let sync;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'leanspec-node-gh-'));
  const repo = path.join(root, 'repo');
  fs.mkdirSync(path.join(repo, 'specs', '001-alpha'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'specs', '001-alpha', 'README.md'), '---\nstatus: planned\n---\n\n# Alpha\n');
  const git = (...args) => execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'specs');
  fake = spawn('/usr/bin/python3', [fakeGithub, '--repo', repo, '--owner', 'acme', '--name', 'web', '--parent-pid', String(process.pid)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const apiPort = await new Promise((resolve, reject) => {
    fake.once('exit', (code) => reject(new Error(`fake_github.py exited with ${code}`)));
    readline.createInterface({ input: fake.stdout }).once('line', (line) => resolve(Number(line.split(' ')[0])));
  });
  db = await DatabaseSource.open({ databaseUrl: `sqlite:${path.join(root, 'specs.db')}` });
  await db.addProject({ id: 'acme/web', branch: 'main' });
  sync = await GithubSync.open(db, { apiUrl: `http://127.0.0.1:${apiPort}`, webhookSecrets: [secret] });
});

after(async () => {
  await sync?.stop();
  await db?.close();
  if (fake && fake.exitCode === null) {
    const exited = new Promise((r) => fake.once('exit', r));
    fake.kill('SIGTERM');
    await exited;
  }
  fs.rmSync(root, { recursive: true, force: true });
});

test('syncNow fills the store; a second sync is answered by 304s', async () => {
  const first = await sync.syncNow('acme/web');
  assert.equal(first.outcome, 'ok', first.error ?? '');
  assert.equal(first.added, 1);
  assert.ok(first.id > 0 && first.requests > 0);
  assert.match(first.commit, /^[0-9a-f]{40}$/);
  assert.equal((await db.list({ projectId: 'acme/web' })).specs[0].title, 'Alpha');
  const second = await sync.syncNow('acme/web');
  assert.equal(second.outcome, 'not_modified');
  assert.ok(second.notModified >= 1);
  assert.equal(second.added + second.updated + second.removed, 0);
});

test('syncNow of an unknown project rejects with not_found', async () => {
  await assert.rejects(sync.syncNow('acme/none'), { code: 'not_found' });
});

test('handleWebhook: a forged signature is 401, a signed ping 200', async () => {
  const body = Buffer.from('{"zen":"hi","repository":{"full_name":"acme/web"}}');
  const forged = await sync.handleWebhook({ 'X-GitHub-Event': 'ping', 'X-GitHub-Delivery': 'd1', 'X-Hub-Signature-256': `sha256=${'0'.repeat(64)}` }, body);
  assert.equal(forged.status, 401);
  assert.equal(forged.action, 'rejected');
  const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  const ping = await sync.handleWebhook(new Headers({ 'x-github-event': 'ping', 'x-github-delivery': 'd2', 'x-hub-signature-256': signature }), new Uint8Array(body));
  assert.equal(ping.status, 200);
  assert.equal(ping.action, 'ping');
  assert.ok(!JSON.stringify([forged, ping]).includes(secret));
});

test('bad arguments are named', async () => {
  await assert.rejects(GithubSync.open({}), { code: 'invalid_argument', message: /database/ });
  await assert.rejects(GithubSync.open(db, { tokn: 'x' }), { code: 'invalid_argument', message: /tokn/ });
  await assert.rejects(sync.handleWebhook({ a: 'b' }, 42), { code: 'invalid_argument', message: /body/ });
});

test('start and stop the scheduler', async () => {
  sync.start();
  assert.equal(sync.running, true);
  await sync.stop();
  assert.equal(sync.running, false);
});
