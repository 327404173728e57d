import { errorResponse, source } from '../../../../lib/leanspec';

export const dynamic = 'force-dynamic';

// GET /api/specs/:ref (id, number or slug); ?html=1 adds contentHtml.
export async function GET(request, { params }) {
  const { id } = await params;
  try {
    const html = request.nextUrl.searchParams.get('html') === '1';
    const spec = await (await source()).get(id, { html });
    if (!spec) return Response.json({ error: { code: 'not_found', message: `no spec '${id}'` } }, { status: 404 });
    return Response.json(spec);
  } catch (error) {
    return errorResponse(error);
  }
}
