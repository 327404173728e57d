'use strict';
// The Node front-end of tests/conformance (see conformance.py for the protocol): argv is the
// specs dir and the project id, stdin one operation a line; each answer is the library's JSON
// text from @libleanspec/node's `json` calls (what a Node HTTP route sends), `null`, or
// `error <code>: <message>`. LEANSPEC_NODE_ADDON names the addon to load.
const path = require('node:path');
const leanspec = require(path.join(__dirname, '..', '..', 'bindings', 'node'));

function value(key, text) {
  if (key === 'status' || key === 'priority' || key === 'tags') return text.split(',');
  if (key === 'archived' || key === 'descending') return text === 'true';
  if (key === 'limit') return Number(text);
  return text;
}

async function run(source, line) {
  const space = line.indexOf(' ');
  const op = space < 0 ? line : line.slice(0, space);
  const rest = space < 0 ? '' : line.slice(space + 1);
  if (op === 'list') {
    const query = {};
    for (const token of rest.split(' ').filter(Boolean)) {
      const eq = token.indexOf('=');
      const key = token.slice(0, eq);
      query[key] = value(key, token.slice(eq + 1));
    }
    return source.json.list(query);
  }
  if (op === 'get') return (await source.json.get(rest)) ?? 'null';
  if (op === 'search') {
    const cut = rest.indexOf(' ');
    return source.json.search(rest.slice(cut + 1), { limit: Number(rest.slice(0, cut)) });
  }
  if (op === 'stats') return source.json.stats();
  throw new Error(`unknown operation ${JSON.stringify(line)}`);
}

async function main() {
  const [specsDir, projectId] = process.argv.slice(2);
  const source = await leanspec.FilesystemSource.open({ specsDir, projectId });
  const input = require('node:fs').readFileSync(0, 'utf8');
  const out = [];
  for (const line of input.split('\n').filter((l) => l.length > 0)) {
    try {
      out.push(await run(source, line));
    } catch (error) {
      if (!error.code) throw error;
      out.push(`error ${error.code}: ${error.message}`);
    }
  }
  await source.close();
  process.stdout.write(out.map((l) => `${l}\n`).join(''));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
