// The app's one SpecsService, made once per server process (Next.js may load this module more
// than once in development; globalThis keeps one). It reads the library's own variables:
// SPECS_MODE (default filesystem), SPECS_DIR (default here: the repository's specs/),
// DATABASE_URL, CACHE_TTL, REVALIDATION_SECRET, ... The filesystem source is watched, so
// change events reach /api/events as soon as a file is saved.
import path from 'node:path';
import { SpecsService } from '@libleanspec/node';

async function open() {
  process.env.SPECS_DIR ||= path.resolve(process.cwd(), '..', '..', 'specs');
  return SpecsService.open(); // from the environment
}

/** @returns {Promise<import('@libleanspec/node').SpecsService>} */
export function source() {
  globalThis.__leanspecService ??= open().catch((error) => {
    globalThis.__leanspecService = undefined; // let the next request try again
    throw error;
  });
  return globalThis.__leanspecService;
}

/** A 200 response with the library's JSON text as is (no parse, no re-serialization). */
export function jsonText(text) {
  return new Response(text, { headers: { 'Content-Type': 'application/json' } });
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
