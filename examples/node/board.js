'use strict';
// Prints the specs of a directory by status, then follows it: every saved edit prints the
// change event and the spec's new status. Ctrl-C stops it.
//   npm install ./bindings/node        (once, from the repository root)
//   node examples/node/board.js [specs dir, default ./specs]
const leanspec = require('@libleanspec/node');

async function main() {
  const specsDir = process.argv[2] || 'specs';
  const source = await leanspec.FilesystemSource.open({ specsDir, watch: true });
  for (const [status, specs] of Object.entries(await source.byStatus())) {
    if (specs.length === 0) continue;
    console.log(`${status} (${specs.length})`);
    for (const spec of specs) console.log(`  ${spec.id}  ${spec.title}`);
  }
  console.log(`\nwatching ${source.options.specsDir} ...`);
  source.on('change', async (event) => {
    for (const id of [...event.added, ...event.changed]) {
      const spec = await source.get(id);
      console.log(`v${event.version} ${event.added.includes(id) ? 'added' : 'changed'} ${id}: ${spec?.status}`);
    }
    for (const id of event.removed) console.log(`v${event.version} removed ${id}`);
  });
  process.once('SIGINT', () => source.close());
}

main().catch((error) => {
  console.error(`${error.code ?? 'error'}: ${error.message}`);
  process.exit(1);
});
