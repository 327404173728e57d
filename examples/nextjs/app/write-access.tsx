'use client';
// The header's editing state. With a write secret (WRITE_SECRET) and no session yet: "Unlock
// editing", a small form that sends the secret once (POST /api/write-session sets the httpOnly
// session cookie) and reloads the page with its edit controls; with the session: "Lock". With
// the auth hook deciding, or writes off, only what applies.
import { useState, type FormEvent } from 'react';
import type { WriteAccess } from '../lib/writes';

export default function WriteAccessControl({ access }: { access: WriteAccess }) {
  const [problem, setProblem] = useState<string | null>(null);

  async function unlock(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const secret = String(new FormData(event.currentTarget).get('secret') ?? '');
    const response = await fetch('/api/write-session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ secret }) }).catch(() => null);
    if (response?.ok) window.location.reload();
    else setProblem(response ? ((await response.json().catch(() => null))?.error?.message ?? 'not unlocked') : 'the server could not be reached');
  }

  async function lock() {
    await fetch('/api/write-session', { method: 'DELETE' }).catch(() => null);
    window.location.reload();
  }

  if (access === 'allowed') return <span className="access" data-testid="access">Editing</span>;
  if (access === 'unlocked') {
    return (
      <span className="access" data-testid="access">
        Editing <button type="button" onClick={lock}>Lock</button>
      </span>
    );
  }
  if (access !== 'locked') return null;
  return (
    <details className="access unlock" data-testid="unlock">
      <summary>Unlock editing</summary>
      <form onSubmit={unlock}>
        <input type="password" name="secret" required aria-label="Write secret" placeholder="write secret" autoComplete="current-password" />
        <button type="submit">Unlock</button>
        {problem && <p className="error-inline" role="alert">{problem}</p>}
      </form>
    </details>
  );
}
