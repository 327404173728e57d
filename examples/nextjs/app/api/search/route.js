import { errorResponse, filterFrom, jsonText, source } from '../../../lib/leanspec';

export const dynamic = 'force-dynamic';

// GET /api/search?q=status:planned cache&limit=20
export async function GET(request) {
  const params = request.nextUrl.searchParams;
  try {
    const options = filterFrom(params);
    if (params.get('limit')) options.limit = Number(params.get('limit'));
    return jsonText(await (await source()).json.search(params.get('q') ?? '', options));
  } catch (error) {
    return errorResponse(error);
  }
}
