import { isSameOrigin, isWriteSecret, newSession, refuse, sessionCookie, sessionSeconds } from '../../../lib/writes';

export const dynamic = 'force-dynamic';

// The session cookie the write secret opens: httpOnly (no script reads it), SameSite=Strict (no
// other site's request carries it), Secure over HTTPS.
function setCookie(request: Request, value: string, maxAge: number): string {
  const https = new URL(request.url).protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https';
  return `${sessionCookie}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${https ? '; Secure' : ''}`;
}

// POST /api/write-session with {"secret"}: unlocks editing in this browser for 12 hours when the
// secret is WRITE_SECRET (204 and the cookie); 401 when it is not, 403 without WRITE_SECRET.
export async function POST(request: Request) {
  if (!isSameOrigin(request.headers)) return refuse(403, 'forbidden', 'a request from another site is refused');
  if (!process.env.WRITE_SECRET) return refuse(403, 'writes_off', 'the app has no write secret (WRITE_SECRET)');
  const body: unknown = await request.json().catch(() => undefined);
  const secret = typeof body === 'object' && body !== null && 'secret' in body ? body.secret : undefined;
  if (typeof secret !== 'string' || !isWriteSecret(secret)) return refuse(401, 'unauthorized', 'that is not the write secret');
  return new Response(null, { status: 204, headers: { 'Set-Cookie': setCookie(request, newSession(), sessionSeconds) } });
}

// DELETE /api/write-session: locks editing again in this browser (drops the cookie).
export async function DELETE(request: Request) {
  if (!isSameOrigin(request.headers)) return refuse(403, 'forbidden', 'a request from another site is refused');
  return new Response(null, { status: 204, headers: { 'Set-Cookie': setCookie(request, '', 0) } });
}
