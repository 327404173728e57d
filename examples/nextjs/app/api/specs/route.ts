import type { ListQuery, SortKey } from '@libleanspec/node';
import type { NextRequest } from 'next/server';
import { errorResponse, filterFrom, jsonText, source } from '../../../lib/leanspec';

export const dynamic = 'force-dynamic';

// GET /api/specs?status=planned&tag=core&sort=title&limit=50&cursor=...
export async function GET(request: NextRequest) {
  const params = request.nextUrl.searchParams;
  try {
    const query: ListQuery = { ...filterFrom(params) };
    const sort = params.get('sort');
    const limit = params.get('limit');
    const cursor = params.get('cursor');
    if (sort) query.sort = sort as SortKey; // unchecked: the library rejects an unknown key (400)
    if (params.get('order') === 'desc') query.descending = true;
    if (limit) query.limit = Number(limit);
    if (cursor) query.cursor = cursor;
    return jsonText(await (await source()).json.list(query));
  } catch (error) {
    return errorResponse(error);
  }
}
