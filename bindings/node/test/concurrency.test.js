'use strict';
// Hundreds of promises in flight at once, on plain and caching sources, while a watched tree
// changes underneath: every answer is whole and right.
const assert = require('node:assert/strict');
const { test } = require('node:test');
const leanspec = require('..');
const { sampleTree, nextEvent } = require('./helpers');

test('600 concurrent calls over three sources all settle with correct results', async () => {
  const tree = sampleTree();
  const watched = await leanspec.FilesystemSource.open({ specsDir: tree.specsDir, watch: true, debounceMs: 5 });
  const cache = new leanspec.CachingSource(watched, { ttlMs: 600000 });
  try {
    const calls = [];
    for (let i = 0; i < 600; ++i) {
      const source = i % 2 ? cache : watched;
      switch (i % 6) {
        case 0: calls.push(source.list().then((r) => assert.ok(r.total >= 4))); break;
        case 1: calls.push(source.get('003').then((s) => assert.equal(s.id, '003-search'))); break;
        case 2: calls.push(source.search('watcher').then((r) => assert.equal(r.results[0].id, '002-watcher'))); break;
        case 3: calls.push(source.stats().then((s) => assert.ok(s.totalSpecs >= 4))); break;
        case 4: calls.push(source.get('999').then((s) => assert.equal(s, null))); break;
        default: calls.push(source.list({ status: 'nope' }).then(
          () => assert.fail('resolved'), (e) => assert.equal(e.code, 'invalid_argument')));
      }
      if (i === 300) {
        // a new spec lands while half the calls are in flight
        tree.spec('050-mid-flight', ['status: draft'], '# Mid flight\n');
      }
    }
    const settled = await Promise.allSettled(calls);
    const failures = settled.filter((s) => s.status === 'rejected');
    assert.deepEqual(failures, []);
    if ((await watched.get('50')) === null) {
      await nextEvent((l) => watched.subscribe(l), (e) => e.added.includes('050-mid-flight'));
    }
    assert.equal((await cache.get('50')).title, 'Mid flight');
  } finally {
    await cache.close();
    await watched.close();
    tree.remove();
  }
});

test('many subscribers come and go while events flow', async () => {
  const tree = sampleTree();
  const source = await leanspec.FilesystemSource.open({ specsDir: tree.specsDir, watch: true, debounceMs: 5 });
  try {
    const unsubscribes = [];
    for (let i = 0; i < 200; ++i) unsubscribes.push(source.subscribe(() => {}));
    const last = nextEvent((l) => source.subscribe(l), (e) => e.added.includes('020-ten'));
    for (let i = 0; i < 10; ++i) {
      tree.spec(`${String(11 + i).padStart(3, '0')}-n${i}`, ['status: draft'], `# N${i}\n`);
      unsubscribes.splice(0, 20).forEach((u) => u());
      await new Promise((r) => setImmediate(r));
    }
    tree.spec('020-ten', ['status: draft'], '# Ten\n');
    await last;
    assert.equal(unsubscribes.length, 0);
  } finally {
    await source.close();
    tree.remove();
  }
});
