'use strict';
// GithubSync through the addon against the suite's fake GitHub (tests/support/fake_github.py)
// over a git repository built here: syncNow fills the DatabaseSource, a second sync costs 304s,
// a forged webhook is rejected (401), a signed ping is answered, bad arguments are named.
const assert = require('node:assert/strict');
const { createHmac } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test, before, after } = require('node:test');
const { DatabaseSource, GithubSync } = require('..');
const { gitRepo, fakeGithub } = require('./helpers');

const secret = 'node-test-secret';
let root;
let fake;
let db;
let sync;

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'leanspec-node-gh-'));
  const repo = gitRepo(path.join(root, 'repo'), { '001-alpha': '---\nstatus: planned\n---\n\n# Alpha\n' });
  fake = await fakeGithub(repo.dir);
  db = await DatabaseSource.open({ databaseUrl: `sqlite:${path.join(root, 'specs.db')}` });
  await db.addProject({ id: 'acme/web', branch: 'main' });
  sync = await GithubSync.open(db, { apiUrl: fake.apiUrl, webhookSecrets: [secret] });
});

after(async () => {
  await sync?.stop();
  await db?.close();
  await fake?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

test('syncNow fills the store; a second sync is answered by 304s', async () => {
  const first = await sync.syncNow('acme/web');
  assert.equal(first.outcome, 'ok', first.error ?? '');
  assert.equal(first.added, 1);
  assert.ok(first.id > 0 && first.requests > 0);
  assert.match(first.commitSha, /^[0-9a-f]{40}$/);
  assert.equal(first.commit, first.commitSha); // the deprecated name, for one release
  assert.equal((await db.list({ projectId: 'acme/web' })).specs[0].title, 'Alpha');
  const second = await sync.syncNow('acme/web');
  assert.equal(second.outcome, 'not_modified');
  assert.ok(second.notModified >= 1);
  assert.equal(second.added + second.updated + second.removed, 0);
});

test('syncRuns lists the stored runs newest first, as syncNow returned them', async () => {
  const runs = await sync.syncRuns('acme/web');
  assert.deepEqual(runs.map((r) => r.outcome), ['not_modified', 'ok']);
  assert.ok(runs[0].id > runs[1].id);
  assert.ok(runs[1].startedAt > 0 && runs[1].endedAt >= runs[1].startedAt);
  assert.equal(runs[1].added, 1);
  assert.equal((await sync.syncRuns('acme/web', { limit: 1 })).length, 1);
  assert.deepEqual(await sync.syncRuns('acme/none'), []);
  await assert.rejects(sync.syncRuns('acme/web', { limit: -1 }), { code: 'invalid_argument', message: /limit/ });
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

test('non-ASCII folder and file names come through the tarball (the process locale is "C")', async () => {
  // A first sync reads the tarball; its names are pax records in UTF-8, as tar writers send.
  const dir = path.join(root, 'utf8');
  const repo = gitRepo(dir, { '001-café-crème': '---\nstatus: planned\n---\n\n# Café\n', '002-beta': '---\nstatus: draft\n---\n\n# Beta\n' });
  fs.writeFileSync(path.join(dir, 'specs', '001-café-crème', 'ñotes-日本語.md'), '# Ñotes\n');
  repo.commit({});
  const server = await fakeGithub(dir, ['--tarball-format', 'pax']);
  const store = await DatabaseSource.open({ databaseUrl: `sqlite:${path.join(root, 'utf8.db')}` });
  try {
    await store.addProject({ id: 'acme/web', branch: 'main' });
    const run = await (await GithubSync.open(store, { apiUrl: server.apiUrl })).syncNow('acme/web');
    assert.equal(run.outcome, 'ok', run.error ?? '');
    assert.equal(run.path, 'tarball');
    assert.equal(run.added, 2);
    const { specs } = await store.list({ projectId: 'acme/web' });
    assert.deepEqual(specs.map((s) => s.id), ['001-café-crème', '002-beta']);
    assert.equal(specs[0].title, 'Café');
  } finally {
    await store.close();
    await server.stop();
  }
});

test('a sync past its deadlineMs fails with an error naming the deadline', async () => {
  const dir = path.join(root, 'slow');
  gitRepo(dir, { '001-alpha': '---\nstatus: planned\n---\n\n# Alpha\n' });
  const server = await fakeGithub(dir);
  const store = await DatabaseSource.open({ databaseUrl: `sqlite:${path.join(root, 'slow.db')}` });
  try {
    // The tarball a first sync asks for never comes in time.
    const answer = await fetch(`${server.apiUrl}/_admin/config`, { method: 'POST', body: JSON.stringify({ endpoint_latency_ms: { codeload: 60000 } }) });
    assert.equal(answer.status, 200);
    await store.addProject({ id: 'acme/web', branch: 'main' });
    const run = await (await GithubSync.open(store, { apiUrl: server.apiUrl, deadlineMs: 1500 })).syncNow('acme/web');
    assert.equal(run.outcome, 'error');
    assert.match(run.error, /deadline of 1500 ms/);
    assert.equal((await store.list({ projectId: 'acme/web' })).specs.length, 0);
  } finally {
    await store.close();
    await server.stop();
  }
});
