// Helpers shared by the app tests: a free loopback port, waiting for `next start`, a signed ping.
const { createHmac } = require('node:crypto');
const net = require('node:net');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitForServer(url, child, ms = 60000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}`);
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

module.exports = { freePort, signedPing, waitForServer };
