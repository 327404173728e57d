// The app's one SpecsService, made once per server process (Next.js may load this module more
// than once in development; globalThis keeps one). It reads the library's own variables:
// SPECS_MODE (default filesystem), SPECS_DIR (default here: the repository's specs/),
// DATABASE_URL, CACHE_TTL, REVALIDATION_SECRET, ... The filesystem source is watched, so
// change events reach /api/events as soon as a file is saved.
import path from 'node:path';
import { DatabaseSource, GithubSync, SpecsService } from '@libleanspec/node';

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

// The GitHub sync of the app's database (SPECS_MODE database or both): a GithubSync over a
// DatabaseSource on the same DATABASE_URL as the service, with WEBHOOK_SECRET (and
// WEBHOOK_SECRET_PREVIOUS while rotating). GITHUB_API_URL / GITHUB_TOKEN are read by the library.
// The scheduler runs in this process unless LEANSPEC_SYNC_SCHEDULER=0 (e.g. when only
// GET /api/cron/sync should sync).
async function openSync() {
  const service = await source();
  if (service.mode === 'filesystem') return null;
  const database = await DatabaseSource.open({ databaseUrl: process.env.DATABASE_URL || undefined });
  const webhookSecrets = [process.env.WEBHOOK_SECRET, process.env.WEBHOOK_SECRET_PREVIOUS].filter(Boolean);
  const sync = await GithubSync.open(database, { webhookSecrets });
  if (process.env.LEANSPEC_SYNC_SCHEDULER !== '0') sync.start();
  return sync;
}

/** @returns {Promise<import('@libleanspec/node').GithubSync | null>} null in filesystem mode */
export function githubSync() {
  globalThis.__leanspecSync ??= openSync().catch((error) => {
    globalThis.__leanspecSync = undefined;
    throw error;
  });
  return globalThis.__leanspecSync;
}

// The sync runs this process made (syncNow from the pages and the cron route), newest first,
// a few per project: the sync status page shows them beside the registration's state.
const recentRuns = (globalThis.__leanspecRuns ??= new Map());

/** Syncs a project now, keeps the run for the status page and drops its cached results. */
export async function syncProject(projectId) {
  const sync = await githubSync();
  if (!sync) throw Object.assign(new Error('no database in filesystem mode (SPECS_MODE)'), { code: 'not_found' });
  const run = { ...(await sync.syncNow(projectId)), at: Date.now() };
  recentRuns.set(projectId, [run, ...(recentRuns.get(projectId) ?? [])].slice(0, 20));
  (await source()).invalidate(undefined, { projectId });
  return run;
}

export function runsOf(projectId) {
  return recentRuns.get(projectId) ?? [];
}
