import type { SearchOptions } from '@libleanspec/node';
import type { NextRequest } from 'next/server';
import { errorResponse, filterFrom, jsonText, source } from '../../../lib/leanspec';

export const dynamic = 'force-dynamic';

// GET /api/search?q=status:planned cache&limit=20
export async function GET(request: NextRequest) {
  const params = request.nextUrl.searchParams;
  try {
    const options: SearchOptions = filterFrom(params);
    const limit = params.get('limit');
    if (limit) options.limit = Number(limit);
    return jsonText(await (await source()).json.search(params.get('q') ?? '', options));
  } catch (error) {
    return errorResponse(error);
  }
}
