'use strict';
// Change events from a watched FilesystemSource on real files, through the thread-safe function.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { test } = require('node:test');
const v8 = require('node:v8');
const vm = require('node:vm');
const leanspec = require('..');
const { sampleTree, nextEvent } = require('./helpers');

async function watched() {
  const tree = sampleTree();
  const source = await leanspec.FilesystemSource.open({ specsDir: tree.specsDir, watch: true, debounceMs: 10 });
  return { tree, source };
}

test("editing a spec file emits 'change' naming it, after the new snapshot is visible", async () => {
  const { tree, source } = await watched();
  try {
    const event = nextEvent((listener) => {
      source.on('change', listener);
      return () => source.off('change', listener);
    });
    tree.spec('002-watcher', ['status: complete', 'completed: 2025-11-09'], '# File watcher\n\nDone.\n');
    const e = await event;
    assert.deepEqual(e.changed, ['002-watcher']);
    assert.deepEqual(e.added, []);
    assert.deepEqual(e.removed, []);
    assert.equal(e.version, source.version);
    assert.equal((await source.get('2')).status, 'complete');
    assert.equal(source.listenerCount('change'), 0);
  } finally {
    await source.close();
    tree.remove();
  }
});

test("removeAllListeners() ends the 'change' subscription; a later listener starts a new one", async () => {
  const { tree, source } = await watched();
  try {
    source.on('change', () => {});
    source.removeAllListeners();
    assert.equal(source.listenerCount('change'), 0);
    const event = nextEvent((listener) => {
      source.on('change', listener);
      return () => source.off('change', listener);
    });
    tree.spec('003-search', ['status: complete', 'completed: 2025-11-09'], '# Search\n');
    assert.deepEqual((await event).changed, ['003-search']);
  } finally {
    await source.close();
    tree.remove();
  }
});

test('subscribe() hears added and removed specs; its unsubscribe stops the events', async () => {
  const { tree, source } = await watched();
  try {
    const seen = [];
    const unsubscribe = source.subscribe((e) => seen.push(e));
    const added = nextEvent((l) => source.subscribe(l), (e) => e.added.length > 0);
    tree.spec('009-new', ['status: draft'], '# New\n');
    assert.deepEqual((await added).added, ['009-new']);
    assert.deepEqual(seen.at(-1).added, ['009-new']);

    const removed = nextEvent((l) => source.subscribe(l), (e) => e.removed.length > 0);
    fs.rmSync(`${tree.specsDir}/009-new`, { recursive: true });
    assert.deepEqual((await removed).removed, ['009-new']);

    unsubscribe();
    unsubscribe(); // twice is fine
    const count = seen.length;
    const after = nextEvent((l) => source.subscribe(l));
    tree.spec('010-later', ['status: draft'], '# Later\n');
    await after; // another subscriber heard it ...
    assert.equal(seen.length, count, '... the unsubscribed one did not');
  } finally {
    await source.close();
    tree.remove();
  }
});

test('reload() on an unwatched source emits the event too', async () => {
  const tree = sampleTree();
  const source = await leanspec.FilesystemSource.open({ specsDir: tree.specsDir });
  try {
    const event = nextEvent((l) => source.subscribe(l));
    tree.spec('004-board', ['status: complete', 'completed: 2025-11-09'], '# Board view\n');
    await source.reload();
    assert.deepEqual((await event).changed, ['004-board']);
  } finally {
    await source.close();
    tree.remove();
  }
});

test('a CachingSource over a watched source serves the edit at once and forwards the event', async () => {
  const { tree, source } = await watched();
  const cache = new leanspec.CachingSource(source, { ttlMs: 600000 });
  try {
    assert.equal((await cache.get('3')).status, 'planned');
    const event = nextEvent((l) => cache.subscribe(l));
    tree.spec('003-search', ['status: in-progress'], '# Search\n');
    assert.deepEqual((await event).changed, ['003-search']);
    assert.equal((await cache.get('3')).status, 'in-progress');
  } finally {
    await cache.close();
    await source.close();
    tree.remove();
  }
});

test('dropping a subscribed source without closing it does not crash (garbage collected)', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const tree = sampleTree();
  let source = await leanspec.FilesystemSource.open({ specsDir: tree.specsDir, watch: true, debounceMs: 5 });
  source.subscribe(() => {}, { persistent: false });
  source = null;
  for (let i = 0; i < 5; ++i) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  tree.spec('001-cache-layer', ['status: planned'], '# edited after the drop\n');
  await new Promise((r) => setTimeout(r, 100)); // let a watcher that might still live fire
  gc();
  tree.remove();
});
