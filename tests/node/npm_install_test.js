'use strict';
// node_package: the README's Node installs work in a new app, from a checkout where nothing was
// installed before (no bindings/node/node_modules, no build).
//
// usage: node npm_install_test.js <repo> <work dir>
// Mirrors the repository's files (git ls-files: tracked and untracked, not ignored) into
// <work>/repo, keeping mtimes so that a rerun rebuilds only what changed (the cmake build
// directory is kept in <work>/cmake through LEANSPEC_NODE_BUILD_DIR), removes the mirror's
// bindings/node/node_modules, then
//  1. in a new app folder runs `npm init -y` and `npm install <work>/repo/bindings/node` (a
//     build from source: the folder holds no prebuild) and lists a small specs tree with
//     `node -e "require('@libleanspec/node')..."`;
//  2. runs `npm pack` in the mirror's bindings/node (its prepack reuses that build) and checks
//     the tarball: the prebuilt addon and the library it bundles, the library's sources, no
//     build folder, at most 15 MB; the folder holds neither afterwards;
//  3. installs the tarball into another new app with nothing on PATH but node and sh, so that
//     any attempt to build fails, and lists the tree through the prebuilt addon;
//  4. installs it once more with LEANSPEC_NODE_FROM_SOURCE=1 and the same PATH, and expects
//     the install to fail with one message naming every missing tool.
// The npm packages come from npm's cache or the registry. Slow: step 1 compiles the library and
// the addon (Release).
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
const list = (cwd) => JSON.parse(run(process.execPath, ['-e', script], cwd).trim().split('\n').pop());
const out = list(app);
assert.equal(out.from, path.join(pkg, 'index.js')); // through app/node_modules, npm's link
assert.equal(fs.realpathSync(path.join(app, 'node_modules', '@libleanspec', 'node')), pkg);
assert.deepEqual(out.specs, [['001-first', 'planned'], ['002-second', 'in-progress']]);
console.log(`1. npm install <folder> and require: ok (${Math.round((Date.now() - started) / 1000)} s)`);

// 2. npm pack.
const packed = path.join(work, 'packed');
fs.rmSync(packed, { recursive: true, force: true });
fs.mkdirSync(packed);
run('npm', ['pack', '--pack-destination', packed, '--no-audit', '--no-fund'], pkg);
const [tarball] = fs.readdirSync(packed).map((name) => path.join(packed, name));
assert.match(path.basename(tarball), /^libleanspec-node-[0-9.]+\.tgz$/);
const size = fs.statSync(tarball).size;
assert.ok(size <= 15 * 1024 * 1024, `tarball ${size} bytes, over 15 MB`);
const entries = run('tar', ['-tzf', tarball], packed).split('\n');
const tag = `${process.platform}-${process.arch}-glibc`;
for (const file of [`prebuilds/${tag}/leanspec.node`, `prebuilds/${tag}/libleanspec-simdjson.so.14`,
  'libleanspec/src/CMakeLists.txt', 'libleanspec/npm/node-api-headers/include/node_api.h',
  'libleanspec/npm/node-addon-api/napi.h', 'lib/prebuild.js', 'scripts/install.js', 'index.d.ts',
  'spec-rows.js', 'spec-rows.d.ts']) {
  assert.ok(entries.includes(`package/${file}`), `the tarball lacks ${file}`);
}
assert.ok(!entries.some((e) => /^package\/(build|node_modules)\//.test(e)), 'build output in the tarball');
assert.ok(!fs.existsSync(path.join(pkg, 'prebuilds')) && !fs.existsSync(path.join(pkg, 'libleanspec')),
  'postpack left the prebuild or the sources in the folder');
console.log(`2. npm pack: ${path.basename(tarball)}, ${(size / 1048576).toFixed(1)} MB, ${entries.length - 1} files`);

// 3 and 4: a PATH with node and sh alone (npm runs the install script through sh).
const bare = path.join(work, 'bare-bin');
fs.rmSync(bare, { recursive: true, force: true });
fs.mkdirSync(bare);
fs.symlinkSync(process.execPath, path.join(bare, 'node'));
fs.symlinkSync('/bin/sh', path.join(bare, 'sh'));
const npmCli = fs.realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
const bareEnv = { ...env, PATH: bare };
delete bareEnv.LEANSPEC_NODE_BUILD_DIR;
const newApp = (name) => {
  const dir = path.join(work, name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  fs.cpSync(path.join(app, 'specs'), path.join(dir, 'specs'), { recursive: true });
  return dir;
};
const npmInstall = (dir, extraEnv) => execFileSync(process.execPath,
  [npmCli, 'install', tarball, '--offline', '--no-audit', '--no-fund', '--foreground-scripts'],
  { cwd: dir, env: { ...bareEnv, ...extraEnv }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

const app3 = newApp('app-tarball');
const log = npmInstall(app3, {});
assert.match(log, /using the prebuilt addon prebuilds\//);
const installed = path.join(app3, 'node_modules', '@libleanspec', 'node');
assert.ok(!fs.existsSync(path.join(installed, 'build')), 'the install built something');
const maps = `
  require('@libleanspec/node');
  console.log(JSON.stringify(require('node:fs').readFileSync('/proc/self/maps', 'utf8')
    .split('\\n').map((l) => l.split(' ').pop()).filter((f) => /leanspec/.test(f))));`;
const loaded = JSON.parse(execFileSync(process.execPath, ['-e', maps], { cwd: app3, env: bareEnv, encoding: 'utf8' }));
for (const name of ['leanspec.node', 'libleanspec-simdjson.so.14']) {
  assert.ok(loaded.includes(path.join(fs.realpathSync(installed), 'prebuilds', tag, name)),
    `${name} not loaded from the prebuild: ${loaded}`);
}
assert.deepEqual(list(app3).specs, [['001-first', 'planned'], ['002-second', 'in-progress']]);
console.log('3. npm install <tarball> with no build tools: the prebuilt addon, ok');

const app4 = newApp('app-from-source');
const failed = (() => {
  try {
    npmInstall(app4, { LEANSPEC_NODE_FROM_SOURCE: '1' });
  } catch (e) {
    return `${e.stdout}${e.stderr}`;
  }
  assert.fail('a build from source with no tools succeeded');
})();
assert.match(failed, /cannot build the addon from source: missing cmake, ninja, c\+\+, patchelf\. A build needs/);
console.log('4. a build from source with no tools: one message naming them, ok');

// 5. The tarball's own sources (libleanspec/), as a build from source on a host where no
// prebuild fits would use them: CMake configures the unpacked package with scripts/install.js's
// options and the N-API headers the tarball carries, reading nothing of the checkout. (The
// compile is step 1's, from the checkout; docs/PACKAGING.md has a full build from the tarball.)
const unpacked = path.join(work, 'tarball-sources');
fs.rmSync(unpacked, { recursive: true, force: true });
fs.mkdirSync(unpacked, { recursive: true });
run('tar', ['-xzf', tarball, '-C', unpacked], work);
const pkgDir = path.join(unpacked, 'package');
const vendoredHeaders = path.join(pkgDir, 'libleanspec', 'npm');
const configured = path.join(work, 'tarball-cmake');
fs.rmSync(configured, { recursive: true, force: true });
run('cmake', ['-S', pkgDir, '-B', configured, '-G', 'Ninja', '-DCMAKE_BUILD_TYPE=Release',
  `-DLEANSPEC_NODE_API_HEADERS=${path.join(vendoredHeaders, 'node-api-headers', 'include')}`,
  `-DLEANSPEC_NODE_ADDON_API=${path.join(vendoredHeaders, 'node-addon-api')}`], work);
const ninja = fs.readFileSync(path.join(configured, 'build.ninja'), 'utf8')
  .replaceAll(unpacked, '<unpacked>').replaceAll(configured, '<build>');
for (const outside of [repo, mirror]) {
  assert.ok(!ninja.includes(outside), `the tarball's build reads ${outside}`);
}
assert.ok(ninja.includes('<unpacked>/package/libleanspec/src/'), 'the library is not the tarball\'s copy');
console.log('5. the tarball\'s sources configure on their own, ok');
console.log(`node_package: ok (${Math.round((Date.now() - started) / 1000)} s)`);
