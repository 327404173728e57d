// After `next build` (output: 'standalone'): copies what Next.js leaves out of .next/standalone,
// .next/static (and public/, when the app has one), beside the standalone server.js, as
// https://nextjs.org/docs/app/api-reference/config/next-config-js/output says to; prints the
// server's path. `npm run build` runs it; the tests call prepareStandalone() (CI builds with
// `npx next build`). Safe to run again, and at once from several processes.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const app = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The last build's standalone server.js, its static files beside it. */
export function prepareStandalone() {
  const next = path.join(app, '.next');
  const required = path.join(next, 'required-server-files.json');
  if (!fs.existsSync(required)) throw new Error('build the app first: npm run build');
  // The app's folder under .next/standalone: its path from outputFileTracingRoot (next.config.ts).
  const { relativeAppDir } = JSON.parse(fs.readFileSync(required, 'utf8'));
  const dir = path.join(next, 'standalone', relativeAppDir);
  const server = path.join(dir, 'server.js');
  if (!fs.existsSync(server)) throw new Error(`no ${path.relative(app, server)}: build with output: 'standalone'`);
  copyOnce(path.join(next, 'static'), path.join(dir, '.next', 'static'));
  copyOnce(path.join(app, 'public'), path.join(dir, 'public'));
  return server;
}

// `next build` empties .next/standalone, so a folder there is this build's. It is copied to a
// temporary name and renamed: a reader never sees half of it, and of two copies one wins.
function copyOnce(from, to) {
  if (!fs.existsSync(from) || fs.existsSync(to)) return;
  const partial = `${to}.${process.pid}.partial`;
  fs.cpSync(from, partial, { recursive: true });
  try {
    fs.renameSync(partial, to);
  } catch (error) {
    fs.rmSync(partial, { recursive: true, force: true });
    if (!fs.existsSync(to)) throw error;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`standalone server: ${path.relative(process.cwd(), prepareStandalone())}`);
}
