'use strict';
// The Node front-end's conformance dump: what @libleanspec/node gives a JS program for list,
// get (every spec), search and stats on one specs directory, as the JSON text of its `json`
// calls (what an HTTP route of a Node app sends). One result per line, tab-separated:
//   list\t<json>
//   get\t<id>\t<json>          for each spec, in list order
//   search\t<query>\t<json>    for each query argument
//   stats\t<json>
// JSON never holds a raw tab or newline, so the lines split safely. Usage:
//   node tests/conformance/node_dump.js SPECS_DIR [QUERY...]
// (LEANSPEC_NODE_ADDON may name the addon to load; default: bindings/node/build.)
const path = require('node:path');
const leanspec = require(path.join(__dirname, '..', '..', 'bindings', 'node'));

async function dump(specsDir, queries) {
  const lines = [];
  const source = await leanspec.FilesystemSource.open({ specsDir });
  try {
    const list = await source.json.list();
    lines.push(`list\t${list}`);
    for (const spec of JSON.parse(list).specs) lines.push(`get\t${spec.id}\t${await source.json.get(spec.id)}`);
    for (const query of queries) lines.push(`search\t${query}\t${await source.json.search(query)}`);
    lines.push(`stats\t${await source.json.stats()}`);
  } finally {
    await source.close();
  }
  return lines;
}

module.exports = { dump };

if (require.main === module) {
  const [specsDir, ...queries] = process.argv.slice(2);
  if (!specsDir) {
    console.error('usage: node_dump.js SPECS_DIR [QUERY...]');
    process.exit(2);
  }
  dump(specsDir, queries).then(
    (lines) => process.stdout.write(lines.join('\n') + '\n'),
    (error) => {
      console.error(`${error.code ?? 'error'}: ${error.message}`);
      process.exit(1);
    },
  );
}
