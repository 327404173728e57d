import { errorResponse, jsonText, source } from '../../../lib/leanspec';

export const dynamic = 'force-dynamic';

export async function GET() {
  try {
    return jsonText(await (await source()).json.stats());
  } catch (error) {
    return errorResponse(error);
  }
}
