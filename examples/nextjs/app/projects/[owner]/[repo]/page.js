import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { runsOf, source, syncProject } from '../../../../lib/leanspec';

export const dynamic = 'force-dynamic';

function when(ms) {
  return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : 'never';
}

// The sync status of one GitHub project: its registration's state and the runs of this process.
export default async function SyncStatusPage({ params }) {
  const { owner, repo } = await params;
  const id = `${decodeURIComponent(owner)}/${decodeURIComponent(repo)}`;
  const service = await source();
  const project = service.mode === 'filesystem' ? null : (await service.registeredProjects()).find((p) => p.id === id);
  if (!project) notFound();

  async function syncNow() {
    'use server';
    await syncProject(id);
    redirect(`/projects/${owner}/${repo}`);
  }

  const runs = runsOf(id);
  const specs = `/specs?project=${encodeURIComponent(id)}`;
  return (
    <>
      <p className="crumbs"><Link href="/projects">Projects</Link> / {id}</p>
      <h1>{id} <small>{project.branch}:{project.specsPath}</small></h1>
      <dl className="relationships" data-testid="sync-state">
        <dt>State</dt><dd data-testid="state">{project.syncState}</dd>
        {project.syncError && (<><dt>Error</dt><dd className="error-inline">{project.syncError}</dd></>)}
        <dt>Specs</dt><dd><Link href={specs} data-testid="specs-link">{project.specCount} specs</Link></dd>
        <dt>Last commit</dt><dd><code>{project.lastCommit ?? '—'}</code></dd>
        <dt>Last synced</dt><dd>{when(project.lastSyncedAt)}</dd>
        <dt>Interval</dt><dd>{project.syncIntervalSeconds || 3600} s</dd>
      </dl>
      <form action={syncNow}><button type="submit" data-testid="sync-now">Sync now</button></form>
      <h2>Sync runs <small>(of this server process)</small></h2>
      {runs.length === 0 ? (
        <div className="empty small"><p>No sync run yet in this process: press “Sync now”, or let the scheduler or <code>/api/cron/sync</code> run.</p></div>
      ) : (
        <table className="specs" data-testid="runs">
          <thead><tr><th>When</th><th>Outcome</th><th>Added</th><th>Updated</th><th>Removed</th><th>Requests</th><th>304s</th><th>Rate limit left</th><th>Path</th><th>Error</th></tr></thead>
          <tbody>
            {runs.map((r, i) => (
              <tr key={`${r.id}-${i}`} data-testid="run">
                <td>{when(r.at)}</td>
                <td data-testid="outcome">{r.outcome}</td>
                <td>{r.added}</td><td>{r.updated}</td><td>{r.removed}</td>
                <td>{r.requests}</td><td>{r.notModified}</td>
                <td>{r.rateLimitRemaining < 0 ? '—' : r.rateLimitRemaining}</td>
                <td>{r.path || '—'}</td>
                <td className="error-inline">{r.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
