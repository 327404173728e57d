import type { NextRequest } from 'next/server';
import { errorResponse, jsonText, source } from '../../../../lib/leanspec';

export const dynamic = 'force-dynamic';

// GET /api/specs/:ref (id, number or slug); ?html=1 adds contentHtml.
export async function GET(request: NextRequest, { params }: RouteContext<'/api/specs/[id]'>) {
  const { id } = await params;
  try {
    const src = await source();
    const missing = () => Response.json({ error: { code: 'not_found', message: `no spec '${id}'` } }, { status: 404 });
    if (request.nextUrl.searchParams.get('html') === '1') {
      const spec = await src.get(id, { html: true }); // adds contentHtml to each part
      return spec ? Response.json(spec) : missing();
    }
    const text = await src.json.get(id); // the library's bytes, sent as they are
    return text === null ? missing() : jsonText(text);
  } catch (error) {
    return errorResponse(error);
  }
}
