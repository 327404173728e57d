'use strict';
// Where this package's addon comes from: a build of its own (build/, from `npm install` of the
// source or LEANSPEC_NODE_ADDON) or the prebuilt one the tarball holds for this platform
// (prebuilds/<tag>/, made by scripts/pack.js). Read by index.js and scripts/install.js.

const fs = require('node:fs');
const path = require('node:path');

const pkg = path.resolve(__dirname, '..');

// The oldest glibc the prebuilt addon runs on (docs/PACKAGING.md).
const minGlibc = [2, 36];

/** The running glibc as [major, minor], or null (musl, another OS). */
function glibc() {
  if (process.platform !== 'linux') return null;
  const version = process.report.getReport().header.glibcVersionRuntime;
  return version ? version.split('.').map(Number) : null;
}

/** The prebuild's folder name for this process: e.g. linux-x64-glibc. */
function tag() {
  return `${process.platform}-${process.arch}${glibc() ? '-glibc' : ''}`;
}

/** The prebuilt addon for this process, or null with the reason there is none. */
function prebuilt() {
  const file = path.join(pkg, 'prebuilds', tag(), 'leanspec.node');
  if (!fs.existsSync(file)) return { file: null, why: `no prebuilt addon for ${tag()}` };
  const [major, minor] = glibc();
  if (major < minGlibc[0] || (major === minGlibc[0] && minor < minGlibc[1])) {
    return { file: null, why: `the prebuilt addon needs glibc ${minGlibc.join('.')}, this is ${major}.${minor}` };
  }
  return { file, why: null };
}

/** The addon index.js loads: LEANSPEC_NODE_ADDON, a build of this package, the prebuild. */
function addonPath() {
  if (process.env.LEANSPEC_NODE_ADDON) return path.resolve(process.env.LEANSPEC_NODE_ADDON);
  const built = path.join(pkg, 'build', 'leanspec.node');
  if (fs.existsSync(built)) return built;
  const { file, why } = prebuilt();
  if (file) return file;
  throw new Error(`@libleanspec/node: ${why}, and none was built from source here (${built}); ` +
    'reinstall the package to build it (its install script names what a build needs)');
}

module.exports = { pkg, tag, prebuilt, addonPath };
