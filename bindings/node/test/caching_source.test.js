'use strict';
// CachingSource over a FilesystemSource: hits, misses, invalidation, errors.
const assert = require('node:assert/strict');
const { test } = require('node:test');
const leanspec = require('..');
const { sampleTree, rejectsWith, nextEvent } = require('./helpers');

test('a CachingSource answers like its inner source and counts hits and misses', async () => {
  const tree = sampleTree();
  const inner = await leanspec.FilesystemSource.open({ specsDir: tree.specsDir });
  const cache = new leanspec.CachingSource(inner, { ttlMs: 600000 });
  try {
    assert.equal(cache.inner, inner);
    assert.deepEqual(cache.counters(), { hits: 0, misses: 0, entries: 0 });
    assert.deepEqual(await cache.list(), await inner.list());
    await cache.list();
    assert.deepEqual(await cache.get('2'), await inner.get('2'));
    assert.deepEqual(await cache.search('cache'), await inner.search('cache'));
    assert.deepEqual(await cache.stats(), await inner.stats());
    assert.deepEqual(await cache.relationships('1'), await inner.relationships('1'));
    assert.deepEqual(await cache.validate(), await inner.validate());
    assert.deepEqual(await cache.byStatus(), await inner.byStatus());
    assert.deepEqual(await cache.projects(), await inner.projects());
    const c = cache.counters();
    assert.ok(c.hits >= 1, JSON.stringify(c));
    assert.ok(c.misses >= 6, JSON.stringify(c));
    assert.ok(c.entries >= 6, JSON.stringify(c));

    // Without a watcher the cache serves what it has until invalidated.
    tree.spec('002-watcher', ['status: complete', 'completed: 2025-11-09'], '# File watcher\n');
    const event = nextEvent((l) => cache.subscribe(l));
    await inner.reload();
    await event; // the cache dropped what the event concerns before its subscribers hear it
    assert.equal((await cache.get('2')).status, 'complete');
    cache.invalidate('002-watcher');
    cache.invalidate();
    assert.equal(cache.counters().entries, 0);
  } finally {
    await cache.close();
    await inner.close();
    tree.remove();
  }
});

test('a CachingSource needs a source; bad options are invalid_argument', async () => {
  const tree = sampleTree();
  const inner = await leanspec.FilesystemSource.open({ specsDir: tree.specsDir });
  try {
    assert.throws(() => new leanspec.CachingSource({}), { code: 'invalid_argument' });
    assert.throws(() => new leanspec.CachingSource(inner, { ttl: 5 }), { code: 'invalid_argument', message: /ttl/ });
    assert.throws(() => new leanspec.CachingSource(inner, { ttlMs: -5 }), { code: 'invalid_argument' });
    const cache = new leanspec.CachingSource(inner, { ttlMs: 0 });
    await cache.list();
    await cache.list();
    assert.equal(cache.counters().hits, 0, 'ttl 0 caches nothing');
    await rejectsWith(assert, cache.search('(x'), 'invalid_argument');
    await cache.close();
    await inner.close();
    // closing the inner source's JS object does not stop a cache that still holds it
    await rejectsWith(assert, inner.list(), 'invalid_argument', /closed/);
  } finally {
    tree.remove();
  }
});

test('cacheOptionsFromEnv reads CACHE_TTL_MS (else its deprecated name CACHE_TTL); a bad value is config', () => {
  const savedMs = process.env.CACHE_TTL_MS;
  try {
    process.env.CACHE_TTL_MS = '4321';
    assert.deepEqual(leanspec.cacheOptionsFromEnv(), { ttlMs: 4321 });
    process.env.CACHE_TTL_MS = 'soon';
    assert.throws(() => leanspec.cacheOptionsFromEnv(), { code: 'config', message: /CACHE_TTL_MS/ });
  } finally {
    if (savedMs === undefined) delete process.env.CACHE_TTL_MS;
    else process.env.CACHE_TTL_MS = savedMs;
  }
  const saved = process.env.CACHE_TTL;
  try {
    process.env.CACHE_TTL = '1234';
    assert.deepEqual(leanspec.cacheOptionsFromEnv(), { ttlMs: 1234 });
    process.env.CACHE_TTL = 'soon';
    assert.throws(() => leanspec.cacheOptionsFromEnv(), { code: 'config', message: /CACHE_TTL/ });
  } finally {
    if (saved === undefined) delete process.env.CACHE_TTL;
    else process.env.CACHE_TTL = saved;
  }
});
