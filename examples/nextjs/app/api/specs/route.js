import { errorResponse, filterFrom, jsonText, source } from '../../../lib/leanspec';

export const dynamic = 'force-dynamic';

// GET /api/specs?status=planned&tag=core&sort=title&limit=50&cursor=...
export async function GET(request) {
  const params = request.nextUrl.searchParams;
  try {
    const query = { ...filterFrom(params) };
    if (params.get('sort')) query.sort = params.get('sort');
    if (params.get('order') === 'desc') query.descending = true;
    if (params.get('limit')) query.limit = Number(params.get('limit'));
    if (params.get('cursor')) query.cursor = params.get('cursor');
    return jsonText(await (await source()).json.list(query));
  } catch (error) {
    return errorResponse(error);
  }
}
