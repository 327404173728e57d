import { errorResponse, source } from '../../../lib/leanspec';

export const dynamic = 'force-dynamic';

// GET /api/projects: the filesystem project and every registered GitHub project, with the
// source serving each and whether its answers may be old.
export async function GET() {
  try {
    const service = await source();
    return Response.json({ projects: await service.servedProjects(), health: await service.health() });
  } catch (error) {
    return errorResponse(error);
  }
}
