import type { SpecUpdate } from '@libleanspec/node';
import type { NextRequest } from 'next/server';
import { errorResponse, jsonText, source } from '../../../../lib/leanspec';
import { handleWrite, writeOptions, writeSpec } from '../../../../lib/writes';

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

// PATCH /api/specs/:ref with a JSON body {"baseHash", "projectId"?, ...SpecUpdate} (status,
// priority, tagsAdd, tagsRemove, dependsOnAdd, dependsOnRemove, parent, assignee, fields, body):
// writes the change into the spec's README if it is still at baseHash. 200: the spec as written;
// 409: it changed since, nothing written, {"error", "current": the newer version}. Only for a
// request that may write (lib/writes.ts).
export async function PATCH(request: Request, { params }: RouteContext<'/api/specs/[id]'>) {
  const ref = decodeURIComponent((await params).id);
  return handleWrite(request, async (body, service) => {
    const options = writeOptions(body);
    if (options instanceof Response) return options;
    const { baseHash, projectId, ...update } = body; // the library rejects a key SpecUpdate lacks (400)
    return writeSpec(service, ref, options, (o) => service.update(ref, update as SpecUpdate, o));
  });
}
