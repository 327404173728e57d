'use strict';
// Every export of the package can be imported by name from an ES module (plain Node ESM, as
// an app with "type": "module" does), not only through the default export.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');
const { test } = require('node:test');

test('an ES module imports every export by name', () => {
  const names = Object.keys(require('..'));
  assert.ok(names.includes('version') && names.includes('errorCodes'), names.join());
  const entry = JSON.stringify(path.resolve(__dirname, '..', 'index.js'));
  const source = `import { ${names.join(', ')} } from ${entry};
    import whole from ${entry};
    const names = ${JSON.stringify(names)};
    const got = { ${names.join(', ')} };
    for (const name of names) if (got[name] !== whole[name]) throw new Error('differs: ' + name);
    console.log(JSON.stringify({ version, statuses, count: names.length }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', source],
    { encoding: 'utf8' }));
  assert.equal(out.count, names.length);
  assert.match(out.version, /^\d+\.\d+\.\d+/);
  assert.ok(out.statuses.includes('planned'));
});
