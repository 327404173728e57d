import { errorResponse, source } from '../../../lib/leanspec';

export const dynamic = 'force-dynamic';

export async function GET() {
  try {
    return Response.json(await (await source()).stats());
  } catch (error) {
    return errorResponse(error);
  }
}
