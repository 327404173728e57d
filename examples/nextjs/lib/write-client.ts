// The browser's side of the write routes (lib/writes.ts): one JSON request, its answer as a value.
import type { Spec } from '@libleanspec/node';

export type WriteAnswer =
  | { ok: true; spec: Spec }
  /** `current`: on a conflict (409), the newer version of the spec; nothing was written. */
  | { ok: false; status: number; code: string; message: string; current: Spec | null };

/** Sends `body` as JSON to a write route; never throws. */
export async function sendWrite(url: string, method: 'POST' | 'PATCH', body: object): Promise<WriteAnswer> {
  let response: Response;
  try {
    response = await fetch(url, { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  } catch {
    return { ok: false, status: 0, code: 'network', message: 'The server could not be reached; nothing was saved.', current: null };
  }
  const answer = await response.json().catch(() => null);
  if (response.ok && answer) return { ok: true, spec: answer };
  return {
    ok: false,
    status: response.status,
    code: answer?.error?.code ?? 'internal',
    message: answer?.error?.message ?? `${response.status} ${response.statusText}`,
    current: answer?.current ?? null,
  };
}

/** The URL of a spec's page (`projectId`: a GitHub project's, none for the specs directory). */
export function specHref(id: string, projectId?: string): string {
  return `/specs/${encodeURIComponent(id)}${projectId ? `?project=${encodeURIComponent(projectId)}` : ''}`;
}
