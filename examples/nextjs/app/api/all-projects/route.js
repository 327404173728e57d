import { errorResponse, filterFrom, jsonText, source } from '../../../lib/leanspec';

export const dynamic = 'force-dynamic';

// GET /api/all-projects?q=cache&tag=api&limit=50&cursor=...: every project the app serves (the
// specs directory and every database project; project=a,b for some). With q: a search, each
// hit with its projectId; without: a list, with projectIds parallel to specs. The library's
// JSON as is; nextCursor pages either.
export async function GET(request) {
  const params = request.nextUrl.searchParams;
  try {
    const options = { ...filterFrom(params), projectId: params.get('project') || '*' };
    if (params.get('limit')) options.limit = Number(params.get('limit'));
    if (params.get('cursor')) options.cursor = params.get('cursor');
    const src = await source();
    const q = params.get('q')?.trim();
    return jsonText(q ? await src.json.search(q, options) : await src.json.list(options));
  } catch (error) {
    return errorResponse(error);
  }
}
