import { errorResponse, githubSync } from '../../../../lib/leanspec';

export const dynamic = 'force-dynamic';

// POST /api/webhooks/github: the raw body and the headers go to the library, which checks
// X-Hub-Signature-256 against WEBHOOK_SECRET, answers pings, and queues a sync for a push.
// Its status is the answer (401 for a bad or missing signature).
export async function POST(request) {
  try {
    const sync = await githubSync();
    if (!sync) return Response.json({ error: { code: 'not_found', message: 'no database in filesystem mode' } }, { status: 404 });
    const body = Buffer.from(await request.arrayBuffer());
    const result = await sync.handleWebhook(Object.fromEntries(request.headers), body);
    return Response.json({ action: result.action, message: result.message, projectId: result.projectId }, { status: result.status });
  } catch (error) {
    return errorResponse(error);
  }
}
