// The app's one libleanspec source, made once per server process (Next.js may load this module
// more than once in development; globalThis keeps one). Filesystem mode: SPECS_DIR (default:
// the repository's own specs/), watched, behind a CachingSource whose entries the watcher's
// change events invalidate at once.
import path from 'node:path';
import { CachingSource, FilesystemSource } from '@libleanspec/node';

async function open() {
  const specsDir = process.env.SPECS_DIR || path.resolve(process.cwd(), '..', '..', 'specs');
  const files = await FilesystemSource.open({ specsDir, watch: true });
  const ttlMs = process.env.CACHE_TTL ? Number(process.env.CACHE_TTL) : 60000;
  return { files, source: new CachingSource(files, { ttlMs }), specsDir };
}

/** @returns {Promise<{source: import('@libleanspec/node').SpecSource, specsDir: string}>} */
export function leanspec() {
  globalThis.__leanspec ??= open().catch((error) => {
    globalThis.__leanspec = undefined; // let the next request try again
    throw error;
  });
  return globalThis.__leanspec;
}

/** The source, for pages and routes. */
export async function source() {
  return (await leanspec()).source;
}

/** A JSON error response for a library Error (its `code` chooses the status). */
export function errorResponse(error) {
  const status = { invalid_argument: 400, not_found: 404, ambiguous: 409, unauthorized: 401, rate_limited: 429 }[error.code] ?? 500;
  return Response.json({ error: { code: error.code ?? 'internal', message: error.message } }, { status });
}

/** Filter options from URL search params: status, priority, tag (repeatable), assignee. */
export function filterFrom(params) {
  const filter = {};
  const all = (key) => params.getAll(key).flatMap((v) => v.split(',')).filter(Boolean);
  if (all('status').length) filter.status = all('status');
  if (all('priority').length) filter.priority = all('priority');
  if (all('tag').length) filter.tags = all('tag');
  if (params.get('assignee')) filter.assignee = params.get('assignee');
  return filter;
}
