import type { Status } from '@libleanspec/node';
import Link from 'next/link';
import { source, urlSearchParams } from '../lib/leanspec';
import { canWrite, currentWriteAccess } from '../lib/writes';
import Board, { type Column } from './board';

export const dynamic = 'force-dynamic';

const columns: [Status, string][] = [
  ['planned', 'Planned'],
  ['in-progress', 'In progress'],
  ['complete', 'Complete'],
  ['draft', 'Draft'],
  ['archived', 'Archived'],
];

// The board of the specs directory, or of a GitHub project (?project=owner/repo). When the
// request may write (lib/writes.ts), cards move between columns and "New spec" shows.
export default async function BoardPage({ searchParams }: PageProps<'/'>) {
  const project = urlSearchParams(await searchParams).get('project') || undefined;
  const groups = await (await source()).byStatus({ projectId: project });
  const editable = canWrite(await currentWriteAccess());
  const total = Object.values(groups).reduce((n, specs) => n + specs.length, 0);
  const newSpec = editable && (
    <Link href={`/specs/new${project ? `?project=${encodeURIComponent(project)}` : ''}`} className="button" data-testid="new-spec">New spec</Link>
  );
  if (total === 0) {
    return (
      <div className="empty">
        <h1>No specs yet</h1>
        <p>Add a folder such as <code>specs/001-my-first-spec/README.md</code>; it shows up here at once.</p>
        {newSpec}
      </div>
    );
  }
  const board: Column[] = columns.map(([status, title]) => ({ status, title, specs: groups[status] }));
  return (
    <>
      <h1 className="with-actions">
        <span>Board{project && <small data-testid="project"> {project}</small>} <small>{total} specs</small></span>
        {newSpec}
      </h1>
      <Board columns={board} projectId={project} editable={editable} />
    </>
  );
}
