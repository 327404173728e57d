// The app's one SpecsService, made once per server process (Next.js may load this module more
// than once in development; globalThis keeps one). It reads the library's own variables:
// SPECS_MODE (default filesystem), SPECS_DIR (default here: the repository's specs/, seen from
// the working directory of `next start` and `next dev`; the standalone server runs in its own
// folder, so `npm start` passes it), DATABASE_URL, CACHE_TTL_MS, REVALIDATION_SECRET,
// GITHUB_API_URL, GITHUB_TOKEN, WEBHOOK_SECRET (and WEBHOOK_SECRET_PREVIOUS while rotating), ...
// The filesystem source is watched, so change events reach /api/events as soon as a file is saved.
//
// In database and both modes the service also syncs the registered GitHub projects: its
// scheduler starts with it (instrumentation.ts opens it when the server starts) unless
// LEANSPEC_SYNC_SCHEDULER=0 (then only "Sync now" and GET /api/cron/sync sync). Every sync call
// of the app goes through the service: syncNow, requestSync, syncRuns, handleWebhook.
import path from 'node:path';
import { SpecsService, type ErrorCode, type Filter, type LeanspecError, type Priority, type Status } from '@libleanspec/node';

declare global {
  // The service of this process, kept across reloads of this module (`var`: a global binding).
  var __leanspecService: Promise<SpecsService> | undefined;
}

async function open(): Promise<SpecsService> {
  process.env.SPECS_DIR ||= path.resolve(process.cwd(), '..', '..', 'specs');
  const service = await SpecsService.open(); // from the environment
  if (service.mode !== 'filesystem' && process.env.LEANSPEC_SYNC_SCHEDULER !== '0') {
    await service.startSync();
    stopSyncOnShutdown(service);
  }
  return service;
}

// The server (`next start`, or the standalone server.js) exits (process.exit) on SIGTERM and
// SIGINT once it has closed its server; these listeners run beside its own and begin stopping
// the scheduler at the signal, so a sync under way ends at its next request batch instead of
// being cut off by the exit.
function stopSyncOnShutdown(service: SpecsService): void {
  const stop = () => service.stopSync().catch(() => {});
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, stop);
  process.once('beforeExit', stop);
}

export function source(): Promise<SpecsService> {
  globalThis.__leanspecService ??= open().catch((error: unknown) => {
    globalThis.__leanspecService = undefined; // let the next request try again
    throw error;
  });
  return globalThis.__leanspecService;
}

/** Whether `error` is the library's error with the code `code` ('invalid_argument', ...). */
export function isLeanspecError(error: unknown, code: ErrorCode): error is LeanspecError {
  return error instanceof Error && 'code' in error && error.code === code;
}

/** A 200 response with the library's JSON text as is (no parse, no re-serialization). */
export function jsonText(text: string): Response {
  return new Response(text, { headers: { 'Content-Type': 'application/json' } });
}

const statusOfCode: Partial<Record<string, number>> = { invalid_argument: 400, not_found: 404, ambiguous: 409, conflict: 409, unauthorized: 401, rate_limited: 429, network: 502 };

/**
 * A JSON error response for a library Error (its `code` chooses the status, or `statuses` when
 * it names the code).
 */
export function errorResponse(error: unknown, statuses: Partial<Record<ErrorCode, number>> = {}): Response {
  // The library's errors carry an ErrorCode; another Error (a body that is not JSON, ...) may
  // carry Node's code, or none: 'internal'.
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : 'internal';
  const message = error instanceof Error ? error.message : undefined;
  return Response.json({ error: { code, message } }, { status: statuses[code as ErrorCode] ?? statusOfCode[code] ?? 500 });
}

/** The URL search params of a page's `searchParams` (repeated keys as arrays). */
export function urlSearchParams(searchParams: Record<string, string | string[] | undefined>): URLSearchParams {
  return new URLSearchParams(
    Object.entries(searchParams).flatMap(([k, v]) => (v === undefined ? [] : Array.isArray(v) ? v.map((x) => [k, x]) : [[k, v]])),
  );
}

/** Filter options from URL search params: status, priority, tag (repeatable), assignee. */
export function filterFrom(params: URLSearchParams): Filter {
  const filter: Filter = {};
  const all = (key: string) => params.getAll(key).flatMap((v) => v.split(',')).filter(Boolean);
  // Status and priority values go to the library unchecked: it rejects one it does not know
  // with 'invalid_argument' (a 400 naming the value), which a check here would only repeat.
  if (all('status').length) filter.status = all('status') as Status[];
  if (all('priority').length) filter.priority = all('priority') as Priority[];
  if (all('tag').length) filter.tags = all('tag');
  const assignee = params.get('assignee');
  if (assignee) filter.assignee = assignee;
  return filter;
}
