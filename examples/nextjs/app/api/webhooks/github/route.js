import { errorResponse, source } from '../../../../lib/leanspec';

export const dynamic = 'force-dynamic';

// POST /api/webhooks/github: the raw body and the headers go to the service, whose GitHub sync
// checks X-Hub-Signature-256 against WEBHOOK_SECRET (or WEBHOOK_SECRET_PREVIOUS), answers pings,
// skips redeliveries and queues an incremental sync for a push. Its status is the answer: 401
// for a bad or missing signature, 404 in filesystem mode, 503 while the database is unreachable.
export async function POST(request) {
  try {
    const service = await source();
    const body = Buffer.from(await request.arrayBuffer());
    const result = await service.handleWebhook(request.headers, body);
    return Response.json({ action: result.action, message: result.message, projectId: result.projectId }, { status: result.status });
  } catch (error) {
    return errorResponse(error);
  }
}
