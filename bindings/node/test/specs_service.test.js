'use strict';
// SpecsService: config from an object or the environment, routing by project id over a real
// specs directory and a real SQLite file, health, cache control, revalidation, events.
const assert = require('node:assert/strict');
const path = require('node:path');
const { test } = require('node:test');
const leanspec = require('..');
const { sampleTree, rejectsWith, nextEvent } = require('./helpers');

test('filesystem mode serves the specs directory with every SpecSource call', async () => {
  const tree = sampleTree();
  const service = await leanspec.SpecsService.open({ specsDir: tree.specsDir, revalidationSecret: 's3cret' });
  try {
    assert.ok(service instanceof leanspec.SpecSource);
    assert.equal(service.mode, 'filesystem');
    const id = service.filesystemProjectId;
    assert.ok(id.length > 0);
    assert.deepEqual((await service.projects()).map((p) => p.id), [id]);
    assert.equal((await service.list()).total, 4);
    assert.equal((await service.get('2')).title, 'File watcher');
    assert.equal(await service.get('999'), null);
    assert.equal((await service.search('inotify')).results[0].id, '002-watcher');
    assert.equal((await service.stats()).totalSpecs, 4);
    assert.deepEqual((await service.relationships('1')).requiredBy, ['002-watcher']);
    assert.deepEqual(await service.validate(), []);
    assert.equal((await service.byStatus()).planned.length, 2);
    await service.list();
    const cache = service.cacheStats();
    assert.ok(cache.hits >= 1 && cache.misses >= 1, JSON.stringify(cache));
    assert.equal(cache.sources[0].source, 'filesystem');

    const [served] = await service.servedProjects();
    assert.deepEqual([served.id, served.source, served.stale, served.registration], [id, 'filesystem', false, null]);
    const health = await service.health();
    assert.equal(health.mode, 'filesystem');
    assert.equal(health.stale, false);
    assert.deepEqual(health.sources.map((s) => [s.source, s.state, s.error]), [['filesystem', 'ok', null]]);
    assert.equal(typeof health.sources[0].since, 'number');
    assert.equal(await service.isStale(), false);

    assert.equal(service.revalidate('wrong'), false);
    assert.equal(service.revalidate(''), false);
    assert.equal(service.revalidate('s3cret', { ref: '2' }), true);
    assert.equal(service.revalidate('s3cret'), true);
    service.invalidate('1');
    service.invalidate();
    assert.equal(service.cacheStats().entries, 0);

    // a database project id when the mode has no database
    await rejectsWith(assert, service.list({ projectId: 'acme/web' }), 'not_found');
    await rejectsWith(assert, service.addProject({ id: 'acme/web' }), 'not_found');
  } finally {
    await service.close();
    tree.remove();
  }
});

test('the service watches its specs directory: an edit is an event and the next answer', async () => {
  const tree = sampleTree();
  const service = await leanspec.SpecsService.open({ specsDir: tree.specsDir });
  try {
    assert.equal((await service.get('4')).status, 'planned');
    const event = nextEvent((l) => {
      service.on('change', l);
      return () => service.off('change', l);
    });
    tree.spec('004-board', ['status: in-progress'], '# Board view\n');
    assert.deepEqual((await event).changed, ['004-board']);
    assert.equal((await service.get('4')).status, 'in-progress');
  } finally {
    await service.close();
    tree.remove();
  }
});

// The process's threads (each watcher has its own).
const threads = () => Number(/^Threads:\s+(\d+)$/m.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'))[1]);

test('services opened with one configuration share one service; the last close closes it', async () => {
  const tree = sampleTree();
  const other = sampleTree();
  const first = await leanspec.SpecsService.open({ specsDir: tree.specsDir });
  let second = null;
  let third = null;
  try {
    const before = threads();
    // As Next.js does: the same module evaluated again (pages, route handlers, a dev reload)
    second = await leanspec.SpecsService.open({ specsDir: tree.specsDir });
    assert.notEqual(second, first);
    assert.equal(threads(), before, 'a second service with the same configuration started threads');
    assert.equal(second.filesystemProjectId, first.filesystemProjectId);
    first.invalidate();
    await second.list();
    assert.equal(first.cacheStats().entries, second.cacheStats().entries, 'two caches: two services');

    // another configuration is another service, with its own watcher
    third = await leanspec.SpecsService.open({ specsDir: other.specsDir });
    assert.ok(threads() > before, 'another configuration shared a service');

    // closing one wrapper leaves the service to the other: it still serves and watches
    await first.close();
    const event = nextEvent((l) => {
      second.on('change', l);
      return () => second.off('change', l);
    });
    tree.spec('004-board', ['status: complete'], '# Board view\n');
    assert.deepEqual((await event).changed, ['004-board']);
    assert.equal((await second.get('4')).status, 'complete');
    await rejectsWith(assert, first.list(), 'invalid_argument');
  } finally {
    await first.close().catch(() => {});
    await second?.close();
    await third?.close();
    tree.remove();
    other.remove();
  }
});

test('update and toggleChecklistItem write the README, guarded by its content hash', async () => {
  const tree = sampleTree();
  const service = await leanspec.SpecsService.open({ specsDir: tree.specsDir });
  try {
    const before = await service.get('1');
    const after = await service.update('1', { priority: 'low', tagsAdd: 'api', tagsRemove: ['core'], fields: { owner: 'web' } },
      { baseHash: before.contentHash });
    assert.deepEqual([after.priority, after.tags, after.customFields.owner], ['low', ['cache', 'api'], 'web']);
    assert.equal((await service.get('1')).priority, 'low'); // the service's next call sees it
    const text = require('node:fs').readFileSync(path.join(tree.specsDir, '001-cache-layer', 'README.md'), 'utf8');
    assert.match(text, /^tags: \[cache, api\]$/m);
    const toggled = await service.toggleChecklistItem('1', 2, { baseHash: after.contentHash });
    assert.match(toggled.contentMd, /- \[x\] metrics/);
    await rejectsWith(assert, service.update('1', { status: 'complete' }, { baseHash: before.contentHash }), 'conflict');
    await rejectsWith(assert, service.update('1', { status: 'bogus' }, { baseHash: toggled.contentHash }), 'invalid_argument');
    await rejectsWith(assert, service.update('1', { statu: 'complete' }, { baseHash: toggled.contentHash }), 'invalid_argument');
    await rejectsWith(assert, service.update('1', { status: 'complete' }, {}), 'invalid_argument');
    await rejectsWith(assert, service.toggleChecklistItem('1', 0, { baseHash: toggled.contentHash }), 'invalid_argument');
    assert.ok(leanspec.errorCodes.includes('conflict'));
    const created = await service.create({ title: 'From Node', tags: ['node'], priority: 'high' });
    assert.deepEqual([created.status, created.priority, created.tags], ['planned', 'high', ['node']]);
    assert.equal((await service.get(created.id)).title, 'From Node'); // the next call sees it
    await rejectsWith(assert, service.create({ title: '!!!' }), 'invalid_argument', /slug/);
    await rejectsWith(assert, service.create({ titel: 'x' }), 'invalid_argument');
  } finally {
    await service.close();
    tree.remove();
  }
});

test('both mode routes by project id: none to the directory, a registered one to SQLite', async () => {
  const tree = sampleTree();
  const other = sampleTree();
  other.spec('005-only-in-db', ['status: draft'], '# Only in the database\n');
  const service = await leanspec.SpecsService.open({
    mode: 'both', specsDir: tree.specsDir, databaseUrl: `sqlite:${path.join(tree.root, 'service.db')}`,
  });
  try {
    await service.addProject({ id: 'acme/web', specsPath: 'specs' });
    assert.deepEqual(await service.importDirectory('acme/web', other.specsDir), { added: 5, updated: 0, removed: 0, version: 1 });
    assert.equal((await service.list()).total, 4);
    assert.equal((await service.list({ projectId: 'acme/web' })).total, 5);
    assert.equal((await service.get('5', { projectId: 'acme/web' })).title, 'Only in the database');
    assert.equal(await service.get('5'), null);
    const served = await service.servedProjects();
    assert.deepEqual(served.map((p) => p.source), ['filesystem', 'database']);
    assert.equal(served[1].registration.specCount, 5);
    assert.deepEqual((await service.registeredProjects()).map((p) => p.id), ['acme/web']);
    assert.deepEqual((await service.health()).sources.map((s) => s.state), ['ok', 'ok']);
    await service.updateProject({ id: 'acme/web', branch: 'dev' });
    assert.equal(await service.removeProject('acme/web'), true);
    await rejectsWith(assert, service.list({ projectId: 'acme/web' }), 'not_found');
  } finally {
    await service.close();
    tree.remove();
    other.remove();
  }
});

test('project sets: list, search and stats over "*" and "a,b" name each spec\'s project', async () => {
  const tree = sampleTree();
  const other = sampleTree();
  other.spec('005-only-in-db', ['status: draft', 'tags: [api]'], '# Only in the database\n');
  const service = await leanspec.SpecsService.open({
    mode: 'both', specsDir: tree.specsDir, databaseUrl: `sqlite:${path.join(tree.root, 'sets.db')}`,
  });
  try {
    for (const id of ['acme/web', 'acme/api']) {
      await service.addProject({ id });
      await service.importDirectory(id, other.specsDir);
    }
    const fsId = service.filesystemProjectId;
    const every = await service.list({ projectId: '*' });
    assert.equal(every.total, 14);
    assert.equal(every.projectIds.length, every.specs.length);
    assert.deepEqual([...new Set(every.projectIds)].sort(), ['acme/api', 'acme/web', fsId].sort());
    const tagged = await service.list({ projectId: '*', tags: 'api' });
    assert.deepEqual(tagged.projectIds, ['acme/api', 'acme/web']);
    assert.equal((await service.list({ projectId: 'acme/web' })).projectIds, undefined);

    const seen = [];
    let cursor;
    for (let pages = 0; pages < 20; pages++) {
      const page = await service.list({ projectId: 'acme/web,acme/api', limit: 3, cursor });
      page.specs.forEach((s, i) => seen.push(`${page.projectIds[i]}:${s.id}`));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    assert.equal(seen.length, 10);
    assert.equal(new Set(seen).size, 10);

    const first = await service.search('cache', { projectId: '*', limit: 1 });
    assert.equal(first.results.length, 1);
    assert.ok([fsId, 'acme/web', 'acme/api'].includes(first.results[0].projectId));
    assert.equal(typeof first.nextCursor, 'string');
    const rest = await service.search('cache', { projectId: '*', limit: 0, cursor: first.nextCursor });
    assert.equal(rest.results.length + 1, first.total);
    assert.equal(rest.nextCursor, undefined);
    const one = await service.search('cache', { projectId: 'acme/web' });
    assert.equal(one.results[0].projectId, undefined);

    const stats = await service.stats({ projectId: '*' });
    assert.equal(stats.totalSpecs, 14);
    assert.deepEqual(Object.keys(stats.byProject).sort(), ['acme/api', 'acme/web', fsId].sort());
    assert.equal(stats.byProject['acme/api'].find((e) => e.status === 'draft').count, 1);
    assert.equal((await service.stats({ projectId: 'acme/web' })).byProject, undefined);
    await rejectsWith(assert, service.list({ projectId: 'acme/web,,acme/api' }), 'invalid_argument');
    await rejectsWith(assert, service.stats({ projectId: 'acme/web,no/such' }), 'not_found');
  } finally {
    await service.close();
    tree.remove();
    other.remove();
  }
});

test('from the environment; bad variables are a config error naming each, never a secret', async () => {
  const tree = sampleTree();
  const saved = { ...process.env };
  try {
    Object.assign(process.env, { SPECS_MODE: 'filesystem', SPECS_DIR: tree.specsDir, CACHE_TTL: '1000' });
    const service = await leanspec.SpecsService.open();
    assert.equal(service.mode, 'filesystem');
    assert.equal((await service.list()).total, 4);
    await service.close();

    Object.assign(process.env, { SPECS_MODE: 'sideways', CACHE_TTL: 'often', REVALIDATION_SECRET: 'top\u0001secret' });
    await rejectsWith(assert, leanspec.SpecsService.open(), 'config', /SPECS_MODE[\s\S]*CACHE_TTL|CACHE_TTL[\s\S]*SPECS_MODE/);
    await assert.rejects(leanspec.SpecsService.open(), (e) => !e.message.includes('top\u0001secret'));
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
    tree.remove();
  }
});

test('config objects are checked: problems() names them, open() rejects them', async () => {
  const problems = await leanspec.SpecsService.problems({ specsDir: '/nonexistent/specs' });
  assert.equal(problems.length, 1);
  assert.match(problems[0], /SPECS_DIR/);
  await rejectsWith(assert, leanspec.SpecsService.open({ specsDir: '/nonexistent/specs' }), 'config', /SPECS_DIR/);
  await rejectsWith(assert, leanspec.SpecsService.open({ mode: 'cloud' }), 'invalid_argument', /mode/);
  await rejectsWith(assert, leanspec.SpecsService.open({ webhookSecrets: 'x' }), 'invalid_argument', /webhookSecrets/);
  await rejectsWith(assert, leanspec.SpecsService.open({ specs_dir: 'x' }), 'invalid_argument', /specs_dir/);
});

test('the memory budget and GitHub App options reach the service and the database source', async () => {
  const tree = sampleTree();
  const databaseUrl = 'sqlite:' + path.join(tree.root, 'budget.db');
  try {
    // cacheBytes 0: nothing kept in memory, every read from the database, the same answers.
    const db = await leanspec.DatabaseSource.open({ databaseUrl, cacheBytes: 0 });
    await db.addProject({ id: 'acme/web' });
    await db.importDirectory('acme/web', tree.specsDir);
    const service = await leanspec.SpecsService.open({ mode: 'database', databaseUrl, cacheBytes: 0 });
    assert.deepEqual((await service.list({ projectId: 'acme/web' })).specs.map((s) => s.id),
      (await db.list({ projectId: 'acme/web' })).specs.map((s) => s.id));
    assert.equal((await service.list({ projectId: 'acme/web' })).total, 4);
    await service.close();
    await db.close();
    await rejectsWith(assert, leanspec.DatabaseSource.open({ databaseUrl, cacheBytes: -1 }), 'invalid_argument', /cacheBytes/);

    // An app's key is read when the service opens; a bad one is named, never shown.
    const secret = '-----BEGIN PRIVATE KEY-----\nnot-a-key-3f9a\n-----END PRIVATE KEY-----\n';
    await rejectsWith(assert, leanspec.SpecsService.open({ mode: 'database', databaseUrl, githubAppId: 7,
      githubAppPrivateKeyFile: path.join(tree.root, 'missing.pem') }), 'config', /GITHUB_APP_PRIVATE_KEY_FILE/);
    await assert.rejects(leanspec.SpecsService.open({ mode: 'database', databaseUrl, githubAppId: 7,
      githubAppPrivateKey: secret, githubAppInstallationId: 11 }), (e) => {
      assert.equal(e.code, 'config');
      assert.match(e.message, /GITHUB_APP_PRIVATE_KEY/);
      assert.ok(!e.message.includes('not-a-key-3f9a'), e.message);
      return true;
    });
  } finally {
    tree.remove();
  }
});
