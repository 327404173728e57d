'use strict';
// The process exits without hanging or crashing however the addon is left: subscriptions
// ended or not persistent, sources closed or dropped, promises in flight at process.exit().
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { test } = require('node:test');
const { sampleTree } = require('./helpers');

const pkg = JSON.stringify(path.join(__dirname, '..'));

// Runs `body` in a child node (with `leanspec` and `specsDir` defined); resolves with its exit.
function run(body, specsDir, onLine = () => {}) {
  const script = `const leanspec = require(${pkg}); const specsDir = ${JSON.stringify(specsDir)};\n(async () => {\n${body}\n})().catch((e) => { console.error(e); process.exit(3); });`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 20000);
    child.stdout.on('data', (d) => {
      stdout += d;
      for (const line of String(d).split('\n').filter(Boolean)) onLine(line);
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

async function expectCleanExit(body, onLine) {
  const tree = sampleTree();
  try {
    const r = await run(body, tree.specsDir, onLine && ((line) => onLine(line, tree)));
    assert.equal(r.signal, null, `killed (hung?): ${r.stderr}`);
    assert.equal(r.code, 0, r.stderr);
    return r;
  } finally {
    tree.remove();
  }
}

test('exits after on(change) listeners are removed by close()', async () => {
  await expectCleanExit(`
    const s = await leanspec.FilesystemSource.open({ specsDir, watch: true });
    s.on('change', () => {});
    await s.list();
    await s.close();`);
});

test('exits after unsubscribe() of a persistent subscription', async () => {
  await expectCleanExit(`
    const s = await leanspec.FilesystemSource.open({ specsDir, watch: true });
    const off = s.subscribe(() => {});
    off();`);
});

test('a persistent subscription keeps the process alive until its event ends it', async () => {
  const r = await expectCleanExit(`
    const s = await leanspec.FilesystemSource.open({ specsDir, watch: true, debounceMs: 5 });
    const off = s.subscribe((e) => { console.log('event ' + e.changed.join()); off(); });
    console.log('ready');`,
  (line, tree) => {
    if (line === 'ready') tree.spec('001-cache-layer', ['status: planned'], '# edited\n');
  });
  assert.match(r.stdout, /event 001-cache-layer/);
});

test('exits with a non-persistent subscription never ended and the source never closed', async () => {
  await expectCleanExit(`
    const s = await leanspec.FilesystemSource.open({ specsDir, watch: true });
    s.subscribe(() => {}, { persistent: false });
    new leanspec.CachingSource(s).subscribe(() => {}, { persistent: false });`);
});

test('process.exit() with promises in flight and live subscriptions tears down cleanly', async () => {
  await expectCleanExit(`
    const s = await leanspec.FilesystemSource.open({ specsDir, watch: true });
    s.on('change', () => {});
    s.subscribe(() => {});
    for (let i = 0; i < 200; ++i) s.search('cache').catch(() => {});
    process.exit(0);`);
});

test('exits with the service\'s sync scheduler running and the service never closed', async () => {
  await expectCleanExit(`
    const databaseUrl = 'sqlite:' + require('node:path').join(specsDir, '..', 'exit.db');
    const s = await leanspec.SpecsService.open({ mode: 'database', databaseUrl, githubApiUrl: 'http://127.0.0.1:9' });
    await s.addProject({ id: 'acme/web' });
    await s.requestSync('acme/web');
    await s.startSync();`);
});

test('process.exit() while the service\'s scheduler runs tears down cleanly', async () => {
  await expectCleanExit(`
    const databaseUrl = 'sqlite:' + require('node:path').join(specsDir, '..', 'exit.db');
    const s = await leanspec.SpecsService.open({ mode: 'database', databaseUrl, githubApiUrl: 'http://127.0.0.1:9' });
    await s.addProject({ id: 'acme/web' });
    await s.startSync();
    s.syncNow('acme/web').catch(() => {});
    process.exit(0);`);
});
