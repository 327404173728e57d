'use strict';
// Browser tests of the cross-project page: the standalone server in SPECS_MODE=both over a specs
// directory (project "local") and a SQLite store holding two projects (acme/web, acme/api,
// imported through the addon). /all-projects, reached from the navigation, lists and searches
// every project, each row naming its project, pages by the set cursor and counts each project's
// specs by status; /api/all-projects answers the library's JSON. The server has neither a write
// secret nor an auth hook: nothing can be edited. Screenshots in build/artifacts/.
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

function writeSpec(specsDir, id, frontmatter, body) {
  fs.mkdirSync(path.join(specsDir, id), { recursive: true });
  fs.writeFileSync(path.join(specsDir, id, 'README.md'), `---\n${frontmatter}\n---\n\n${body}`);
}

before(async () => {
  assert.ok(fs.existsSync(path.join(app, '.next', 'BUILD_ID')), 'build the app first: npm run build');
  fs.mkdirSync(artifacts, { recursive: true });
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'leanspec-next-all-'));
  const local = path.join(root, 'local', 'specs');
  writeSpec(local, '001-alpha', 'status: planned\ntags: [api]', '# Local alpha\n\nThe local cache.\n');
  writeSpec(local, '002-beta', 'status: in-progress', '# Local beta\n');
  const web = path.join(root, 'web');
  writeSpec(web, '001-alpha', 'status: complete\ntags: [web]', '# Web alpha\n\nThe cache of pages.\n');
  writeSpec(web, '010-remote', 'status: draft\ntags: [api]', '# Web remote\n');
  const api = path.join(root, 'api');
  writeSpec(api, '003-gamma', 'status: planned\ntags: [api]', '# Api gamma\n\nA cache for tokens.\n');

  const databaseUrl = `sqlite:${path.join(root, 'app.db')}`;
  const { SpecsService } = require('@libleanspec/node');
  const store = await SpecsService.open({ mode: 'database', databaseUrl });
  try {
    for (const [id, dir] of [['acme/web', web], ['acme/api', api]]) {
      await store.addProject({ id });
      await store.importDirectory(id, dir);
    }
  } finally {
    await store.close();
  }

  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = await startServer(port, { SPECS_MODE: 'both', SPECS_DIR: local, DATABASE_URL: databaseUrl, LEANSPEC_SYNC_SCHEDULER: '0' });
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

const projectsOf = (page) => page.getByTestId('row').evaluateAll((rows) => rows.map((r) => `${r.dataset.project} ${r.querySelectorAll('td')[1].textContent}`));

test('the navigation leads to every project\'s specs, each row naming its project', async () => {
  const page = await browser.newPage();
  await page.goto(base);
  await page.getByRole('link', { name: 'All projects' }).click();
  await page.waitForURL(/\/all-projects$/);
  assert.deepEqual(await projectsOf(page), ['acme/web 1', 'local 1', 'local 2', 'acme/api 3', 'acme/web 10']);
  assert.match(await page.getByTestId('result-count').innerText(), /5 specs in 3 projects/);
  const counts = await page.getByTestId('by-project').locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.innerText.replace(/\s+/g, ' ').trim()));
  assert.deepEqual(counts, ['acme/api 0 1 0 0 0', 'acme/web 1 0 0 1 0', 'local 0 1 1 0 0']);
  await page.screenshot({ path: path.join(artifacts, 'all-projects.png'), fullPage: true });
  // a row's project links to that project's own list
  await page.locator('[data-project="acme/api"] [data-testid=row-project]').click();
  await page.waitForURL(/\/specs\?project=acme%2Fapi/);
  assert.equal(await page.getByTestId('row').count(), 1);
  await page.close();
});

test('search across every project, and pages by the cursor', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/all-projects`);
  await page.getByTestId('search').fill('cache');
  await page.getByTestId('search').press('Enter');
  await page.waitForURL(/q=cache/);
  const hits = await projectsOf(page);
  assert.deepEqual([...hits].sort(), ['acme/api 3', 'acme/web 1', 'local 1']);
  await page.screenshot({ path: path.join(artifacts, 'all-projects-search.png'), fullPage: true });

  await page.goto(`${base}/all-projects?limit=2`);
  const seen = [];
  for (let pages = 0; pages < 5; pages++) {
    seen.push(...(await projectsOf(page)));
    const next = page.getByTestId('next-page');
    if ((await next.count()) === 0) break;
    const from = page.url();
    await next.click();
    await page.waitForURL((url) => url.href !== from);
  }
  assert.deepEqual(seen, ['acme/web 1', 'local 1', 'local 2', 'acme/api 3', 'acme/web 10']);
  await page.close();
});

test('GET /api/all-projects: the library\'s JSON with each spec\'s and hit\'s project', async () => {
  const list = await (await fetch(`${base}/api/all-projects?tag=api`)).json();
  assert.deepEqual(list.projectIds, ['local', 'acme/api', 'acme/web']);
  assert.deepEqual(list.specs.map((s) => s.id), ['001-alpha', '003-gamma', '010-remote']);
  const found = await (await fetch(`${base}/api/all-projects?q=cache&limit=1`)).json();
  assert.equal(found.results.length, 1);
  assert.equal(found.total, 3);
  assert.ok(found.nextCursor);
  const rest = await (await fetch(`${base}/api/all-projects?q=cache&limit=5&cursor=${encodeURIComponent(found.nextCursor)}`)).json();
  assert.equal(rest.results.length, 2);
  const bad = await fetch(`${base}/api/all-projects?project=acme/web,,acme/api`);
  assert.equal(bad.status, 400);
});

test('without a write secret or an auth hook, nothing can be edited', async () => {
  const page = await browser.newPage();
  try {
    await page.goto(base);
    await page.locator('[data-testid="live"].live-live').waitFor({ timeout: 30000 }); // hydrated
    assert.ok((await page.getByTestId('card').count()) > 0);
    for (const control of ['move', 'new-spec', 'unlock', 'access']) assert.equal(await page.getByTestId(control).count(), 0, control);
    assert.equal(await page.locator('[draggable="true"]').count(), 0);
    await page.goto(`${base}/specs/001-alpha`);
    assert.equal(await page.getByTestId('editor').count(), 0);
    await page.goto(`${base}/specs/new`);
    assert.equal(await page.getByTestId('new-spec-form').count(), 0);
    assert.ok(await page.getByTestId('writes-off').isVisible());

    const spec = await (await fetch(`${base}/api/specs/001-alpha`)).json();
    const write = (url, method, body) => fetch(`${base}${url}`, { method, headers: { 'Content-Type': 'application/json', Authorization: 'Bearer anything' }, body: JSON.stringify(body) });
    for (const response of [
      await write('/api/specs/001-alpha', 'PATCH', { status: 'complete', baseHash: spec.contentHash }),
      await write('/api/specs/001-alpha/checklist', 'POST', { index: 1, baseHash: spec.contentHash }),
      await write('/api/specs', 'POST', { title: 'Not created' }),
      await write('/api/write-session', 'POST', { secret: 'anything' }),
    ]) {
      assert.equal(response.status, 403);
      const { error } = await response.json();
      assert.equal(error.code, 'writes_off');
      assert.match(error.message, /WRITE_SECRET/);
    }
    assert.equal((await (await fetch(`${base}/api/specs/001-alpha`)).json()).contentHash, spec.contentHash);
  } finally {
    await page.close();
  }
});
