import type { Status } from '@libleanspec/node';
import Link from 'next/link';
import { source } from '../lib/leanspec';
import { StatusBadge, PriorityBadge } from './badges';

export const dynamic = 'force-dynamic';

const columns: [Status, string][] = [
  ['planned', 'Planned'],
  ['in-progress', 'In progress'],
  ['complete', 'Complete'],
  ['draft', 'Draft'],
  ['archived', 'Archived'],
];

export default async function Board() {
  const groups = await (await source()).byStatus();
  const total = Object.values(groups).reduce((n, specs) => n + specs.length, 0);
  if (total === 0) {
    return (
      <div className="empty">
        <h1>No specs yet</h1>
        <p>Add a folder such as <code>specs/001-my-first-spec/README.md</code>; it shows up here at once.</p>
      </div>
    );
  }
  return (
    <>
      <h1>Board <small>{total} specs</small></h1>
      <div className="board">
        {columns.map(([status, title]) => (
          <section key={status} className="column" data-status={status}>
            <h2>{title} <span className="count">{groups[status].length}</span></h2>
            {groups[status].length === 0 && <p className="muted">No {title.toLowerCase()} specs</p>}
            {groups[status].map((spec) => (
              <Link key={spec.id} href={`/specs/${spec.id}`} className="card" data-testid="card">
                <span className="number">#{spec.specNumber ?? '—'}</span> {spec.title}
                <div className="meta">
                  <PriorityBadge priority={spec.priority} />
                  {spec.tags.map((t) => <span key={t} className="tag">{t}</span>)}
                </div>
              </Link>
            ))}
          </section>
        ))}
      </div>
    </>
  );
}
