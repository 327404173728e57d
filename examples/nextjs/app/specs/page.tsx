import type { Priority, SearchHit, SortKey, SpecSummary, Status } from '@libleanspec/node';
import Link from 'next/link';
import { filterFrom, isLeanspecError, source, urlSearchParams } from '../../lib/leanspec';
import { canWrite, currentWriteAccess } from '../../lib/writes';
import { PriorityBadge, StatusBadge } from '../badges';

export const dynamic = 'force-dynamic';

const statuses: Status[] = ['draft', 'planned', 'in-progress', 'complete', 'archived'];
const priorities: Priority[] = ['low', 'medium', 'high', 'critical'];

export default async function SpecsPage({ searchParams }: PageProps<'/specs'>) {
  const params = urlSearchParams(await searchParams);
  const q = params.get('q')?.trim() ?? '';
  const project = params.get('project') || undefined; // owner/repo: a GitHub project
  const suffix = project ? `?project=${encodeURIComponent(project)}` : '';
  const src = await source();
  let rows: (SpecSummary & Partial<Pick<SearchHit, 'snippet'>>)[];
  let total: number;
  let queryError: string | null = null;
  try {
    if (q) {
      const found = await src.search(q, { ...filterFrom(params), projectId: project, limit: 100 });
      rows = found.results;
      total = found.total;
    } else {
      const list = await src.list({ ...filterFrom(params), projectId: project, sort: (params.get('sort') || 'number') as SortKey }); // the library rejects an unknown key
      rows = list.specs;
      total = list.total;
    }
  } catch (error) {
    if (!isLeanspecError(error, 'invalid_argument')) throw error;
    queryError = error.message; // a query that does not parse: say where, keep the form
    rows = [];
    total = 0;
  }
  return (
    <>
      <h1 className="with-actions">
        <span>Specs{project && <small data-testid="project"> {project}</small>}</span>
        {canWrite(await currentWriteAccess()) && <Link href={`/specs/new${suffix}`} className="button" data-testid="new-spec">New spec</Link>}
      </h1>
      <form className="filters" action="/specs" method="get">
        {project && <input type="hidden" name="project" value={project} />}
        <input type="search" name="q" defaultValue={q} placeholder='Search: words, "phrases", status:planned, tag:core' aria-label="Search" data-testid="search" />
        <select name="status" defaultValue={params.get('status') ?? ''} aria-label="Status">
          <option value="">Any status</option>
          {statuses.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <select name="priority" defaultValue={params.get('priority') ?? ''} aria-label="Priority">
          <option value="">Any priority</option>
          {priorities.map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
        <input name="tag" defaultValue={params.get('tag') ?? ''} placeholder="tag" aria-label="Tag" />
        <button type="submit">Apply</button>
        {params.size > 0 && <Link href="/specs" className="reset">Clear</Link>}
      </form>
      {queryError && <p className="error-inline" role="alert" data-testid="query-error">{queryError}</p>}
      <p className="muted" data-testid="result-count">{total} {total === 1 ? 'spec' : 'specs'}{q && ` matching “${q}”`}</p>
      {rows.length === 0 && !queryError ? (
        <div className="empty small"><p>No specs match these filters.</p></div>
      ) : (
        <table className="specs">
          <thead><tr><th>#</th><th>Title</th><th>Status</th><th>Priority</th><th>Tags</th>{q && <th>Match</th>}</tr></thead>
          <tbody>
            {rows.map((spec) => (
              <tr key={spec.id} data-testid="row">
                <td>{spec.specNumber ?? '—'}</td>
                <td><Link href={`/specs/${spec.id}${suffix}`}>{spec.title}</Link></td>
                <td><StatusBadge status={spec.status} /></td>
                <td><PriorityBadge priority={spec.priority} /></td>
                <td>{spec.tags.map((t) => <Link key={t} href={`/specs?tag=${encodeURIComponent(t)}`} className="tag">{t}</Link>)}</td>
                {q && <td className="snippet">{spec.snippet}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
