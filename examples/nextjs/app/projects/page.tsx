import type { ProjectInput } from '@libleanspec/node';
import Link from 'next/link';
import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { source } from '../../lib/leanspec';

export const dynamic = 'force-dynamic';

// The add-project form's server action: registers owner/repo in the service's store and
// queues its first sync (the scheduler runs it at once; with LEANSPEC_SYNC_SCHEDULER=0, the
// status page's "Sync now" or GET /api/cron/sync does). Until then it lists with no specs.
async function addProject(formData: FormData): Promise<void> {
  'use server';
  const field = (name: string) => String(formData.get(name) ?? '').trim();
  const project: ProjectInput = { id: field('id') };
  if (field('branch')) project.branch = field('branch');
  if (field('specsPath')) project.specsPath = field('specsPath');
  if (field('interval')) project.syncIntervalMs = 1000 * Number(field('interval')); // the form asks for seconds
  let problem: string | null = null;
  try {
    const service = await source();
    await service.addProject(project);
    await service.requestSync(project.id);
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error); // names the field at fault
  }
  if (problem) redirect(`/projects?error=${encodeURIComponent(problem)}`);
  // Revalidating makes the action's answer carry the page rendered anew, the new row included;
  // a redirect is needed only to drop the error of an earlier try from the URL.
  revalidatePath('/projects');
  const from = (await headers()).get('referer');
  if (from && URL.canParse(from) && new URL(from).searchParams.has('error')) redirect('/projects');
}

function when(ms: number): string {
  return ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : 'never';
}

export default async function ProjectsPage({ searchParams }: PageProps<'/projects'>) {
  const { error } = await searchParams;
  const service = await source();
  const projects = await service.servedProjects();
  const hasDatabase = service.mode !== 'filesystem';
  return (
    <>
      <h1>Projects <small>{projects.length}</small></h1>
      <table className="specs" data-testid="projects">
        <thead><tr><th>Project</th><th>Source</th><th>Specs</th><th>Sync</th><th>Last synced</th></tr></thead>
        <tbody>
          {projects.map((p) => {
            const href = p.source === 'filesystem' ? '/specs' : `/specs?project=${encodeURIComponent(p.id)}`;
            const reg = p.registration;
            return (
              <tr key={p.id} data-testid="project-row" data-project={p.id}>
                <td><Link href={href}>{p.name || p.id}</Link>{p.stale && <span className="muted"> (stale)</span>}{reg && <> · <Link href={`/?project=${encodeURIComponent(p.id)}`}>board</Link> · <Link href={`/projects/${p.id}`} data-testid="sync-link">sync status</Link></>}</td>
                <td>{p.source === 'filesystem' ? <code>{p.specsDir}</code> : `GitHub ${reg?.branch ?? ''}:${reg?.specsPath ?? ''}`}</td>
                <td data-testid="spec-count">{reg ? reg.specCount : '—'}</td>
                <td>{reg ? <>{reg.syncState}{reg.syncError && <span className="error-inline"> {reg.syncError}</span>}</> : 'watched'}</td>
                <td>{reg ? when(reg.lastSyncedAt) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {hasDatabase ? (
        <section>
          <h2>Add a GitHub project</h2>
          {error && <p className="error-inline" role="alert" data-testid="add-error">{error}</p>}
          <form className="filters" action={addProject} data-testid="add-project">
            <input name="id" required placeholder="owner/repo" aria-label="Repository (owner/repo)" pattern="[^\/\s]+\/[^\/\s]+" />
            <input name="branch" placeholder="branch (default main)" aria-label="Branch" />
            <input name="specsPath" placeholder="specs path (default specs)" aria-label="Specs path" />
            <input name="interval" type="number" min="0" placeholder="sync interval, s" aria-label="Sync interval in seconds" />
            <button type="submit">Add</button>
          </form>
        </section>
      ) : (
        <p className="muted">Filesystem mode: set <code>SPECS_MODE=both</code> and <code>DATABASE_URL</code> to add GitHub projects.</p>
      )}
    </>
  );
}
