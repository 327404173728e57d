'use strict';
// package.json's "install" script. With a prebuilt addon for this platform in the package
// (prebuilds/, lib/prebuild.js), nothing to do. Otherwise it builds build/leanspec.node from
// the library's sources (cmake -S bindings/node, which adds the repository root, or the copy
// the tarball holds, as a subdirectory; see CMakeLists.txt), after checking that the tools a
// build needs are here and naming every missing one in one message. The N-API headers come
// from the npm packages node-api-headers and node-addon-api (devDependencies), looked up where
// npm put them:
//  - in the tarball, which holds a copy of both (libleanspec/npm/);
//  - beside this package: in bindings/node/node_modules after `npm ci` here;
//  - nowhere, when npm linked the folder (`npm install <repo>/bindings/node`, npm's default
//    for a folder) or copied a tarball: npm installs no devDependency of an installed package.
//    Then they are installed here (from package-lock.json when there is one) with the npm that
//    runs this script (its cache first).
// LEANSPEC_NODE_BUILD_DIR: the cmake build directory (default: build/ here).
// LEANSPEC_NODE_FROM_SOURCE=1: build even when a prebuilt addon would do.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { pkg, prebuilt } = require('../lib/prebuild.js');

const headers = ['node-api-headers', 'node-addon-api'];

if (!process.env.LEANSPEC_NODE_FROM_SOURCE) {
  const { file, why } = prebuilt();
  if (file) {
    console.log(`@libleanspec/node: using the prebuilt addon ${path.relative(pkg, file)}`);
    process.exit(0);
  }
  console.log(`@libleanspec/node: ${why}: building it from source`);
}

// Every tool a source build needs, checked before the first step.
function onPath(name) {
  return (process.env.PATH || '').split(path.delimiter).some((dir) => {
    try {
      fs.accessSync(path.join(dir, name), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
const missing = [['cmake'], ['ninja'], ['c++', 'g++', 'clang++'], ['patchelf']]
  .filter((names) => !names.some(onPath))
  .map((names) => names[0]);
const sources = [path.join(pkg, 'libleanspec'), path.join(pkg, '..', '..')];
if (!sources.some((dir) => fs.existsSync(path.join(dir, 'src', 'CMakeLists.txt')))) {
  missing.push('the library\'s sources (a checkout of the repository, or the npm tarball)');
}
if (missing.length) {
  console.error(`@libleanspec/node: cannot build the addon from source: missing ${missing.join(', ')}. ` +
    'A build needs cmake 3.25+, ninja, a C++20 compiler, patchelf and the development packages of ' +
    'yaml-cpp, cmark-gfm, simdjson, OpenSSL, SQLite and SQLiteCpp, libpq, libcurl and libarchive ' +
    '(Debian 12: apt-get install cmake ninja-build g++ patchelf libyaml-cpp-dev libcmark-gfm-dev ' +
    'libcmark-gfm-extensions-dev libsimdjson-dev libssl-dev libsqlite3-dev libsqlitecpp-dev ' +
    'libpq-dev libcurl4-openssl-dev libarchive-dev).');
  process.exit(1);
}

function locate(name) {
  const copy = path.join(pkg, 'libleanspec', 'npm', name); // the tarball's (scripts/pack.js)
  if (fs.existsSync(path.join(copy, 'package.json'))) return copy;
  for (const base of [pkg, process.env.INIT_CWD].filter(Boolean)) {
    try {
      return path.dirname(require.resolve(`${name}/package.json`, { paths: [base] }));
    } catch {
      // not under this base
    }
  }
  return null;
}

function run(command, args, options = {}) {
  console.log(`@libleanspec/node: ${[command, ...args].join(' ')}`);
  execFileSync(command, args, { stdio: 'inherit', ...options });
}

if (headers.some((name) => !locate(name))) {
  // npm_execpath is the npm running this install; by hand (or under another client), the npm
  // on PATH.
  const execpath = process.env.npm_execpath || '';
  const npm = /^npm(-cli)?\.js$/.test(path.basename(execpath)) ? [process.execPath, execpath] : ['npm'];
  const verb = fs.existsSync(path.join(pkg, 'package-lock.json'))
    ? ['ci']
    : ['install', '--no-save', '--no-package-lock'];
  run(npm[0], [...npm.slice(1), ...verb, '--prefix', pkg, '--ignore-scripts', '--include=dev',
    '--prefer-offline', '--no-audit', '--no-fund']);
}
const [apiHeaders, addonApi] = headers.map((name) => {
  const dir = locate(name);
  if (!dir) throw new Error(`@libleanspec/node: npm package ${name} was not installed`);
  return dir;
});

const build = process.env.LEANSPEC_NODE_BUILD_DIR || path.join(pkg, 'build');
run('cmake', ['-S', pkg, '-B', build, '-G', 'Ninja', '-DCMAKE_BUILD_TYPE=Release',
  `-DLEANSPEC_NODE_API_HEADERS=${path.join(apiHeaders, 'include')}`,
  `-DLEANSPEC_NODE_ADDON_API=${addonApi}`]);
run('cmake', ['--build', build, '--target', 'leanspec_node']);
