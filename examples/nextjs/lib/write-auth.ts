// The auth hook: who may write specs (move cards, edit, toggle checklist items, create). A host
// app that has its own sign-in replaces the body of authorizeWrite with its session check; the
// rest of the app asks only this function and, when it has no opinion, the write secret
// (lib/writes.ts, WRITE_SECRET). With neither, writes are off: no edit controls, and every write
// route answers 403.
//
// It runs on the server for every page render (to show or hide the edit controls) and for every
// write request, with that request's headers: its cookies, an Authorization header, or the
// identity header a trusted proxy sets. `cookies()` and `headers()` of next/headers work in it
// too, so a helper such as Auth.js's `auth()` can be called as it is. Keep it cheap, or cache
// what it looks up: the layout and the page of one render both ask (lib/writes.ts dedupes the
// calls of one render with React's cache).
//
// Cross-site requests never reach it: the write routes refuse them first (lib/writes.ts), so a
// hook may trust a session cookie without a CSRF token of its own.

/**
 * Whether the request with these headers may write specs: `true` allows, `false` refuses (the
 * write secret then does not help), `undefined` has no opinion (the write secret decides;
 * without WRITE_SECRET, writes are off). This default has no opinion. For example:
 *
 * ```ts
 * import { auth } from '@/auth'; // Auth.js
 * export async function authorizeWrite(): Promise<boolean | undefined> {
 *   const session = await auth();
 *   return session?.user?.role === 'editor';
 * }
 * ```
 */
export async function authorizeWrite(headers: Headers): Promise<boolean | undefined> {
  return undefined;
}
