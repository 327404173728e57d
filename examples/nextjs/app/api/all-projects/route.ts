import type { ListQuery, SearchOptions } from '@libleanspec/node';
import type { NextRequest } from 'next/server';
import { errorResponse, filterFrom, jsonText, source } from '../../../lib/leanspec';

export const dynamic = 'force-dynamic';

// GET /api/all-projects?q=cache&tag=api&limit=50&cursor=...: every project the app serves (the
// specs directory and every database project; project=a,b for some). With q: a search, each
// hit with its projectId; without: a list, with projectIds parallel to specs. The library's
// JSON as is; nextCursor pages either.
export async function GET(request: NextRequest) {
  const params = request.nextUrl.searchParams;
  try {
    const options: SearchOptions & ListQuery = { ...filterFrom(params), projectId: params.get('project') || '*' };
    const limit = params.get('limit');
    const cursor = params.get('cursor');
    if (limit) options.limit = Number(limit);
    if (cursor) options.cursor = cursor;
    const src = await source();
    const q = params.get('q')?.trim();
    return jsonText(q ? await src.json.search(q, options) : await src.json.list(options));
  } catch (error) {
    return errorResponse(error);
  }
}
