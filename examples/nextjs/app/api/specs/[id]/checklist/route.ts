import { handleWrite, writeOptions, writeSpec } from '../../../../../lib/writes';

export const dynamic = 'force-dynamic';

// POST /api/specs/:ref/checklist with {"index", "baseHash", "projectId"?}: checks or unchecks the
// index-th task-list item of the spec's README (from 1, in document order; items in code blocks
// do not count), as PATCH /api/specs/:ref writes: 200 the spec as written, 409 with the newer
// version, 404 for an index past the last item.
export async function POST(request: Request, { params }: RouteContext<'/api/specs/[id]/checklist'>) {
  const ref = decodeURIComponent((await params).id);
  return handleWrite(request, async (body, service) => {
    const options = writeOptions(body);
    if (options instanceof Response) return options;
    const index = body.index as number; // the library rejects one that is not a whole number (400)
    return writeSpec(service, ref, options, (o) => service.toggleChecklistItem(ref, index, o));
  });
}
