import { errorResponse, source } from '../../../../lib/leanspec';

export const dynamic = 'force-dynamic';

// GitHub's cap on a webhook payload, as the library enforces it (src/github/webhook.hpp).
const maxBody = 25 * 1024 * 1024;

// POST /api/webhooks/github: the raw body and the headers go to the service, whose GitHub sync
// checks X-Hub-Signature-256 against WEBHOOK_SECRET (or WEBHOOK_SECRET_PREVIOUS), answers pings,
// skips redeliveries and queues an incremental sync for a push. Its status is the answer: 401
// for a bad or missing signature, 404 in filesystem mode, 503 while the database is unreachable.
// A body past 25 MB is refused with 413 before it is read (a Content-Length over the cap), or as
// soon as the bytes read pass it: an unauthenticated sender cannot make the server buffer more.
export async function POST(request: Request) {
  try {
    const body = await readBody(request);
    if (!body) return tooLarge();
    const service = await source();
    const result = await service.handleWebhook(request.headers, body);
    return Response.json({ action: result.action, message: result.message, projectId: result.projectId }, { status: result.status });
  } catch (error) {
    return errorResponse(error);
  }
}

// The body as one Buffer, or null once it is known to pass maxBody.
async function readBody(request: Request): Promise<Buffer | null> {
  const length = request.headers.get('content-length');
  if (length !== null && !(Number(length) <= maxBody)) return null;
  if (!request.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks, size);
    size += value.byteLength;
    // Reading stops here, and nothing more is kept. (Cancelling the stream would destroy the
    // socket before the 413 is written; the answer's Connection: close ends the exchange.)
    if (size > maxBody) return null;
    chunks.push(value);
  }
}

function tooLarge() {
  return Response.json(
    { action: 'rejected', message: "payload larger than GitHub's 25 MB cap", projectId: '' },
    { status: 413, headers: { Connection: 'close' } },
  );
}
