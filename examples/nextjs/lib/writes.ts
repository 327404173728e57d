// Writes from the app: moving a card on the board, the spec page's edits and checklist, "New
// spec". Who may write (the auth hook of lib/write-auth.ts, else the write secret), the session
// the write secret opens, the checks every write route makes first, and the answer to a write:
// the spec as written, or on a conflict its newer version (nothing is ever written over it).
//
// Writes are off unless configured. WRITE_SECRET set: a browser unlocks editing by sending the
// secret once (POST /api/write-session), which sets an httpOnly, SameSite=Strict cookie holding
// an expiry and its HMAC under the secret (no server state; changing the secret ends every
// session); a script sends `Authorization: Bearer $WRITE_SECRET` instead. The auth hook, when it
// has an opinion, decides first.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ErrorCode, Spec, SpecsService, WriteOptions } from '@libleanspec/node';
import { headers } from 'next/headers';
import { cache } from 'react';
import { errorResponse, isLeanspecError, source } from './leanspec';
import { authorizeWrite } from './write-auth';

/**
 * What a request may do: `allowed` (by the auth hook), `unlocked` (by the write secret: a
 * session cookie or a bearer token), `locked` (WRITE_SECRET is set but not presented),
 * `refused` (by the auth hook), `off` (neither a write secret nor an auth hook).
 */
export type WriteAccess = 'allowed' | 'unlocked' | 'locked' | 'refused' | 'off';

export const canWrite = (access: WriteAccess): boolean => access === 'allowed' || access === 'unlocked';

export const sessionCookie = 'leanspec_write';
export const sessionSeconds = 12 * 60 * 60;

const digest = (text: string) => createHash('sha256').update(text).digest();
const sessionMac = (secret: string, expires: string) => createHmac('sha256', secret).update(`leanspec write session ${expires}`).digest();

/** Whether `presented` is WRITE_SECRET (SHA-256 digests compared in constant time). */
export function isWriteSecret(presented: string): boolean {
  const secret = process.env.WRITE_SECRET;
  return Boolean(secret) && timingSafeEqual(digest(presented), digest(secret!));
}

/** A session cookie's value: its expiry (unix ms) and the HMAC of it under WRITE_SECRET. */
export function newSession(): string {
  const expires = String(Date.now() + sessionSeconds * 1000);
  return `${expires}.${sessionMac(process.env.WRITE_SECRET ?? '', expires).toString('base64url')}`;
}

function isSession(value: string | undefined, secret: string): boolean {
  const [expires, mac, ...rest] = (value ?? '').split('.');
  if (rest.length || !/^\d+$/.test(expires) || Number(expires) <= Date.now() || !mac) return false;
  const given = Buffer.from(mac, 'base64url');
  const expected = sessionMac(secret, expires);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function cookie(headers: Headers, name: string): string | undefined {
  for (const pair of (headers.get('cookie') ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) return pair.slice(at + 1).trim();
  }
  return undefined;
}

/** What the request with these headers may do. */
export async function writeAccess(headers: Headers): Promise<WriteAccess> {
  const verdict = await authorizeWrite(headers);
  if (verdict !== undefined) return verdict ? 'allowed' : 'refused';
  const secret = process.env.WRITE_SECRET;
  if (!secret) return 'off';
  const bearer = /^Bearer (.+)$/.exec(headers.get('authorization') ?? '')?.[1];
  const presented = bearer !== undefined ? isWriteSecret(bearer) : isSession(cookie(headers, sessionCookie), secret);
  return presented ? 'unlocked' : 'locked';
}

/** The write access of the request being rendered (asked once per render: layout and page share it). */
export const currentWriteAccess = cache(async (): Promise<WriteAccess> => writeAccess(await headers()));

/** A JSON error answer of the app's own (not the library's). */
export function refuse(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status });
}

// Whether a browser sent the request from one of this app's own pages. Browsers send
// Sec-Fetch-Site (else Origin) with every POST, PATCH and DELETE; a request with neither comes
// from a script, which carries no cookie it was not given. Together with the JSON body a write
// must have (a cross-site form cannot send one, and a cross-site fetch of one needs a CORS
// preflight this app never answers) and the SameSite=Strict cookie, no other site can write.
export function isSameOrigin(headers: Headers): boolean {
  const site = headers.get('sec-fetch-site');
  if (site !== null) return site === 'same-origin';
  const origin = headers.get('origin');
  if (origin === null) return true;
  return URL.canParse(origin) && new URL(origin).host === (headers.get('x-forwarded-host') ?? headers.get('host'));
}

const refusals: Record<Exclude<WriteAccess, 'allowed' | 'unlocked'>, [number, string, string]> = {
  locked: [401, 'unauthorized', 'editing is locked: unlock it with the write secret (POST /api/write-session), or send Authorization: Bearer <the write secret>'],
  refused: [403, 'forbidden', 'you may not write specs'],
  off: [403, 'writes_off', 'writes are off: the app is configured with neither a write secret (WRITE_SECRET) nor an auth hook (lib/write-auth.ts)'],
};

// A write that the library refuses for the app's GitHub credentials is no fault of the caller's
// credentials: 403, not 401.
const writeStatuses: Partial<Record<ErrorCode, number>> = { unauthorized: 403 };

export type WriteBody = Record<string, unknown>;

/**
 * The answer to a write request: the refusal when it comes from another site or may not write,
 * 415 without a JSON body, 400 for a body that is not a JSON object; else what `write` answers,
 * a library error mapped to its status (conflict 409, not_found 404, invalid_argument 400,
 * rate_limited 429, unauthorized — the GitHub token may not write — 403, network 502).
 */
export async function handleWrite(request: Request, write: (body: WriteBody, service: SpecsService) => Promise<Response>): Promise<Response> {
  if (!isSameOrigin(request.headers)) return refuse(403, 'forbidden', 'a write from another site is refused');
  const access = await writeAccess(request.headers);
  if (!canWrite(access)) return refuse(...refusals[access as keyof typeof refusals]);
  if (!/^application\/json\b/.test(request.headers.get('content-type') ?? '')) {
    return refuse(415, 'unsupported_media_type', 'a write is a JSON body (Content-Type: application/json)');
  }
  const body: unknown = await request.json().catch(() => undefined);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return refuse(400, 'invalid_argument', 'the body must be a JSON object');
  try {
    return await write(body as WriteBody, await source());
  } catch (error) {
    return errorResponse(error, writeStatuses);
  }
}

/** The write's options from a request body: `baseHash` (required) and `projectId`; else the 400 to answer. */
export function writeOptions(body: WriteBody): WriteOptions | Response {
  const { baseHash, projectId } = body;
  if (typeof baseHash !== 'string' || !baseHash) return refuse(400, 'invalid_argument', 'baseHash: the contentHash of the version the change was made from is required');
  if (projectId !== undefined && typeof projectId !== 'string') return refuse(400, 'invalid_argument', 'projectId: expected a string');
  return projectId ? { baseHash, projectId } : { baseHash };
}

// Whether the project is a GitHub project (served from the database).
function isGithubProject(service: SpecsService, projectId: string | undefined): boolean {
  return service.mode === 'database' || (service.mode === 'both' && projectId !== undefined && projectId !== service.filesystemProjectId);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The spec `ref` names as it is after a conflict with `baseHash`. A file changed on disk shows
// once the source's watcher has reloaded it (within tens of milliseconds): the read is tried
// again for up to 2 s. A GitHub project's store may still hold the base version while its
// branch moved on: it is synced first.
async function newerVersion(service: SpecsService, ref: string, { baseHash, projectId }: WriteOptions): Promise<Spec | null> {
  if (isGithubProject(service, projectId)) {
    const stored = await service.get(ref, { projectId });
    if (!stored || stored.contentHash !== baseHash) return stored;
    const project = projectId ?? (await service.servedProjects()).find((p) => p.source === 'database')?.id;
    if (project) await service.syncNow(project); // a failed sync is recorded in its run; the store stays as it was
    return service.get(ref, { projectId });
  }
  for (let waited = 0; ; waited += 50) {
    const spec = await service.get(ref, { projectId });
    if (!spec || spec.contentHash !== baseHash || waited >= 2000) return spec;
    await pause(50);
  }
}

/**
 * Applies `write` (an update or a checklist toggle of the spec `ref`, made from the version
 * `options.baseHash`) and answers 200 with the spec as written. When the spec changed since that
 * version, nothing is written: 409 with `current`, the newer version, for the page to show. A
 * GitHub project's branch may have moved on without this spec changing (a push of other files):
 * once synced, the write is made again, once, on the new commit.
 */
export async function writeSpec(service: SpecsService, ref: string, options: WriteOptions, write: (options: WriteOptions) => Promise<Spec>): Promise<Response> {
  try {
    return Response.json(await write(options));
  } catch (error) {
    if (!isLeanspecError(error, 'conflict')) throw error;
    let current = await newerVersion(service, ref, options);
    if (current?.contentHash === options.baseHash && isGithubProject(service, options.projectId)) {
      try {
        return Response.json(await write(options));
      } catch (again) {
        if (!isLeanspecError(again, 'conflict')) throw again;
        current = await service.get(ref, { projectId: options.projectId });
      }
    }
    return Response.json({ error: { code: 'conflict', message: error.message }, current }, { status: 409 });
  }
}
