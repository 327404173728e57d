'use strict';
// `npm pack` / `npm publish` in bindings/node (package.json's prepack and postpack scripts):
//   node scripts/pack.js prepack   builds the addon (Release, scripts/install.js from source),
//                                  puts it stripped, with the library it bundles, into
//                                  prebuilds/<tag>/ (lib/prebuild.js), and copies the library's
//                                  sources and the N-API headers into libleanspec/, for
//                                  installs where no prebuild fits
//   node scripts/pack.js postpack  removes both again: a checkout never holds a stale prebuild
// LEANSPEC_NODE_BUILD_DIR is honoured as by scripts/install.js (a kept build is incremental).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { pkg, tag } = require('../lib/prebuild.js');

const prebuilds = path.join(pkg, 'prebuilds');
const vendored = path.join(pkg, 'libleanspec');
const repo = path.resolve(pkg, '..', '..');

function prepack() {
  if (!fs.existsSync(path.join(repo, 'src', 'CMakeLists.txt'))) {
    throw new Error(`@libleanspec/node: npm pack runs in a checkout of the repository (${repo})`);
  }
  execFileSync(process.execPath, [path.join(__dirname, 'install.js')], {
    stdio: 'inherit', env: { ...process.env, LEANSPEC_NODE_FROM_SOURCE: '1' },
  });
  const into = path.join(prebuilds, tag());
  fs.rmSync(prebuilds, { recursive: true, force: true });
  fs.mkdirSync(into, { recursive: true });
  const built = path.join(pkg, 'build');
  for (const name of fs.readdirSync(built)) {
    if (name === 'leanspec.node' || name.startsWith('libleanspec-')) {
      execFileSync('strip', ['--strip-unneeded', '-o', path.join(into, name), path.join(built, name)]);
    }
  }
  // What the root CMakeLists.txt reads with tests, CLI, C API and bindings off, and the N-API
  // headers (devDependencies, which npm does not install for a dependency), with their licenses:
  // a build from the tarball downloads nothing.
  fs.rmSync(vendored, { recursive: true, force: true });
  for (const entry of ['CMakeLists.txt', 'cmake', 'include', 'src']) {
    fs.cpSync(path.join(repo, entry), path.join(vendored, entry), { recursive: true });
  }
  const headers = {
    'node-api-headers': ['package.json', 'LICENSE', 'include'],
    'node-addon-api': ['package.json', 'LICENSE.md', 'napi.h', 'napi-inl.h', 'napi-inl.deprecated.h'],
  };
  for (const [name, entries] of Object.entries(headers)) {
    const from = path.dirname(require.resolve(`${name}/package.json`, { paths: [pkg] }));
    for (const entry of entries) {
      fs.cpSync(path.join(from, entry), path.join(vendored, 'npm', name, entry), { recursive: true });
    }
  }
}

function postpack() {
  fs.rmSync(prebuilds, { recursive: true, force: true });
  fs.rmSync(vendored, { recursive: true, force: true });
}

const step = { prepack, postpack }[process.argv[2]];
if (!step) throw new Error('usage: node scripts/pack.js prepack|postpack');
step();
