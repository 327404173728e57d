import { errorResponse, source } from '../../../lib/leanspec';

export const dynamic = 'force-dynamic';

// The JSON body as sent: its values go to the library unchecked, which rejects a ref or
// projectId that is not a string ('invalid_argument': 400).
type RevalidateBody = { ref?: string | null; projectId?: string | null };

// POST /api/revalidate (Authorization: Bearer $REVALIDATION_SECRET) with an optional JSON body
// {"ref": "018", "projectId": "acme/web"}: drops the cached results of that spec, or of all.
// The library compares the secret in constant time; no secret configured rejects every call.
export async function POST(request: Request) {
  try {
    const secret = (request.headers.get('authorization') ?? '').replace(/^Bearer /, '');
    const body: RevalidateBody = request.headers.get('content-type')?.includes('json') ? await request.json() : {};
    const ok = (await source()).revalidate(secret, { ref: body.ref ?? undefined, projectId: body.projectId ?? undefined });
    if (!ok) return Response.json({ error: { code: 'unauthorized', message: 'wrong or missing revalidation secret' } }, { status: 401 });
    return Response.json({ revalidated: true, ref: body.ref ?? null });
  } catch (error) {
    return errorResponse(error);
  }
}
