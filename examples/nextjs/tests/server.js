// Helpers shared by the app tests: a free loopback port, the app's standalone server started and
// waited for, a signed ping.
const { spawn } = require('node:child_process');
const { createHmac } = require('node:crypto');
const net = require('node:net');
const path = require('node:path');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

// The standalone server of the last `next build` (output: 'standalone'), its static files copied
// beside it first (scripts/standalone.mjs), on 127.0.0.1:`port` with `env` added to this
// process's environment (LEANSPEC_NODE_ADDON included). Resolves with the child process.
async function startServer(port, env) {
  const { prepareStandalone } = await import('../scripts/standalone.mjs');
  const server = prepareStandalone();
  return spawn(process.execPath, [server], {
    cwd: path.dirname(server),
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env, HOSTNAME: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function waitForServer(url, child, ms = 60000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`server not up within ${ms} ms`);
}

// POSTs a ping delivery signed with `secret` to the webhook route at `url`; resolves with the
// response.
function signedPing(url, secret) {
  const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1, repository: { full_name: 'acme/web' } });
  return fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-GitHub-Event': 'ping',
      'X-GitHub-Delivery': 'ping-1',
      'X-Hub-Signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
    body,
  });
}

module.exports = { freePort, signedPing, startServer, waitForServer };
