'use strict';
// DatabaseSource on a real SQLite file: the project registry, import, and the SpecSource calls.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const leanspec = require('..');
const { sampleTree, rejectsWith } = require('./helpers');

test('register, import and read a project from SQLite; its answers match the filesystem', async () => {
  const tree = sampleTree();
  const file = path.join(tree.root, 'specs.db');
  const db = await leanspec.DatabaseSource.open({ databaseUrl: `sqlite:${file}` });
  const fsSource = await leanspec.FilesystemSource.open({ specsDir: tree.specsDir, projectId: 'acme/web' });
  try {
    assert.ok(fs.existsSync(file));
    assert.ok(db.description.includes(file), db.description);
    await db.addProject({ id: 'acme/web', branch: 'main', syncIntervalMs: 60000 });
    const imported = await db.importDirectory('acme/web', tree.specsDir);
    assert.deepEqual(imported, { added: 4, updated: 0, removed: 0, version: imported.version });
    const [project] = await db.registeredProjects();
    assert.equal(project.id, 'acme/web');
    assert.equal(project.syncIntervalMs, 60000);
    assert.equal(project.specCount, 4);

    assert.deepEqual((await db.projects()).map((p) => p.id), ['acme/web']);
    const strip = (list) => list.specs.map((s) => [s.id, s.status, s.contentHash]);
    assert.deepEqual(strip(await db.list()), strip(await fsSource.list()));
    assert.equal((await db.get('2', { projectId: 'acme/web' })).title, 'File watcher');
    assert.deepEqual((await db.stats()).specsByStatus, (await fsSource.stats()).specsByStatus);
    assert.equal((await db.search('search')).results[0].id, '003-search');
    assert.deepEqual((await db.relationships('1')).requiredBy, ['002-watcher']);
    assert.ok(Array.isArray(await db.validate()));
    assert.equal((await db.byStatus()).planned.length, 2);

    await db.updateProject({ id: 'acme/web', branch: 'dev' });
    assert.equal((await db.registeredProjects())[0].branch, 'dev');
    await rejectsWith(assert, db.addProject({ id: 'acme/web' }), 'invalid_argument', /acme\/web/);
    await rejectsWith(assert, db.addProject({ id: 'a/b', syncIntervalSeconds: 1.5 }), 'invalid_argument', /syncIntervalSeconds/);
    await rejectsWith(assert, db.addProject({ branch: 'x' }), 'invalid_argument', /project\.id/);
    await rejectsWith(assert, db.updateProject({ id: 'nobody/here' }), 'not_found');
    await rejectsWith(assert, db.importDirectory('acme/web', path.join(tree.root, 'nope')), 'not_found');
    await rejectsWith(assert, db.list({ projectId: 'nobody/here' }), 'not_found');

    assert.equal(await db.removeProject('acme/web'), true);
    assert.equal(await db.removeProject('acme/web'), false);
    assert.deepEqual(await db.registeredProjects(), []);
  } finally {
    await db.close();
    await fsSource.close();
    tree.remove();
  }
});

test('a registration has syncIntervalMs and commitSha; the deprecated names still work', async () => {
  const root = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'leanspec-keys-'));
  const db = await leanspec.DatabaseSource.open({ databaseUrl: `sqlite:${path.join(root, 'keys.db')}` });
  try {
    await db.addProject({ id: 'acme/web', syncIntervalSeconds: 90 }); // deprecated alias
    const [p] = await db.registeredProjects();
    assert.deepEqual(
      [p.syncIntervalMs, p.syncIntervalSeconds, p.commitSha, p.lastCommit],
      [90000, 90, null, null],
    );
    assert.deepEqual(Object.keys(p), [
      'id', 'branch', 'specsPath', 'syncIntervalMs', 'syncIntervalSeconds', 'syncState', 'syncError',
      'commitSha', 'lastCommit', 'lastSyncedAt', 'syncInterruptedAt', 'snapshotVersion', 'specCount',
      'writeMode',
    ]);
    assert.equal(p.writeMode, 'commit');
    await db.updateProject({ id: 'acme/web', writeMode: 'pull_request' });
    assert.equal((await db.registeredProjects())[0].writeMode, 'pull_request');
    await rejectsWith(assert, db.updateProject({ id: 'acme/web', writeMode: 'push' }), 'invalid_argument', /writeMode/);
    await db.updateProject({ id: 'acme/web', syncIntervalMs: 120000 });
    assert.equal((await db.registeredProjects())[0].syncIntervalMs, 120000);
    await rejectsWith(assert, db.updateProject({ id: 'acme/web', syncIntervalMs: 1000, syncIntervalSeconds: 1 }),
      'invalid_argument', /not both/);
  } finally {
    await db.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

for (const kind of ['DatabaseSource', 'SpecsService']) {
  test(`${kind}.updateProject changes only the keys given; the others read back unchanged`, async () => {
    const root = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'leanspec-patch-'));
    const databaseUrl = `sqlite:${path.join(root, 'patch.db')}`;
    const source = kind === 'DatabaseSource'
      ? await leanspec.DatabaseSource.open({ databaseUrl })
      : await leanspec.SpecsService.open({ mode: 'database', databaseUrl });
    const settings = async () => {
      const [p] = await source.registeredProjects();
      return [p.branch, p.specsPath, p.syncIntervalMs];
    };
    try {
      await source.addProject({ id: 'acme/web', branch: 'main', specsPath: 'docs/specs', syncIntervalMs: 60000 });
      await source.updateProject({ id: 'acme/web', branch: 'dev' });
      assert.deepEqual(await settings(), ['dev', 'docs/specs', 60000]);
      await source.updateProject({ id: 'acme/web', specsPath: 'specs', branch: undefined });
      assert.deepEqual(await settings(), ['dev', 'specs', 60000]);
      await source.updateProject({ id: 'acme/web', syncIntervalMs: 3600000 });
      assert.deepEqual(await settings(), ['dev', 'specs', 3600000]);
      await source.updateProject({ id: 'acme/web' });
      assert.deepEqual(await settings(), ['dev', 'specs', 3600000]);
      await rejectsWith(assert, source.updateProject({ id: 'acme/web', branch: 'x', specsPath: '../out' }),
        'invalid_argument', /\.\.\/out/);
      await rejectsWith(assert, source.updateProject({ id: 'acme/web', interval: 5 }), 'invalid_argument', /interval/);
      assert.deepEqual(await settings(), ['dev', 'specs', 3600000]);
      await rejectsWith(assert, source.updateProject({ id: 'nobody/here', branch: 'x' }), 'not_found', /nobody\/here/);
    } finally {
      await source.close();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
}

test('a bad database URL is config; an unopenable file is database', async () => {
  await rejectsWith(assert, leanspec.DatabaseSource.open({ databaseUrl: 'mysql://x' }), 'config');
  await rejectsWith(assert, leanspec.DatabaseSource.open({ databaseUrl: 'sqlite:/proc/leanspec-test.db' }), 'database', /proc/);
  await rejectsWith(assert, leanspec.DatabaseSource.open({ databaseURL: 'x' }), 'invalid_argument', /databaseURL/);
});
