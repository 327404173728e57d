import { errorResponse, source } from '../../../lib/leanspec';

export const dynamic = 'force-dynamic';

export async function GET() {
  try {
    return Response.json({ projects: await (await source()).projects() });
  } catch (error) {
    return errorResponse(error);
  }
}
