import type { SearchHit, SearchOptions, SpecSummary, Status } from '@libleanspec/node';
import Link from 'next/link';
import { filterFrom, isLeanspecError, source, urlSearchParams } from '../../lib/leanspec';
import { StatusBadge } from '../badges';

export const dynamic = 'force-dynamic';

const statuses: Status[] = ['draft', 'planned', 'in-progress', 'complete', 'archived'];
const pageSize = 50;

// A spec (a search hit has a snippet) and its project, which the library names in every answer
// over a project set (each hit's projectId; a list's projectIds).
type Row = { spec: SpecSummary & Partial<Pick<SearchHit, 'snippet'>>; projectId: string };

// Every project at once (project set "*"): search or list across the specs directory and every
// database project, each row naming its project, and the count per status of each project.
export default async function AllProjectsPage({ searchParams }: PageProps<'/all-projects'>) {
  const params = urlSearchParams(await searchParams);
  const q = params.get('q')?.trim() ?? '';
  const cursor = params.get('cursor') || undefined;
  const limit = Number(params.get('limit')) || pageSize;
  const src = await source();
  const options: SearchOptions = { ...filterFrom(params), projectId: '*', limit, cursor };
  let rows: Row[] = [];
  let total = 0;
  let next: string | null = null;
  let queryError: string | null = null;
  try {
    if (q) {
      const found = await src.search(q, options);
      rows = found.results.map((hit) => ({ spec: hit, projectId: hit.projectId ?? '' }));
      total = found.total;
      next = found.nextCursor ?? null;
    } else {
      const list = await src.list(options);
      rows = list.specs.map((spec, i) => ({ spec, projectId: list.projectIds?.[i] ?? '' }));
      total = list.total;
      next = list.nextCursor;
    }
  } catch (error) {
    if (!isLeanspecError(error, 'invalid_argument')) throw error;
    queryError = error.message; // a query that does not parse, or a stale cursor
  }
  const stats = await src.stats({ projectId: '*' });
  const nextParams = new URLSearchParams(params);
  if (next) nextParams.set('cursor', next);
  return (
    <>
      <h1>All projects</h1>
      <form className="filters" action="/all-projects" method="get">
        <input type="search" name="q" defaultValue={q} placeholder="Search every project" aria-label="Search every project" data-testid="search" />
        <input name="tag" defaultValue={params.get('tag') ?? ''} placeholder="tag" aria-label="Tag" />
        <button type="submit">Apply</button>
        {params.size > 0 && <Link href="/all-projects" className="reset">Clear</Link>}
      </form>
      {queryError && <p className="error-inline" role="alert" data-testid="query-error">{queryError}</p>}
      <p className="muted" data-testid="result-count">{total} {total === 1 ? 'spec' : 'specs'} in {Object.keys(stats.byProject ?? {}).length} projects{q && ` matching “${q}”`}</p>
      {rows.length > 0 && (
        <table className="specs">
          <thead><tr><th>Project</th><th>#</th><th>Title</th><th>Status</th><th>Tags</th>{q && <th>Match</th>}</tr></thead>
          <tbody>
            {rows.map(({ spec, projectId }) => (
              <tr key={`${projectId}/${spec.id}`} data-testid="row" data-project={projectId}>
                <td><Link href={`/specs?project=${encodeURIComponent(projectId)}`} data-testid="row-project">{projectId}</Link></td>
                <td>{spec.specNumber ?? '—'}</td>
                <td><Link href={`/specs/${spec.id}?project=${encodeURIComponent(projectId)}`}>{spec.title}</Link></td>
                <td><StatusBadge status={spec.status} /></td>
                <td>{spec.tags.map((t) => <Link key={t} href={`/all-projects?tag=${encodeURIComponent(t)}`} className="tag">{t}</Link>)}</td>
                {q && <td className="snippet">{spec.snippet}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next && <p><Link href={`/all-projects?${nextParams}`} data-testid="next-page">Next page</Link></p>}
      <h2>By project</h2>
      <table className="specs" data-testid="by-project">
        <thead><tr><th>Project</th>{statuses.map((s) => <th key={s}>{s}</th>)}</tr></thead>
        <tbody>
          {Object.entries(stats.byProject ?? {}).map(([projectId, counts]) => (
            <tr key={projectId} data-project={projectId}>
              <td>{projectId}</td>
              {statuses.map((s) => <td key={s}>{counts.find((c) => c.status === s)?.count ?? 0}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
