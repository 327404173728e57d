import Link from 'next/link';
import { notFound } from 'next/navigation';
import { source, urlSearchParams } from '../../../lib/leanspec';
import { canWrite, currentWriteAccess } from '../../../lib/writes';
import { PriorityBadge, StatusBadge } from '../../badges';
import { MetaEditor, SpecEditing } from './editing';
import Tabs, { type Tab } from './tabs';

export const dynamic = 'force-dynamic';

function SpecLinks({ ids, suffix }: { ids: string[] | undefined; suffix: string }) {
  if (!ids?.length) return <span className="muted">none</span>;
  return ids.map((id) => <Link key={id} href={`/specs/${id}${suffix}`} className="ref">{id}</Link>);
}

export default async function SpecPage({ params, searchParams }: PageProps<'/specs/[id]'>) {
  const { id } = await params;
  const project = urlSearchParams(await searchParams).get('project') || undefined; // owner/repo: a GitHub project
  const suffix = project ? `?project=${encodeURIComponent(project)}` : '';
  const src = await source();
  const spec = await src.get(decodeURIComponent(id), { html: true, projectId: project });
  if (!spec) notFound();
  const rel = await src.relationships(spec.id, { projectId: project });
  const tabs: Tab[] = [
    { key: 'content', title: 'Content', html: spec.contentHtml },
    ...spec.subSpecs.map((sub) => ({ key: sub.file, title: sub.name || sub.file, html: sub.contentHtml })),
  ];
  // When the request may write (lib/writes.ts), status, priority and tags are controls, and the
  // README's checkboxes toggle their item (editing.tsx).
  const editable = canWrite(await currentWriteAccess());
  const about = (spec.assignee || spec.createdAt) && (
    <>
      {spec.assignee && <span className="muted">assigned to {spec.assignee}</span>}
      {spec.createdAt && <span className="muted">created {spec.createdAt}</span>}
    </>
  );
  return (
    <article className="spec" data-testid="spec" data-hash={spec.contentHash}>
      <p className="crumbs"><Link href={`/specs${suffix}`}>{project ?? "Specs"}</Link> / {spec.id}</p>
      <h1>{spec.title}</h1>
      <SpecEditing id={spec.id} contentHash={spec.contentHash} projectId={project} editable={editable}>
        {editable ? (
          <>
            <MetaEditor status={spec.status} priority={spec.priority} tags={spec.tags} />
            {about && <div className="meta">{about}</div>}
          </>
        ) : (
          <div className="meta">
            <StatusBadge status={spec.status} />
            <PriorityBadge priority={spec.priority} />
            {spec.tags.map((t) => <Link key={t} href={`/specs?tag=${encodeURIComponent(t)}`} className="tag">{t}</Link>)}
            {about}
          </div>
        )}
        {spec.diagnostics.length > 0 && (
          <ul className="diagnostics">
            {spec.diagnostics.map((d, i) => <li key={i} className={d.severity}>{d.file}{d.line ? `:${d.line}` : ''}: {d.message}</li>)}
          </ul>
        )}
        <Tabs
          tabs={tabs}
          relationships={
            <dl className="relationships">
              <dt>Depends on</dt><dd><SpecLinks ids={rel?.dependsOn} suffix={suffix} /></dd>
              <dt>Required by</dt><dd><SpecLinks ids={rel?.requiredBy} suffix={suffix} /></dd>
              <dt>Parent</dt><dd><SpecLinks ids={rel?.parent ? [rel.parent] : []} suffix={suffix} /></dd>
              <dt>Children</dt><dd><SpecLinks ids={rel?.children} suffix={suffix} /></dd>
              <dt>All dependencies</dt><dd><SpecLinks ids={rel?.dependsOnTransitive} suffix={suffix} /></dd>
              {rel && rel.cycles.length > 0 && (<><dt>Cycles</dt><dd>{rel.cycles.map((c) => c.join(' → ')).join('; ')}</dd></>)}
            </dl>
          }
        />
      </SpecEditing>
    </article>
  );
}
