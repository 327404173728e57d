'use strict';
// SpecsService's GitHub sync through the addon: a database-mode service on a real SQLite file
// against the suite's fake GitHub (tests/support/fake_github.py) over a git repository built
// here. syncNow fills the project and the next read shows it; syncRuns is the stored history of
// every instance sharing the database; requestSync and a signed push webhook queue syncs the
// scheduler (startSync) runs; without database mode each call says so; no secret comes back.
const assert = require('node:assert/strict');
const { createHmac } = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test, before, after } = require('node:test');
const { SpecsService } = require('..');
const { gitRepo, fakeGithub, eventually, rejectsWith, sampleTree } = require('./helpers');

const secret = 'service-webhook-secret';
const token = 'service-token-never-shown';
const readme = (status, title) => `---\nstatus: ${status}\n---\n\n# ${title}\n`;

let root;
let repo;
let fake;
let config;
let service;
let firstRun; // what syncNow returned for the first sync

const sign = (body) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
// A stored run is the run syncNow returned, but for startedAt: the store notes its own start
// time, read a moment apart from the run's (a difference the library leaves, see the report).
function assertSameRun(stored, returned) {
  const { startedAt, ...rest } = stored;
  const { startedAt: returnedStart, ...returnedRest } = returned;
  assert.deepEqual(rest, returnedRest);
  assert.ok(startedAt > 0 && startedAt <= returned.endedAt && returnedStart <= returned.endedAt, JSON.stringify([stored, returned]));
}
const latestRun = async () => (await service.syncRuns('acme/web', { limit: 1 }))[0];
// Sets the fake's controls (POST /_admin/config).
const configureFake = (settings) =>
  fetch(`${fake.apiUrl}/_admin/config`, { method: 'POST', body: JSON.stringify(settings) }).then((r) => assert.equal(r.status, 200));

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'leanspec-node-service-sync-'));
  repo = gitRepo(path.join(root, 'repo'), { '001-alpha': readme('planned', 'Alpha'), '002-beta': readme('draft', 'Beta') });
  fake = await fakeGithub(repo.dir);
  await configureFake({ rate_limit: 5000 }); // answers carry X-RateLimit-Remaining
  config = {
    mode: 'database',
    databaseUrl: `sqlite:${path.join(root, 'service.db')}`,
    githubApiUrl: fake.apiUrl,
    githubToken: token,
    webhookSecrets: [secret],
  };
  service = await SpecsService.open(config);
  await service.addProject({ id: 'acme/web', branch: 'main' });
});

after(async () => {
  await service?.close();
  await fake?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

test('syncNow fills the project and the next read shows it; a second sync costs only 304s', async () => {
  assert.equal((await service.list()).total, 0); // cached: the sync must drop it
  firstRun = await service.syncNow('acme/web');
  assert.equal(firstRun.outcome, 'ok', firstRun.error ?? '');
  assert.equal(firstRun.projectId, 'acme/web');
  assert.deepEqual([firstRun.added, firstRun.updated, firstRun.removed], [2, 0, 0]);
  assert.ok(firstRun.id > 0 && firstRun.requests > 0 && firstRun.bytes > 0, JSON.stringify(firstRun));
  assert.ok(firstRun.startedAt > 0 && firstRun.endedAt >= firstRun.startedAt);
  assert.ok(firstRun.rateLimitRemaining >= 0 && firstRun.rateLimitRemaining < 5000, String(firstRun.rateLimitRemaining));
  assert.match(firstRun.commitSha, /^[0-9a-f]{40}$/);
  assert.equal(firstRun.commit, firstRun.commitSha); // deprecated
  assert.ok(['blobs', 'tarball'].includes(firstRun.path), firstRun.path);
  assert.equal(firstRun.error, null);
  assert.deepEqual((await service.list()).specs.map((s) => s.title), ['Alpha', 'Beta']);
  assert.equal((await service.get('2', { projectId: 'acme/web' })).status, 'draft');

  const second = await service.syncNow('acme/web');
  assert.equal(second.outcome, 'not_modified');
  assert.ok(second.notModified >= 1);
  assert.deepEqual([second.added, second.updated, second.removed], [0, 0, 0]);
  const [registration] = await service.registeredProjects();
  assert.deepEqual([registration.syncState, registration.commitSha, registration.specCount], ['ok', firstRun.commitSha, 2]);
  assert.equal(registration.lastCommit, registration.commitSha); // deprecated
});

test('syncRuns: the stored history, newest first, the same for every instance on the database', async () => {
  const runs = await service.syncRuns('acme/web');
  assert.deepEqual(runs.map((r) => r.outcome), ['not_modified', 'ok']);
  assert.ok(runs[0].id > runs[1].id && runs[0].startedAt >= runs[1].startedAt);
  assertSameRun(runs[1], firstRun);

  // Another instance (another server process, in production) syncs a push; both list it.
  const other = await SpecsService.open(config);
  try {
    assert.deepEqual(await other.syncRuns('acme/web'), runs);
    repo.commit({ '003-gamma': readme('planned', 'Gamma') });
    const third = await other.syncNow('acme/web');
    assert.equal(third.outcome, 'ok', third.error ?? '');
    assert.equal(third.added, 1);
    assertSameRun(await latestRun(), third);
  } finally {
    await other.close();
  }
  assert.equal((await service.syncRuns('acme/web', { limit: 0 })).length, 3);
  assert.equal((await service.syncRuns('acme/web', { limit: 2 })).length, 2);
  assert.deepEqual(await service.syncRuns('acme/none'), []);
});

test('requestSync queues a sync that the scheduler runs; stopSync ends the scheduler', async () => {
  const before = await latestRun();
  repo.commit({ '001-alpha': readme('in-progress', 'Alpha, started') });
  await service.requestSync('acme/web');
  await service.startSync();
  await service.startSync(); // no-op when running
  try {
    const run = await eventually(async () => {
      const r = await latestRun();
      return r.id > before.id && r.outcome !== 'running' && r;
    }, 'the queued sync run');
    assert.equal(run.outcome, 'ok', run.error ?? '');
    assert.equal(run.updated, 1);
    // The scheduler's sync is a change event: the service's cache drops what it concerns.
    await eventually(async () => (await service.get('1')).status === 'in-progress', 'the synced status');
  } finally {
    await service.stopSync();
    await service.stopSync(); // no-op when stopped
  }
});

test('handleWebhook: forged 401, signed ping 200, a signed push queued and run by the scheduler', async () => {
  const ping = Buffer.from('{"zen":"hi","hook_id":1,"repository":{"full_name":"acme/web"}}');
  const forged = await service.handleWebhook({ 'X-GitHub-Event': 'ping', 'X-GitHub-Delivery': 'p1', 'X-Hub-Signature-256': sign(Buffer.from('other')) }, ping);
  assert.deepEqual([forged.status, forged.action], [401, 'rejected']);
  const unsigned = await service.handleWebhook({ 'X-GitHub-Event': 'ping', 'X-GitHub-Delivery': 'p2' }, ping);
  assert.deepEqual([unsigned.status, unsigned.action], [401, 'rejected']);
  const pong = await service.handleWebhook(new Headers({ 'x-github-event': 'ping', 'x-github-delivery': 'p3', 'x-hub-signature-256': sign(ping) }), new Uint8Array(ping));
  assert.deepEqual([pong.status, pong.action], [200, 'ping']);

  const before = await latestRun();
  const after = repo.commit({ '002-beta': readme('planned', 'Beta, planned') });
  const push = JSON.stringify({
    ref: 'refs/heads/main',
    before: before.commitSha,
    after,
    repository: { full_name: 'acme/web' },
    commits: [{ id: after, added: [], modified: ['specs/002-beta/README.md'], removed: [] }],
    head_commit: { id: after, added: [], modified: ['specs/002-beta/README.md'], removed: [] },
  });
  const headers = { 'X-GitHub-Event': 'push', 'X-GitHub-Delivery': 'push-1', 'X-Hub-Signature-256': sign(push) };
  const queued = await service.handleWebhook(headers, push);
  assert.deepEqual([queued.status, queued.action, queued.projectId], [202, 'queued', 'acme/web'], queued.message);
  const again = await service.handleWebhook(headers, push); // a redelivery
  assert.deepEqual([again.status, again.action], [202, 'ignored'], again.message);

  await service.startSync();
  try {
    const run = await eventually(async () => {
      const r = await latestRun();
      return r.id > before.id && r.outcome !== 'running' && r;
    }, 'the webhook sync run');
    assert.equal(run.outcome, 'ok', run.error ?? '');
    assert.equal(run.commitSha, after);
    assert.equal(run.updated, 1);
    assert.equal(run.path, 'contents'); // the push's paths, fetched without the tree
  } finally {
    await service.stopSync();
  }
  assert.ok(!JSON.stringify([forged, unsigned, pong, queued, again]).includes(secret));
});

test('a failing sync is a run with its error, never the token', async () => {
  await configureFake({ token: 'a-different-token' });
  try {
    const run = await service.syncNow('acme/web');
    assert.equal(run.outcome, 'error');
    assert.ok(run.error.length > 0);
    assertSameRun(await latestRun(), run);
    const [registration] = await service.registeredProjects();
    assert.equal(registration.syncState, 'error');
    const everything = JSON.stringify([run, await service.syncRuns('acme/web', { limit: 0 }), registration, await service.health()]);
    assert.ok(!everything.includes(token) && !everything.includes(secret));
  } finally {
    await configureFake({ token: null });
  }
});

test('bad arguments are named; unknown projects are not_found', async () => {
  await rejectsWith(assert, service.syncNow(42), 'invalid_argument', /projectId/);
  await rejectsWith(assert, service.requestSync(), 'invalid_argument', /projectId/);
  await rejectsWith(assert, service.syncRuns('acme/web', { limit: -1 }), 'invalid_argument', /limit/);
  await rejectsWith(assert, service.syncRuns('acme/web', { lmit: 1 }), 'invalid_argument', /lmit/);
  await rejectsWith(assert, service.handleWebhook(null, ''), 'invalid_argument', /headers/);
  await rejectsWith(assert, service.handleWebhook({}, 42), 'invalid_argument', /body/);
  await rejectsWith(assert, service.syncNow('acme/none'), 'not_found', /acme\/none/);
  await rejectsWith(assert, service.requestSync('acme/none'), 'not_found', /acme\/none/);
});

test('without database mode the sync calls reject not_found and a webhook is answered 404', async () => {
  const tree = sampleTree();
  const local = await SpecsService.open({ specsDir: tree.specsDir, webhookSecrets: [secret] });
  try {
    await rejectsWith(assert, local.startSync(), 'not_found', /database/);
    await rejectsWith(assert, local.syncNow('acme/web'), 'not_found', /database/);
    await rejectsWith(assert, local.requestSync('acme/web'), 'not_found', /database/);
    await rejectsWith(assert, local.syncRuns('acme/web'), 'not_found', /database/);
    await local.stopSync(); // nothing to stop
    const body = '{}';
    const answer = await local.handleWebhook({ 'X-GitHub-Event': 'ping', 'X-Hub-Signature-256': sign(body) }, body);
    assert.deepEqual([answer.status, answer.action], [404, 'rejected']);
  } finally {
    await local.close();
    tree.remove();
  }
  await rejectsWith(assert, local.syncNow('acme/web'), 'invalid_argument', /closed/);
});
