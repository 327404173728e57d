'use strict';
// Browser tests of the example app: its standalone server (tests/server.js) on a spec tree of our
// own, driven by Debian's Chromium through playwright-core (which never downloads a browser).
// Needs a built app (`npm run build`). Screenshots go to build/artifacts/. The server has a write
// secret: the last tests unlock editing, move cards, edit a spec, meet a conflict and create one,
// checking the files on disk.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test, before, after } = require('node:test');
const { chromium } = require('playwright-core');
const { freePort, startServer, waitForServer } = require('./server');
const { editorContext, hydrated, lineChanges, rendered } = require('./writes');

const app = path.join(__dirname, '..');
const artifacts = path.join(app, 'build', 'artifacts');
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

let root;
let server;
let browser;
let base;

const writeSecret = 'test-write-secret';

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
  server = await startServer(port, { SPECS_DIR: path.join(root, 'specs'), WRITE_SECRET: writeSecret });
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

const readSpec = (id) => fs.readFileSync(path.join(root, 'specs', id, 'README.md'), 'utf8');

test('editing stays locked until the write secret unlocks it', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(base);
    await hydrated(page);
    assert.equal(await page.getByTestId('move').count(), 0);
    assert.equal(await page.getByTestId('new-spec').count(), 0);
    assert.equal(await page.locator('[data-testid="card"][draggable="true"]').count(), 0);
    const before = readSpec('004-board');
    const hash = await page.locator('[data-id="004-board"]').getAttribute('data-hash');
    const refused = await page.evaluate(async (baseHash) => {
      const r = await fetch('/api/specs/004-board', { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ status: 'complete', baseHash }) });
      return [r.status, (await r.json()).error.code];
    }, hash);
    assert.deepEqual(refused, [401, 'unauthorized']);

    await page.getByText('Unlock editing').click();
    await page.getByLabel('Write secret').fill('not the secret');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByRole('alert').filter({ hasText: 'not the write secret' }).waitFor();
    await page.getByLabel('Write secret').fill(writeSecret);
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Unlock' }).click()]);
    await page.getByTestId('move').first().waitFor();
    assert.equal(await page.getByTestId('move').count(), 4);
    assert.equal(await page.locator('[data-testid="card"][draggable="true"]').count(), 4);
    const [cookie] = await context.cookies();
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');

    // The session cookie on a request from another site, or on a form's body, writes nothing.
    const attempt = (headers) => fetch(`${base}/api/specs/004-board`, { method: 'PATCH', headers: { Cookie: `${cookie.name}=${cookie.value}`, ...headers }, body: JSON.stringify({ status: 'complete', baseHash: hash }) });
    assert.equal((await attempt({ 'Content-Type': 'application/json', Origin: 'http://evil.example' })).status, 403);
    assert.equal((await attempt({ 'Content-Type': 'application/json', 'Sec-Fetch-Site': 'cross-site' })).status, 403);
    assert.equal((await attempt({ 'Content-Type': 'text/plain' })).status, 415);
    assert.equal(readSpec('004-board'), before);

    await page.screenshot({ path: path.join(artifacts, 'board-unlocked.png'), fullPage: true });
    await Promise.all([page.waitForEvent('load'), page.getByRole('button', { name: 'Lock' }).click()]);
    await page.getByText('Unlock editing').waitFor();
    assert.equal(await page.getByTestId('move').count(), 0);
  } finally {
    await context.close();
  }
});

test('a card moves to another column by drag and drop, and from the keyboard by its menu', async () => {
  const context = await editorContext(browser, base, writeSecret);
  try {
    const page = await context.newPage();
    await page.goto(base);
    await hydrated(page);
    const before = readSpec('004-board');
    const card = page.locator('[data-testid="card"][data-id="004-board"]');
    let hash = await card.getAttribute('data-hash');
    await card.dragTo(page.locator('section[data-status="in-progress"]'));
    let moved = page.locator(`[data-status="in-progress"] [data-id="004-board"]:not([data-hash="${hash}"])`);
    await moved.waitFor();
    const dragged = readSpec('004-board');
    assert.deepEqual(lineChanges(before, dragged), {
      removed: ['status: planned'],
      added: ['status: in-progress', 'transitions:', '- status: in-progress', '  at: <time>', 'updated_at: <time>'],
    });
    await page.screenshot({ path: path.join(artifacts, 'board-dragged.png'), fullPage: true });

    // Keyboard only: focus its "Move to" menu, open it, Tab to "Complete", press Enter.
    hash = await moved.getAttribute('data-hash');
    await moved.locator('summary').focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab'); // Planned
    await page.keyboard.press('Tab'); // Complete
    assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Complete');
    await page.keyboard.press('Enter');
    moved = page.locator(`[data-status="complete"] [data-id="004-board"]:not([data-hash="${hash}"])`);
    await moved.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.closest('[data-testid="card"]')?.dataset.id), '004-board', 'the focus follows the card');
    const { removed, added } = lineChanges(dragged, readSpec('004-board'));
    assert.deepEqual(removed, ['status: in-progress', 'updated_at: <time>']);
    assert.ok(added.includes('status: complete') && added.includes('- status: complete'), added.join('\n'));
    assert.ok(added.every((line) => /^(status: complete|- status: complete|  at: <time>|updated_at: <time>|completed(_at)?: .*)$/.test(line)), added.join('\n'));
  } finally {
    await context.close();
  }
});

test('the spec page edits status, priority and tags and toggles checklist items', async () => {
  const context = await editorContext(browser, base, writeSecret);
  try {
    const page = await context.newPage();
    await page.goto(`${base}/specs/001-cache-layer`);
    await hydrated(page);
    const before = readSpec('001-cache-layer');
    const hash = () => page.getByTestId('spec').getAttribute('data-hash');
    // Each write waits for the page to render the version it wrote; the next is made from it.
    const step = async (action) => {
      const from = await hash();
      await action();
      await rendered(page, from);
    };
    await step(() => page.getByLabel('Status').selectOption('in-progress'));
    await step(() => page.getByLabel('Priority').selectOption('critical'));
    await step(() => page.getByRole('button', { name: 'Remove tag core' }).click());
    await step(async () => {
      await page.getByLabel('Add tags (comma-separated)').fill('perf, ux');
      await page.getByLabel('Add tags (comma-separated)').press('Enter');
    });
    const boxes = page.getByTestId('markdown').locator('input[type=checkbox]');
    await step(() => boxes.nth(1).click()); // "metrics"
    await step(async () => {
      await boxes.nth(0).focus(); // "single flight", from the keyboard
      await page.keyboard.press('Space');
    });
    assert.equal(await page.evaluate(() => document.activeElement.dataset.index), '1', 'the box keeps the focus');
    assert.equal(await page.getByLabel('Status').inputValue(), 'in-progress');
    assert.equal(await page.getByLabel('Priority').inputValue(), 'critical');
    assert.deepEqual(await page.getByRole('list', { name: 'Tags' }).locator('li').evaluateAll((li) => li.map((l) => l.firstChild.textContent)), ['cache', 'perf', 'ux']);
    assert.deepEqual([await boxes.nth(0).isChecked(), await boxes.nth(1).isChecked()], [false, true]);
    await page.screenshot({ path: path.join(artifacts, 'spec-edited.png'), fullPage: true });

    const { removed, added } = lineChanges(before, readSpec('001-cache-layer'));
    assert.deepEqual(removed, ['status: complete', 'priority: high', 'tags: [cache, core]', '- [x] single flight', '- [ ] metrics']);
    assert.deepEqual(added, [
      'status: in-progress', 'priority: critical', 'tags: [cache, perf, ux]',
      'transitions:', '- status: in-progress', '  at: <time>', 'updated_at: <time>',
      '- [ ] single flight', '- [x] metrics',
    ]);
  } finally {
    await context.close();
  }
});

test('a write made from an older version shows the newer one and writes nothing', async () => {
  const context = await editorContext(browser, base, writeSecret);
  try {
    const page = await context.newPage();
    await page.route('**/api/events', (route) => route.abort()); // no live update: the page keeps the old version
    await page.goto(`${base}/specs/002-watcher`);
    await hydrated(page);
    writeSpec('002-watcher', ['status: complete', 'priority: high', 'tags: [fs, inotify]'], '# File watcher, revised\n\nEdited in another window.\n');
    const onDisk = readSpec('002-watcher');
    await page.getByLabel('Priority').selectOption('low');
    const notice = page.getByTestId('conflict');
    await notice.waitFor();
    assert.match(await notice.innerText(), /changed since this page was loaded, so your change was not saved/);
    assert.match(await notice.innerText(), /File watcher, revised.*Complete.*high.*fs.*inotify/s);
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'File watcher, revised');
    assert.equal(await page.getByLabel('Status').inputValue(), 'complete');
    assert.equal(await page.getByLabel('Priority').inputValue(), 'high');
    assert.equal(readSpec('002-watcher'), onDisk);
    await page.screenshot({ path: path.join(artifacts, 'conflict.png'), fullPage: true });

    // The next change is made from the version shown, and is written.
    const from = await page.getByTestId('spec').getAttribute('data-hash');
    await page.getByLabel('Priority').selectOption('low');
    await rendered(page, from);
    assert.match(readSpec('002-watcher'), /^priority: low$/m);
    assert.equal(await page.getByTestId('conflict').count(), 0);
  } finally {
    await context.close();
  }
});

test('the New spec form creates a spec and opens it', async () => {
  const context = await editorContext(browser, base, writeSecret);
  try {
    const page = await context.newPage();
    await page.goto(base);
    await hydrated(page);
    await page.getByTestId('new-spec').click();
    const form = page.getByTestId('new-spec-form');
    await form.waitFor();
    await form.locator('input[name=title]').fill('Export to CSV');
    await form.locator('select[name=status]').selectOption('draft');
    await form.locator('select[name=priority]').selectOption('medium');
    await form.locator('input[name=tags]').fill('export, csv');
    await page.screenshot({ path: path.join(artifacts, 'new-spec.png'), fullPage: true });
    await form.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/specs\/005-export-to-csv$/);
    await page.waitForFunction(() => document.querySelector('h1')?.textContent === 'Export to CSV');
    assert.equal(await page.getByLabel('Status').inputValue(), 'draft');
    const created = readSpec('005-export-to-csv');
    assert.match(created, /^status: draft$/m);
    assert.match(created, /^priority: medium$/m);
    assert.match(created, /^tags: \[export, csv\]$/m);
    assert.match(created, /^# Export to CSV$/m);

    await page.goto(`${base}/specs/new`);
    await form.locator('input[name=title]').fill('Bad one');
    await page.evaluate(() => {
      document.querySelector('select[name=status]').innerHTML = '<option value="someday">someday</option>';
    });
    await form.getByRole('button', { name: 'Create' }).click();
    assert.match(await page.getByTestId('create-error').innerText(), /someday/);
  } finally {
    await context.close();
  }
});
