'use strict';
// FilesystemSource and every SpecSource call on a real spec tree.
const assert = require('node:assert/strict');
const { test, before, after } = require('node:test');
const leanspec = require('..');
const { sampleTree, rejectsWith, TempSpecTree } = require('./helpers');

let tree;
let source;
before(async () => {
  tree = sampleTree();
  source = await leanspec.FilesystemSource.open({ specsDir: tree.specsDir, projectId: 'sample' });
});
after(async () => {
  await source.close();
  tree.remove();
});

test('open reads every spec; version and options describe the source', async () => {
  assert.ok(source instanceof leanspec.SpecSource);
  assert.equal(source.version, 1);
  assert.equal(source.options.specsDir, tree.specsDir);
  assert.equal(source.options.projectId, 'sample');
  assert.equal(source.options.watch, false);
  const projects = await source.projects();
  assert.deepEqual(projects.map((p) => p.id), ['sample']);
});

test('list returns summaries by number, with total and filters', async () => {
  const all = await source.list();
  assert.equal(all.total, 4);
  assert.deepEqual(all.specs.map((s) => s.id), ['001-cache-layer', '002-watcher', '003-search', '004-board']);
  assert.equal(all.nextCursor, null);
  const first = all.specs[0];
  assert.equal(first.specNumber, 1);
  assert.equal(first.status, 'complete');
  assert.equal(first.priority, 'high');
  assert.deepEqual(first.tags, ['cache', 'core']);
  assert.equal(first.contentMd, undefined, 'summaries have no body');

  const planned = await source.list({ status: 'planned' });
  assert.deepEqual(planned.specs.map((s) => s.id), ['003-search', '004-board']);
  const either = await source.list({ status: ['complete', 'in-progress'] });
  assert.equal(either.total, 2);
  assert.equal((await source.list({ tags: ['core'] })).total, 2);
  assert.equal((await source.list({ tags: ['core', 'fs'], tagsMatch: 'any' })).total, 3);
  assert.equal((await source.list({ tags: ['core', 'fs'], tagsMatch: 'all' })).total, 0);
  // tagsMatchAll: the deprecated spelling of tagsMatch, kept for one release
  assert.equal((await source.list({ tags: ['core', 'fs'], tagsMatchAll: false })).total, 3);
  await assert.rejects(source.list({ tagsMatch: 'some' }), { code: 'invalid_argument' });
  assert.equal((await source.list({ priority: 'low' })).specs[0].id, '004-board');
  assert.equal((await source.list({ assignee: 'ada' })).specs[0].id, '003-search');
  assert.equal((await source.list({ archived: true })).total, 0);
  const byTitle = await source.list({ sort: 'title', descending: true });
  assert.equal(byTitle.specs[0].title, 'Search');
});

test('list pages with limit and cursor', async () => {
  const page1 = await source.list({ limit: 3 });
  assert.equal(page1.specs.length, 3);
  assert.equal(page1.total, 4);
  assert.equal(typeof page1.nextCursor, 'string');
  const page2 = await source.list({ limit: 3, cursor: page1.nextCursor });
  assert.deepEqual(page2.specs.map((s) => s.id), ['004-board']);
  assert.equal(page2.nextCursor, null);
  await rejectsWith(assert, source.list({ cursor: 'garbage' }), 'invalid_argument');
});

test('get finds a spec by id, number or slug; null when none', async () => {
  for (const ref of ['002-watcher', '2', '002', 'watcher']) {
    const spec = await source.get(ref);
    assert.equal(spec.id, '002-watcher', ref);
  }
  const spec = await source.get('2');
  assert.match(spec.contentMd, /inotify/);
  assert.deepEqual(spec.dependsOn, ['001-cache-layer']);
  assert.equal(spec.subSpecs.length, 1);
  assert.equal(spec.subSpecs[0].file, 'DESIGN.md');
  assert.equal(spec.contentHtml, undefined);
  assert.equal(await source.get('999'), null);
  assert.equal(await source.get('no-such-slug'), null);
});

test('get with html renders the body and the sub-specs', async () => {
  const cache = await source.get('1', { html: true });
  assert.match(cache.contentHtml, /<table>/);
  assert.match(cache.contentHtml, /<input type="checkbox" checked="" disabled="" \/> single flight/);
  const watcher = await source.get('2', { html: true });
  assert.match(watcher.subSpecs[0].contentHtml, /<h1>Watcher design<\/h1>/);
});

test('a number two folders share is ambiguous, naming both', async () => {
  const t = new TempSpecTree();
  t.spec('007-one', ['status: planned'], '# One\n');
  t.spec('007-two', ['status: planned'], '# Two\n');
  const s = await leanspec.FilesystemSource.open({ specsDir: t.specsDir });
  try {
    await rejectsWith(assert, s.get('7'), 'ambiguous', /007-one.*007-two|007-two.*007-one/);
    assert.equal((await s.get('007-two')).title, 'Two');
  } finally {
    await s.close();
    t.remove();
  }
});

test('a ref that leaves the specs directory is invalid_argument', async () => {
  await rejectsWith(assert, source.get('../etc'), 'invalid_argument');
  await rejectsWith(assert, source.relationships('../../x'), 'invalid_argument');
});

test('search ranks matches and applies filters; a bad query is invalid_argument', async () => {
  const found = await source.search('search');
  assert.ok(found.total >= 1);
  assert.equal(found.results[0].id, '003-search');
  assert.equal(typeof found.results[0].score, 'number');
  assert.equal(typeof found.results[0].snippet, 'string');
  const filtered = await source.search('status:planned', { tags: ['ui'] });
  assert.deepEqual(filtered.results.map((r) => r.id), ['004-board']);
  assert.equal((await source.search('core', { limit: 1 })).results.length, 1);
  await rejectsWith(assert, source.search('(unclosed'), 'invalid_argument');
});

test('a query over the byte, term or fuzzy-term cap is invalid_argument naming the cap', async () => {
  await rejectsWith(assert, source.search('x'.repeat(1 << 20)), 'invalid_argument', /4096 bytes/);
  const terms = Array.from({ length: 65 }, (_, i) => `w${i}`).join(' ');
  await rejectsWith(assert, source.search(terms), 'invalid_argument', /64 terms/);
  const fuzzy = Array.from({ length: 9 }, (_, i) => `w${i}~1`).join(' ');
  await rejectsWith(assert, source.search(fuzzy), 'invalid_argument', /8 fuzzy terms/);
});

test('an invalid date is null with a diagnostic naming the field', async () => {
  const dated = new TempSpecTree();
  try {
    dated.spec('001-dated', ['status: planned', 'created_at: 1e100', 'updated_at: soon'], '# Dated\n');
    const other = await leanspec.FilesystemSource.open({ specsDir: dated.specsDir });
    try {
      const spec = await other.get('1');
      assert.equal(spec.createdAt, null);
      assert.equal(spec.updatedAt, null);
      assert.equal(spec.frontmatter.created_at, '1e100');
      const named = spec.diagnostics.filter((d) => d.code === 'invalid-date').map((d) => d.message.split(' ')[0]);
      assert.deepEqual(named, ['created_at', 'updated_at']);
      assert.equal((await other.list()).specs[0].createdAt, null);
    } finally {
      await other.close();
    }
  } finally {
    dated.remove();
  }
});

test('stats counts every status and priority', async () => {
  const stats = await source.stats();
  assert.equal(stats.totalSpecs, 4);
  const planned = stats.specsByStatus.find((s) => s.status === 'planned');
  assert.equal(planned.count, 2);
  assert.equal(stats.specsByStatus.length, 5);
  assert.equal(stats.specsWithoutPriority, 1);
  assert.equal(stats.completionRate, 25);
  assert.deepEqual(await source.stats({ projectId: 'sample' }), stats);
});

test('relationships follow depends_on and parent; null for an unknown ref', async () => {
  const cache = await source.relationships('001');
  assert.deepEqual(cache.requiredBy, ['002-watcher']);
  const board = await source.relationships('board');
  assert.equal(board.parent, '003-search');
  assert.deepEqual((await source.relationships('003')).children, ['004-board']);
  assert.equal(await source.relationships('999'), null);
});

test('validate reports dangling refs as diagnostics', async () => {
  assert.deepEqual(await source.validate(), []);
  const t = new TempSpecTree();
  t.spec('001-x', ['status: planned', 'depends_on: [042-missing]'], '# X\n');
  const s = await leanspec.FilesystemSource.open({ specsDir: t.specsDir });
  try {
    const diagnostics = await s.validate();
    assert.equal(diagnostics.length, 1);
    assert.equal(diagnostics[0].specId, '001-x');
    assert.match(diagnostics[0].code, /dangling/);
  } finally {
    await s.close();
    t.remove();
  }
});

test('byStatus groups every spec by status, every status present', async () => {
  const groups = await source.byStatus();
  assert.deepEqual(Object.keys(groups), [...leanspec.statuses]);
  assert.deepEqual(groups.planned.map((s) => s.id), ['003-search', '004-board']);
  assert.deepEqual(groups.draft, []);
});

test('reload publishes a new snapshot when a file changed', async () => {
  const t = sampleTree();
  const s = await leanspec.FilesystemSource.open({ specsDir: t.specsDir });
  try {
    t.spec('005-new', ['status: draft'], '# New\n');
    await s.reload();
    assert.equal(s.version, 2);
    assert.equal((await s.get('5')).title, 'New');
    await s.reload();
    assert.equal(s.version, 2, 'nothing changed: same snapshot');
  } finally {
    await s.close();
    t.remove();
  }
});

test('a missing specs directory is not_found, naming it', async () => {
  await rejectsWith(assert, leanspec.FilesystemSource.open({ specsDir: '/nonexistent/specs' }), 'not_found', /nonexistent/);
});

test('bad options and arguments are invalid_argument, naming them', async () => {
  await rejectsWith(assert, leanspec.FilesystemSource.open({ specDir: 'x' }), 'invalid_argument', /specDir/);
  await rejectsWith(assert, leanspec.FilesystemSource.open({ pattern: 'nested' }), 'invalid_argument', /pattern/);
  await rejectsWith(assert, leanspec.FilesystemSource.open({ watch: 'yes' }), 'invalid_argument', /watch/);
  await rejectsWith(assert, source.list({ status: 'finished' }), 'invalid_argument', /status.*finished/);
  await rejectsWith(assert, source.list({ limit: -1 }), 'invalid_argument', /limit/);
  await rejectsWith(assert, source.list({ limit: 1.5 }), 'invalid_argument', /limit/);
  await rejectsWith(assert, source.list({ sort: 'size' }), 'invalid_argument', /sort/);
  await rejectsWith(assert, source.list({ statuses: ['planned'] }), 'invalid_argument', /statuses/);
  await rejectsWith(assert, source.list('planned'), 'invalid_argument', /object/);
  await rejectsWith(assert, source.get(42), 'invalid_argument', /ref/);
  await rejectsWith(assert, source.get('1', { project: 'x' }), 'invalid_argument', /project/);
  await rejectsWith(assert, source.search(undefined), 'invalid_argument', /query/);
  await rejectsWith(assert, source.search('x', { sort: 'title' }), 'invalid_argument', /sort/);
  await rejectsWith(assert, source.stats({ projectId: 7 }), 'invalid_argument', /projectId/);
  assert.throws(() => source.subscribe('not a function'), { code: 'invalid_argument' });
  assert.throws(() => new leanspec.FilesystemSource(), TypeError);
});

test('an unknown project id is not_found', async () => {
  await rejectsWith(assert, source.list({ projectId: 'other' }), 'not_found', /other/);
  await rejectsWith(assert, source.stats({ projectId: 'other' }), 'not_found');
});

test('discoverOptions reads .lean-spec/config.json; a broken one is config', async () => {
  const t = new TempSpecTree();
  const fs = require('node:fs');
  const path = require('node:path');
  try {
    assert.equal((await leanspec.discoverOptions(t.root)).specsDir, path.join(t.root, 'specs'));
    fs.mkdirSync(path.join(t.root, '.lean-spec'));
    fs.writeFileSync(path.join(t.root, '.lean-spec', 'config.json'), '{ not json');
    await rejectsWith(assert, leanspec.discoverOptions(t.root), 'config', /config\.json/);
  } finally {
    t.remove();
  }
});

test('after close every call rejects; close twice is fine', async () => {
  const t = sampleTree();
  const s = await leanspec.FilesystemSource.open({ specsDir: t.specsDir });
  const pending = s.list(); // in flight while closing: still answered
  await s.close();
  assert.equal((await pending).total, 4);
  await rejectsWith(assert, s.list(), 'invalid_argument', /closed/);
  assert.throws(() => s.version, { code: 'invalid_argument' });
  await s.close();
  t.remove();
});

test('renderHtml renders GFM and drops raw HTML unless allowed', async () => {
  const html = await leanspec.renderHtml('| a |\n|---|\n| 1 |\n\n- [ ] todo\n\n<b>x</b>\n');
  assert.match(html, /<table>/);
  assert.match(html, /type="checkbox"/);
  assert.doesNotMatch(html, /<b>x<\/b>/);
  assert.match(await leanspec.renderHtml('<b>x</b>', { allowRawHtml: true }), /<b>x<\/b>/);
  await rejectsWith(assert, leanspec.renderHtml(null), 'invalid_argument', /markdown/);
});

test('constants: version, statuses, priorities, error codes', () => {
  assert.match(leanspec.version, /^\d+\.\d+\.\d+/);
  assert.deepEqual([...leanspec.statuses], ['draft', 'planned', 'in-progress', 'complete', 'archived']);
  assert.deepEqual([...leanspec.priorities], ['low', 'medium', 'high', 'critical']);
  assert.ok(leanspec.errorCodes.includes('not_found'));
  assert.equal(typeof leanspec.defaultCacheDir(), 'string');
});

test('the json calls resolve with the library text the object calls parse', async () => {
  const pairs = [
    [source.json.projects(), source.projects()],
    [source.json.list({ status: 'planned' }), source.list({ status: 'planned' })],
    [source.json.get('2'), source.get('2')],
    [source.json.search('cache', { limit: 2 }), source.search('cache', { limit: 2 })],
    [source.json.stats(), source.stats()],
    [source.json.relationships('1'), source.relationships('1')],
    [source.json.validate(), source.validate()],
    [source.json.byStatus(), source.byStatus()],
  ];
  for (const [text, object] of pairs) {
    const json = await text;
    assert.equal(typeof json, 'string');
    assert.equal(json, JSON.stringify(await object));
  }
  assert.equal(await source.json.get('999'), null);
  assert.equal(await source.json.relationships('999'), null);
  assert.equal(source.json, source.json);
  await rejectsWith(assert, source.json.get('1', { html: true }), 'invalid_argument', /html/);
  await rejectsWith(assert, source.json.list({ status: 'x' }), 'invalid_argument');
});
