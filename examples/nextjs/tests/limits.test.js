'use strict';
// Limits over real HTTP against the standalone server (no browser). The webhook route: a body past
// GitHub's 25 MB cap is refused with 413 before the request ends, from its Content-Length when
// it has one, or as soon as the bytes streamed pass the cap (chunked). Each refused request here
// is left unfinished, so a route that buffered the whole body first would never answer (the
// test then fails on its timeout). A signed ping under the cap still reaches the service. The
// search route passes `q` through to the library, whose query caps answer 400 naming the limit.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { test, before, after } = require('node:test');
const { freePort, signedPing, startServer, waitForServer } = require('./server');

const app = path.join(__dirname, '..');
const webhookSecret = 'test-webhook-secret';
const cap = 25 * 1024 * 1024;
let root;
let server;
let url;
let base;

before(async () => {
  assert.ok(fs.existsSync(path.join(app, '.next', 'BUILD_ID')), 'build the app first: npm run build');
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'leanspec-next-webhook-'));
  fs.mkdirSync(path.join(root, 'specs', '001-local'), { recursive: true });
  fs.writeFileSync(path.join(root, 'specs', '001-local', 'README.md'), '---\nstatus: planned\n---\n\n# Local\n');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  url = `${base}/api/webhooks/github`;
  server = await startServer(port, {
    SPECS_MODE: 'both',
    SPECS_DIR: path.join(root, 'specs'),
    DATABASE_URL: `sqlite:${path.join(root, 'app.db')}`,
    WEBHOOK_SECRET: webhookSecret,
    LEANSPEC_SYNC_SCHEDULER: '0',
  });
  await waitForServer(`http://127.0.0.1:${port}/api/stats`, server);
});

after(async () => {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  if (root) fs.rmSync(root, { recursive: true, force: true });
});

// POSTs `headers`, then up to `limit` bytes of body in 1 MiB chunks, and never ends the request.
// Resolves with the status and body of the answer and the bytes written before it came.
function unfinishedPost(headers, limit) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers });
    const chunk = Buffer.alloc(1024 * 1024, 'a');
    let written = 0;
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const sent = written;
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode, body: Buffer.concat(parts).toString(), written: sent });
      });
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    req.flushHeaders();
    const pump = () => {
      while (!answered && written < limit) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
    };
    pump();
  });
}

const pushHeaders = {
  'Content-Type': 'application/json',
  'X-GitHub-Event': 'push',
  'X-GitHub-Delivery': 'big-1',
  'X-Hub-Signature-256': `sha256=${'0'.repeat(64)}`,
};

test('a Content-Length over 25 MB is answered 413 before any of the body is sent', { timeout: 60000 }, async () => {
  const answer = await unfinishedPost({ ...pushHeaders, 'Content-Length': String(cap + 1) }, 0);
  assert.equal(answer.status, 413);
  assert.equal(JSON.parse(answer.body).action, 'rejected');
  assert.equal(answer.written, 0);
});

test('a chunked body is answered 413 once it passes 25 MB, without waiting for its end', { timeout: 120000 }, async () => {
  // 26 MiB are sent (the last chunk passes the cap) and then nothing: the request stays open.
  const answer = await unfinishedPost(pushHeaders, cap + 1024 * 1024);
  assert.equal(answer.status, 413);
  assert.match(JSON.parse(answer.body).message, /25 MB/);
});

test('a signed ping under the cap still reaches the service', { timeout: 60000 }, async () => {
  const response = await signedPing(url, webhookSecret);
  assert.equal(response.status, 200);
  assert.equal((await response.json()).action, 'ping');
});

test('a search query over the library cap is answered 400, naming the limit', { timeout: 60000 }, async () => {
  const answer = await fetch(`${base}/api/search?q=${'x'.repeat(5000)}`);
  assert.equal(answer.status, 400);
  const { error } = await answer.json();
  assert.equal(error.code, 'invalid_argument');
  assert.match(error.message, /4096 bytes/);
  const fine = await fetch(`${base}/api/search?q=local`);
  assert.equal(fine.status, 200);
});
