import { createHash, timingSafeEqual } from 'node:crypto';
import type { SyncRun } from '@libleanspec/node';
import { errorResponse, source } from '../../../../lib/leanspec';

export const dynamic = 'force-dynamic';

// Compares SHA-256 digests (equal length whatever was sent), so neither the secret's content
// nor its length leaks through timing.
function authorized(request: Request): boolean {
  const secret = process.env.CRON_SECRET;
  if (!secret) return false;
  const presented = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(presented), digest(secret));
}

// GET /api/cron/sync (Authorization: Bearer $CRON_SECRET): syncs now, through the service, every
// registered project that is due (never synced, or its interval — 3600 s when 0 — has passed
// since the last sync). For hosts without a long-running process (LEANSPEC_SYNC_SCHEDULER=0).
export async function GET(request: Request) {
  if (!authorized(request)) return Response.json({ error: { code: 'unauthorized', message: 'bad or missing bearer token' } }, { status: 401 });
  try {
    const service = await source();
    if (service.mode === 'filesystem') return Response.json({ runs: [] });
    const now = Date.now();
    const due = (await service.registeredProjects()).filter(
      (p) => p.lastSyncedAt === 0 || p.lastSyncedAt + (p.syncIntervalMs || 3600000) <= now,
    );
    const runs: SyncRun[] = [];
    for (const p of due) runs.push(await service.syncNow(p.id)); // one at a time: a cron tick is not a stampede
    return Response.json({ runs });
  } catch (error) {
    return errorResponse(error);
  }
}
