'use strict';
// Until the shared driver lands (tests/conformance, C++/C/Python), this checks the Node dump
// byte for byte against the C++ library's own to_json, as printed by `leanspec ... --json`, on
// a fixture tree with the cases that could make JSON.parse + JSON.stringify drift: non-ASCII,
// control characters, quotes and backslashes, fractional scores and rates, nested and
// number-like frontmatter keys. Usage: node node_vs_cli.js PATH/TO/leanspec
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');
const { dump } = require('./node_dump');

const cli = process.argv[2] || process.env.LEANSPEC_CLI;

function fixture() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'leanspec-conformance-'));
  const spec = (id, frontmatter, body) => {
    fs.mkdirSync(path.join(root, 'specs', id), { recursive: true });
    fs.writeFileSync(path.join(root, 'specs', id, 'README.md'), `---\n${frontmatter}\n---\n\n${body}`);
  };
  spec('001-unicode', 'status: in-progress\npriority: high\ntags: [ünï, 日本]\ncreated: 2025-11-01',
    '# Ünïcødé — 日本語 "quoted" \\\\ back\n\nBody with a tab\there and a bell \u0007 and emoji 🚀.\n');
  spec('002-frontmatter', 'status: planned\ncreated_at: 2025-11-02T10:00:00Z\nowner:\n  team: core\n  "2024": yes\ncustom_list: [1, two, 3.0]\n"10": ten',
    '# Frontmatter\n\nCache search cache.\n');
  spec('003-rates', 'status: complete\ncompleted: 2025-11-03\ndepends_on: [001-unicode]', '# Rates\n\nA cache of caches.\n');
  fs.mkdirSync(path.join(root, 'specs', '003-rates'), { recursive: true });
  fs.writeFileSync(path.join(root, 'specs', '003-rates', 'NOTES.md'), '# Notes\n\nSub-spec ünï.\n');
  return root;
}

const run = (args) => execFileSync(cli, args, { encoding: 'utf8' }).replace(/\n$/, '');

test('the Node dump equals the C++ to_json the CLI prints, byte for byte', async () => {
  assert.ok(cli, 'usage: node_vs_cli.js PATH/TO/leanspec');
  const root = fixture();
  try {
    const specsDir = path.join(root, 'specs');
    const queries = ['cache', 'ünï', 'status:planned OR tag:日本'];
    const lines = await dump(specsDir, queries);
    const expected = [`list\t${run(['list', '--json', '--specs-dir', specsDir])}`];
    for (const id of ['001-unicode', '002-frontmatter', '003-rates']) expected.push(`get\t${id}\t${run(['show', id, '--json', '--specs-dir', specsDir])}`);
    for (const q of queries) expected.push(`search\t${q}\t${run(['search', q, '--json', '--specs-dir', specsDir])}`);
    expected.push(`stats\t${run(['stats', '--json', '--specs-dir', specsDir])}`);
    assert.equal(lines.length, expected.length);
    for (let i = 0; i < lines.length; ++i) assert.equal(lines[i], expected[i], `line ${i + 1} (${lines[i].split('\t')[0]})`);

    // The objects the ordinary calls give hold the same values, and serialize back to the same
    // bytes except for the order of number-like keys ("10", "2024"), which JS lists first.
    const { FilesystemSource } = require('../../bindings/node');
    const source = await FilesystemSource.open({ specsDir });
    try {
      const cliJson = (i) => expected[i].slice(expected[i].lastIndexOf('\t') + 1);
      assert.equal(JSON.stringify(await source.list()), cliJson(0));
      assert.equal(JSON.stringify(await source.get('001-unicode')), cliJson(1));
      assert.deepEqual(await source.get('002-frontmatter'), JSON.parse(cliJson(2)));
      assert.notEqual(JSON.stringify(await source.get('002-frontmatter')), cliJson(2), 'JS reorders "10" and "2024"');
      assert.equal(JSON.stringify(await source.get('003-rates')), cliJson(3));
      for (let i = 0; i < queries.length; ++i) assert.equal(JSON.stringify(await source.search(queries[i])), cliJson(4 + i));
      assert.equal(JSON.stringify(await source.stats()), cliJson(expected.length - 1));
    } finally {
      await source.close();
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
