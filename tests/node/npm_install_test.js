'use strict';
// node_package: the README's Node install works in a new app, from a checkout where nothing was
// installed before (no bindings/node/node_modules, no build).
//
// usage: node npm_install_test.js <repo> <work dir>
// Mirrors the repository's files (git ls-files: tracked and untracked, not ignored) into
// <work>/repo, keeping mtimes so that a rerun rebuilds only what changed (the cmake build
// directory is kept in <work>/cmake through LEANSPEC_NODE_BUILD_DIR), removes the mirror's
// bindings/node/node_modules, then in a new app folder runs `npm init -y` and
// `npm install <work>/repo/bindings/node`, and lists a small specs tree with
// `node -e "require('@libleanspec/node')..."`. The npm packages come from npm's cache or the
// registry. Slow: the install compiles the library and the addon (Release).
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const [repo, work] = process.argv.slice(2).map((p) => path.resolve(p));
assert.ok(repo && work, 'usage: node npm_install_test.js <repo> <work dir>');
const started = Date.now();
const env = { ...process.env, LEANSPEC_NODE_BUILD_DIR: path.join(work, 'cmake') };
delete env.LEANSPEC_NODE_ADDON; // the addon must be the one the install built
const run = (command, args, cwd) =>
  execFileSync(command, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });

// The checkout, as a fresh clone with the working tree's changes would have it.
const mirror = path.join(work, 'repo');
const files = run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], repo)
  .split('\0')
  .filter(Boolean);
for (const file of files) {
  const from = path.join(repo, file);
  const to = path.join(mirror, file);
  const stat = fs.statSync(from, { throwIfNoEntry: false });
  if (!stat || !stat.isFile()) continue; // deleted in the working tree
  const old = fs.statSync(to, { throwIfNoEntry: false });
  if (old && old.size === stat.size && old.mtimeMs === stat.mtimeMs) continue;
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  fs.chmodSync(to, stat.mode);
  fs.utimesSync(to, stat.atime, stat.mtime);
}
const pkg = fs.realpathSync(path.join(mirror, 'bindings', 'node'));
fs.rmSync(path.join(pkg, 'node_modules'), { recursive: true, force: true });
fs.rmSync(path.join(pkg, 'build'), { recursive: true, force: true });

const app = path.join(work, 'app');
fs.rmSync(app, { recursive: true, force: true });
fs.mkdirSync(app, { recursive: true });
run('npm', ['init', '-y'], app);
process.stdout.write(run('npm', ['install', pkg, '--no-audit', '--no-fund'], app));

for (const [name, status] of [['001-first', 'planned'], ['002-second', 'in-progress']]) {
  fs.mkdirSync(path.join(app, 'specs', name), { recursive: true });
  fs.writeFileSync(path.join(app, 'specs', name, 'README.md'),
    `---\nstatus: ${status}\n---\n# ${name}\n`);
}
const script = `
  const leanspec = require('@libleanspec/node');
  (async () => {
    const source = await leanspec.FilesystemSource.open({ specsDir: 'specs' });
    const page = await source.list();
    console.log(JSON.stringify({
      from: require.resolve('@libleanspec/node'),
      specs: page.specs.map((s) => [s.id, s.status]),
    }));
    await source.close();
  })().catch((e) => { console.error(e); process.exit(1); });`;
const out = JSON.parse(run(process.execPath, ['-e', script], app).trim().split('\n').pop());
assert.equal(out.from, path.join(pkg, 'index.js')); // through app/node_modules, npm's link
assert.equal(fs.realpathSync(path.join(app, 'node_modules', '@libleanspec', 'node')), pkg);
assert.deepEqual(out.specs, [['001-first', 'planned'], ['002-second', 'in-progress']]);
console.log(`npm install and require: ok (${Math.round((Date.now() - started) / 1000)} s)`);
