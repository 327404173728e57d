'use strict';
// package.json's "install" script: builds build/leanspec.node from the repository's sources
// (cmake -S bindings/node, which adds the repository root as a subdirectory; see
// CMakeLists.txt). The N-API headers come from this package's dependencies node-api-headers
// and node-addon-api, looked up where npm put them:
//  - beside this package: in an app's node_modules when npm copied the package there, or in
//    bindings/node/node_modules after `npm ci` here;
//  - nowhere, when npm linked the folder (`npm install <repo>/bindings/node`, npm's default
//    for a folder): npm installs no dependency of a linked package. Then they are installed
//    here, from package-lock.json, with the npm that runs this script (its cache first).
// LEANSPEC_NODE_BUILD_DIR: the cmake build directory (default: build/ here).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const pkg = path.resolve(__dirname, '..');
const headers = ['node-api-headers', 'node-addon-api'];

function locate(name) {
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
  run(npm[0], [...npm.slice(1), ...verb, '--prefix', pkg, '--ignore-scripts', '--omit=dev',
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
