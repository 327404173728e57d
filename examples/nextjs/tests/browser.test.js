'use strict';
// Browser tests of the example app: its standalone server (tests/server.js) on a spec tree of our
// own, driven by Debian's Chromium through playwright-core (which never downloads a browser).
// Needs a built app (`npm run build`). Screenshots go to build/artifacts/.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test, before, after } = require('node:test');
const { chromium } = require('playwright-core');
const { freePort, startServer, waitForServer } = require('./server');

const app = path.join(__dirname, '..');
const artifacts = path.join(app, 'build', 'artifacts');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

let root;
let server;
let browser;
let base;

function writeSpec(id, frontmatter, body) {
  const dir = path.join(root, 'specs', id);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'README.md'), `---\n${frontmatter.join('\n')}\n---\n\n${body}`);
}

before(async () => {
  assert.ok(fs.existsSync(path.join(app, '.next', 'BUILD_ID')), 'build the app first: npm run build');
  fs.mkdirSync(artifacts, { recursive: true });
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'leanspec-next-'));
  writeSpec('001-cache-layer', ['status: complete', 'priority: high', 'tags: [cache, core]', 'created: 2025-11-01', 'completed: 2025-11-05'],
    '# Cache layer\n\nA TTL cache.\n\n| key | ttl |\n|---|---|\n| list | 60s |\n| get | 60s |\n\n- [x] single flight\n- [ ] metrics\n');
  writeSpec('002-watcher', ['status: in-progress', 'priority: medium', 'tags: [fs]', 'depends_on: [001-cache-layer]'], '# File watcher\n\nFollows inotify.\n');
  fs.writeFileSync(path.join(root, 'specs', '002-watcher', 'DESIGN.md'), '# Watcher design\n\nDebounce bursts of events.\n');
  writeSpec('003-search', ['status: planned', 'tags: [query]'], '# Search\n\nRanked search.\n');
  writeSpec('004-board', ['status: planned', 'priority: low', 'tags: [ui]'], '# Board view\n\nColumns by status.\n');

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startServer(port, { SPECS_DIR: path.join(root, 'specs') });
  await waitForServer(`${base}/api/stats`, server);
  browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

test('the board shows every spec in its status column', async () => {
  const page = await browser.newPage();
  await page.goto(base);
  assert.equal(await page.getByTestId('card').count(), 4);
  assert.equal(await page.locator('[data-status=planned] [data-testid=card]').count(), 2);
  assert.match(await page.locator('[data-status=complete]').innerText(), /Cache layer/);
  await page.screenshot({ path: path.join(artifacts, 'board.png'), fullPage: true });
  await page.close();
});

test('search narrows the list', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/specs`);
  assert.equal(await page.getByTestId('row').count(), 4);
  await page.getByTestId('search').fill('inotify');
  await page.getByTestId('search').press('Enter');
  await page.waitForURL(/q=inotify/);
  assert.equal(await page.getByTestId('row').count(), 1);
  assert.match(await page.getByTestId('row').innerText(), /File watcher/);
  await page.screenshot({ path: path.join(artifacts, 'search.png'), fullPage: true });
  await page.goto(`${base}/specs?status=planned`);
  assert.equal(await page.getByTestId('row').count(), 2);
  await page.goto(`${base}/specs?q=${encodeURIComponent('(broken')}`);
  assert.match(await page.getByTestId('query-error').innerText(), /parenthes/);
  await page.close();
});

test('a spec page renders the table, the task list and the sub-spec tab', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/specs/001-cache-layer`);
  const markdown = page.getByTestId('markdown');
  assert.equal(await markdown.locator('table td').first().innerText(), 'list');
  assert.equal(await markdown.locator('input[type=checkbox]').count(), 2);
  assert.equal(await markdown.locator('input[type=checkbox]').first().isChecked(), true);
  await page.screenshot({ path: path.join(artifacts, 'spec.png'), fullPage: true });
  await page.goto(`${base}/specs/2`);
  await page.getByRole('tab', { name: 'Watcher design' }).click();
  assert.match(await page.getByTestId('markdown').innerText(), /Debounce bursts/);
  await page.getByRole('tab', { name: 'Relationships' }).click();
  assert.match(await page.locator('.relationships').innerText(), /001-cache-layer/);
  await page.goto(`${base}/specs/999-none`);
  assert.match(await page.locator('h1').innerText(), /No such spec/);
  await page.close();
});

test('editing a spec file on disk updates the open page without a reload', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/specs/003-search`);
  await page.waitForSelector('[data-testid=live].live-live');
  await page.evaluate(() => {
    window.__notReloaded = true;
  });
  writeSpec('003-search', ['status: in-progress', 'tags: [query]'], '# Search, now ranked\n\nBM25 and fuzzy terms.\n');
  await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Search, now ranked', null, { timeout: 5000 });
  assert.equal(await page.getByTestId('status').innerText(), 'In progress');
  assert.equal(await page.evaluate(() => window.__notReloaded), true, 'the page was not reloaded');
  await page.screenshot({ path: path.join(artifacts, 'live-update.png'), fullPage: true });
  await page.close();
});
