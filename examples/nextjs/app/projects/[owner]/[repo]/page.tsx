import Link from 'next/link';
import { revalidatePath } from 'next/cache';
import { notFound } from 'next/navigation';
import { source } from '../../../../lib/leanspec';

export const dynamic = 'force-dynamic';

const RUNS_SHOWN = 20;

function when(ms: number): string {
  return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : 'never';
}

// A run's times, compactly: the date once, UTC implied by the column heading.
function stamp(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 19);
}
function endStamp(startMs: number, endMs: number): string {
  const start = stamp(startMs);
  const end = stamp(endMs);
  return end.slice(0, 10) === start.slice(0, 10) ? end.slice(11) : end;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

// The sync status of one GitHub project: its registration's state, "Sync now", and the sync runs
// the store recorded (whichever server instance or scheduler ran them), newest first.
export default async function SyncStatusPage({ params }: PageProps<'/projects/[owner]/[repo]'>) {
  const { owner, repo } = await params;
  const id = `${decodeURIComponent(owner)}/${decodeURIComponent(repo)}`;
  const service = await source();
  const project = service.mode === 'filesystem' ? null : (await service.registeredProjects()).find((p) => p.id === id);
  if (!project) notFound();

  // The run is stored when syncNow resolves; revalidating this page makes the action's answer
  // carry the page rendered anew, run included (no redirect, no second request).
  async function syncNow(): Promise<void> {
    'use server';
    await (await source()).syncNow(id);
    revalidatePath(`/projects/${owner}/${repo}`);
  }

  const runs = await service.syncRuns(id, { limit: RUNS_SHOWN });
  const specs = `/specs?project=${encodeURIComponent(id)}`;
  return (
    <>
      <p className="crumbs"><Link href="/projects">Projects</Link> / {id}</p>
      <h1>{id} <small>{project.branch}:{project.specsPath}</small></h1>
      <dl className="relationships" data-testid="sync-state">
        <dt>State</dt><dd data-testid="state">{project.syncState}</dd>
        {project.syncError && (<><dt>Error</dt><dd className="error-inline">{project.syncError}</dd></>)}
        <dt>Specs</dt><dd><Link href={specs} data-testid="specs-link">{project.specCount} specs</Link></dd>
        <dt>Last commit</dt><dd><code>{project.commitSha ?? '—'}</code></dd>
        <dt>Last synced</dt><dd>{when(project.lastSyncedAt)}</dd>
        <dt>Interval</dt><dd>{(project.syncIntervalMs || 3600000) / 1000} s</dd>
      </dl>
      <form action={syncNow}><button type="submit" data-testid="sync-now">Sync now</button></form>
      <h2>Sync runs <small>(the latest {RUNS_SHOWN}, newest first, from every server instance)</small></h2>
      {runs.length === 0 ? (
        <div className="empty small"><p>No sync run yet: press “Sync now”, or let the scheduler or <code>/api/cron/sync</code> run.</p></div>
      ) : (
        <div className="scroll">
          <table className="specs runs" data-testid="runs">
            <thead>
              <tr>
                <th>Started (UTC)</th><th>Ended</th><th>Outcome</th><th>Added</th><th>Updated</th><th>Removed</th>
                <th>Requests</th><th>304s</th><th>Bytes</th><th>Duration</th><th title="GitHub rate limit: requests left">Rate left</th>
                <th>Path</th><th>Commit</th><th>Error</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id} data-testid="run" data-run={r.id}>
                  <td>{stamp(r.startedAt)}</td>
                  <td>{r.endedAt ? endStamp(r.startedAt, r.endedAt) : 'running'}</td>
                  <td data-testid="outcome">{r.outcome}</td>
                  <td data-testid="added">{r.added}</td>
                  <td data-testid="updated">{r.updated}</td>
                  <td data-testid="removed">{r.removed}</td>
                  <td data-testid="requests">{r.requests}</td>
                  <td data-testid="not-modified">{r.notModified}</td>
                  <td data-testid="bytes">{size(r.bytes)}</td>
                  <td>{r.endedAt ? `${r.durationMs} ms` : '—'}</td>
                  <td data-testid="rate-limit">{r.rateLimitRemaining < 0 ? '—' : r.rateLimitRemaining}</td>
                  <td data-testid="path">{r.path || '—'}</td>
                  <td>{r.commitSha ? <code title={r.commitSha}>{r.commitSha.slice(0, 7)}</code> : '—'}</td>
                  <td className="error-inline" data-testid="run-error">{r.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
