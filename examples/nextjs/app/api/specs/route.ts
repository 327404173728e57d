import type { ListQuery, NewSpec, SortKey } from '@libleanspec/node';
import type { NextRequest } from 'next/server';
import { errorResponse, filterFrom, jsonText, source } from '../../../lib/leanspec';
import { handleWrite, refuse } from '../../../lib/writes';

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

// POST /api/specs with {"title", "slug"?, "status"?, "priority"?, "tags"?, "assignee"?, "body"?,
// "projectId"?}: creates a spec numbered after the others, in the specs directory or committed
// to the GitHub project projectId names. 201: the spec. Only for a request that may write
// (lib/writes.ts).
export async function POST(request: Request) {
  return handleWrite(request, async (body, service) => {
    const { projectId, ...spec } = body; // the library rejects a key NewSpec lacks (400)
    if (projectId !== undefined && typeof projectId !== 'string') return refuse(400, 'invalid_argument', 'projectId: expected a string');
    const created = await service.create(spec as unknown as NewSpec, projectId ? { projectId } : {});
    return Response.json(created, { status: 201 });
  });
}
