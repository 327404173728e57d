'use strict';
// @libleanspec/node/spec-rows (SpecRowSource) under a fixture app written to the seed design's
// SpecSource interface (fixtures/seed_app.js), over a real specs directory and a real SQLite
// store; each choice spec-rows.d.ts documents where the two see a spec differently.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');
const leanspec = require('..');
const { SpecRowSource } = require('../spec-rows');
const app = require('./fixtures/seed_app');
const { TempSpecTree, rejectsWith } = require('./helpers');

function tree() {
  const t = new TempSpecTree();
  t.spec('001-cache-layer', ['status: complete', 'priority: high', 'tags: [cache, core]', 'created: 2025-11-01',
    'completed_at: 2025-11-05T10:00:00Z', 'updated: 2025-11-04'], '# Cache layer\n\nTTL cache in front of every source.\n');
  t.spec('002-watcher', ['status: in-progress', 'tags: []', 'created_at: 2025-11-02T08:00:00Z', 'updated_at: 2025-11-03T09:30:00Z',
    'depends_on: [001-cache-layer]'], '# File watcher\n\ninotify first, polling after.\n');
  t.spec('003-board', ['status: planned', 'created: not a date'], '# Board view\n\nColumns by status.\n');
  t.spec('004-search', ['status: planned'], '# Search\n\nWatcher events refresh the index.\n');
  t.spec('004-search-v2', ['status: planned'], '# Search, again\n\nA second folder with number 4.\n');
  t.spec('archived/005-old', ['status: complete'], '# Old\n\nArchived by folder.\n');
  t.spec('006-dropped', ['status: archived'], '# Dropped\n\nArchived by status.\n');
  return t;
}

test('a seed-design app reads a specs directory through SpecRowSource', async () => {
  const t = tree();
  const source = await SpecRowSource.open({ specsDir: t.specsDir });
  try {
    assert.ok(source.source instanceof leanspec.SpecsService);
    // archived specs (folder or status) are not on the board, as the seed left archived/ out
    assert.deepEqual(await app.board(source), { complete: [1], 'in-progress': [2], planned: [3, 4, 4] });
    assert.deepEqual(await app.byStatus(source, 'archived'), [5, 6]);

    const page = await app.specPage(source, '001-cache-layer');
    assert.deepEqual({ ...page, age: undefined }, {
      title: 'Cache layer', tags: ['cache', 'core'], created: '2025-11-01', updated: '2025-11-04',
      completed: '2025-11-05', file: '001-cache-layer/README.md', link: null, age: undefined,
    });
    assert.ok(page.age >= 0 && page.age < 60000, 'a watched directory is as fresh as the call');

    const row = await source.getSpec('2');
    assert.equal(row.id, '002-watcher');
    assert.equal(row.specName, 'watcher'); // the seed's specName: the folder name after the number
    assert.equal(row.tags, null); // `tags: []` and no tags are one thing: null
    assert.equal(row.priority, null); // no default priority is made up
    assert.deepEqual([row.createdAt, row.updatedAt], [new Date('2025-11-02T08:00:00Z'), new Date('2025-11-03T09:30:00Z')]);
    assert.match(row.contentMd, /inotify first/);
    assert.equal(typeof row.projectId, 'string');
    assert.equal((await source.getSpec('003-board')).createdAt, null); // not a date: null

    // the ways to name a spec, and what names none
    for (const ref of ['002-watcher', 'watcher', '002', 'specs/002-watcher', 'specs/002-watcher/README.md']) {
      assert.equal((await source.getSpec(ref))?.id, '002-watcher', ref);
    }
    assert.equal(await source.getSpec('4'), null); // two folders share number 4
    assert.equal((await source.getSpec('004-search-v2')).title, 'Search, again'); // each folder by name
    assert.equal(await source.getSpec('002-wrong-slug'), null); // a right number after a wrong slug
    assert.equal(await source.getSpec('999'), null);
    await rejectsWith(assert, source.getSpec(''), 'invalid_argument');

    assert.deepEqual(await app.search(source, 'watcher'), ['2-watcher', '4-search']);
    assert.deepEqual(await source.searchSpecs('  '), []);

    // a change on disk shows at once; invalidateCache is there for apps that call it
    t.spec('003-board', ['status: in-progress'], '# Board view\n');
    const deadline = Date.now() + 10000;
    while ((await source.getSpec('3')).status !== 'in-progress' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal((await source.getSpec('3')).status, 'in-progress');
    source.invalidateCache('003-board');
    source.invalidateCache();
    assert.equal(source.source.cacheStats().entries, 0);
  } finally {
    await source.source.close();
    t.remove();
  }
});

test('rows of a GitHub project carry its link and when it was synced', async () => {
  const t = tree();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leanspec-rows-'));
  const service = await leanspec.SpecsService.open({ mode: 'both', specsDir: t.specsDir, databaseUrl: `sqlite://${dir}/store.db` });
  try {
    await service.addProject({ id: 'acme/web', branch: 'release/2', specsPath: 'docs/specs' });
    await service.importDirectory('acme/web', t.specsDir);
    const source = new SpecRowSource(service, { projectId: 'acme/web' });
    const row = await source.getSpec('001-cache-layer');
    assert.equal(row.projectId, 'acme/web');
    assert.equal(row.filePath, 'docs/specs/001-cache-layer/README.md'); // in the repository
    assert.equal(row.githubUrl, 'https://github.com/acme/web/blob/release%2F2/docs/specs/001-cache-layer/README.md');
    const registered = (await service.registeredProjects()).find((p) => p.id === 'acme/web');
    assert.equal(row.syncedAt?.getTime() ?? null, registered.lastSyncedAt > 0 ? registered.lastSyncedAt : null);
    assert.deepEqual((await source.getAllSpecs()).map((r) => r.specNumber), [1, 2, 3, 4, 4]);
    assert.throws(() => new SpecRowSource({}), /expected a SpecSource/);
    assert.throws(() => new SpecRowSource(service, { project: 'x' }), /unknown option 'project'/);
  } finally {
    await service.close();
    t.remove();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
