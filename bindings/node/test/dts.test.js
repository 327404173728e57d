'use strict';
// index.d.ts against what the package and the addon really export: every declared export and
// class member exists, nothing exported is undeclared, and every native method is bound.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const leanspec = require('..');

const dts = fs.readFileSync(path.join(__dirname, '..', 'index.d.ts'), 'utf8');
const addon = require(path.resolve(process.env.LEANSPEC_NODE_ADDON || path.join(__dirname, '..', 'build', 'leanspec.node')));

// {name: {static: Set, instance: Set}} from `export declare class X ... { ... }` blocks.
function declaredClasses() {
  const classes = {};
  for (const m of dts.matchAll(/^export declare class (\w+)[^{]*\{\n([\s\S]*?)^\}/gm)) {
    const members = { static: new Set(), instance: new Set() };
    for (const line of m[2].split('\n')) {
      const member = line.match(/^ {2}(static |protected )?(?:readonly )?(\w+)[(:<]/);
      if (!member || member[2] === 'constructor') continue;
      (member[1] === 'static ' ? members.static : members.instance).add(member[2]);
    }
    classes[m[1]] = members;
  }
  return classes;
}

const ownNames = (object, skip) =>
  new Set(Object.getOwnPropertyNames(object).filter((n) => !skip.includes(n)));

test('the exports declared in index.d.ts are exactly the exports of index.js', () => {
  const declared = [...dts.matchAll(/^export declare (?:class|function|const) (\w+)/gm)].map((m) => m[1]);
  assert.deepEqual([...declared].sort(), Object.keys(leanspec).sort());
  for (const m of dts.matchAll(/^export declare (class|function|const) (\w+)/gm)) {
    assert.equal(typeof leanspec[m[2]] === 'function', m[1] !== 'const', `${m[2]} is declared a ${m[1]}`);
  }
});

test('each declared class has exactly the declared members', () => {
  const classes = declaredClasses();
  assert.ok(classes.SpecSource.instance.has('list') && classes.FilesystemSource.static.has('open'));
  assert.deepEqual(Object.keys(classes).sort(), ['CachingSource', 'DatabaseSource', 'FilesystemSource', 'GithubSync', 'SpecSource', 'SpecsService']);
  for (const [name, members] of Object.entries(classes)) {
    const cls = leanspec[name];
    const statics = ownNames(cls, ['length', 'name', 'prototype']);
    assert.deepEqual([...statics].sort(), [...members.static].sort(), `${name} statics`);
    const instance = ownNames(cls.prototype, ['constructor']);
    const declared = new Set(members.instance);
    // on/once/off are EventEmitter's, declared only to type the 'change' event
    for (const inherited of ['on', 'once', 'off']) {
      if (declared.delete(inherited)) assert.equal(typeof cls.prototype[inherited], 'function');
    }
    assert.deepEqual([...instance].sort(), [...declared].sort(), `${name} members`);
  }
});

test('every native method and export is bound by index.js', () => {
  const classes = declaredClasses();
  const common = classes.SpecSource.instance;
  for (const name of ['FilesystemSource', 'CachingSource', 'DatabaseSource', 'SpecsService']) {
    const nativeMembers = ownNames(addon[name].prototype, ['constructor']);
    for (const member of nativeMembers) {
      assert.ok(common.has(member) || classes[name].instance.has(member), `native ${name}.${member} is unbound`);
    }
  }
  const boundFunctions = {
    openFilesystem: 'FilesystemSource.open', openDatabase: 'DatabaseSource.open', makeCaching: 'CachingSource',
    openService: 'SpecsService.open', serviceConfigProblems: 'SpecsService.problems', openGithubSync: 'GithubSync.open',
    Subscription: 'SpecSource.subscribe', stopSchedulers: "process.on('exit')",
  };
  for (const name of Object.keys(addon)) {
    assert.ok(name in leanspec || name in boundFunctions || name in classes, `native export ${name} is unbound`);
  }
});
