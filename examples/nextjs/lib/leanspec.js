// The app's one SpecsService, made once per server process (Next.js may load this module more
// than once in development; globalThis keeps one). It reads the library's own variables:
// SPECS_MODE (default filesystem), SPECS_DIR (default here: the repository's specs/),
// DATABASE_URL, CACHE_TTL_MS, REVALIDATION_SECRET, GITHUB_API_URL, GITHUB_TOKEN, WEBHOOK_SECRET
// (and WEBHOOK_SECRET_PREVIOUS while rotating), ... The filesystem source is watched, so change
// events reach /api/events as soon as a file is saved.
//
// In database and both modes the service also syncs the registered GitHub projects: its
// scheduler starts with it (instrumentation.js opens it when the server starts) unless
// LEANSPEC_SYNC_SCHEDULER=0 (then only "Sync now" and GET /api/cron/sync sync). Every sync call
// of the app goes through the service: syncNow, requestSync, syncRuns, handleWebhook.
import path from 'node:path';
import { SpecsService } from '@libleanspec/node';

async function open() {
  process.env.SPECS_DIR ||= path.resolve(process.cwd(), '..', '..', 'specs');
  const service = await SpecsService.open(); // from the environment
  if (service.mode !== 'filesystem' && process.env.LEANSPEC_SYNC_SCHEDULER !== '0') {
    await service.startSync();
    stopSyncOnShutdown(service);
  }
  return service;
}

// `next start` exits (process.exit) on SIGTERM and SIGINT once it has closed its server; these
// listeners run beside its own and begin stopping the scheduler at the signal, so a sync under
// way ends at its next request batch instead of being cut off by the exit.
function stopSyncOnShutdown(service) {
  const stop = () => service.stopSync().catch(() => {});
  for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, stop);
  process.once('beforeExit', stop);
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
