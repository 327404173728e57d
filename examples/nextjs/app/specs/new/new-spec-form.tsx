'use client';
// The "New spec" form: title, status, priority, tags (comma-separated) and, when the app serves
// several projects, the project. Creates the spec (POST /api/specs), then opens its page.
import type { NewSpec, Priority, Status } from '@libleanspec/node';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { sendWrite, specHref } from '../../../lib/write-client';
import { statusLabels } from '../../badges';

export type ProjectChoice = { id: string; name: string; github: boolean };

const statuses: Status[] = ['draft', 'planned', 'in-progress', 'complete', 'archived'];
const priorities: Priority[] = ['low', 'medium', 'high', 'critical'];

export default function NewSpecForm({ projects, initialProject }: { projects: ProjectChoice[]; initialProject: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  async function create(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const field = (name: string) => String(form.get(name) ?? '').trim();
    const spec: NewSpec = { title: field('title'), status: field('status') as Status };
    if (field('priority')) spec.priority = field('priority') as Priority;
    const tags = field('tags').split(',').map((t) => t.trim()).filter(Boolean);
    if (tags.length) spec.tags = tags;
    const project = projects.find((p) => p.id === (field('project') || initialProject));
    setBusy(true);
    setProblem(null);
    const answer = await sendWrite('/api/specs', 'POST', project?.github ? { ...spec, projectId: project.id } : spec);
    if (answer.ok) {
      router.push(specHref(answer.spec.id, project?.github ? project.id : undefined));
    } else {
      setBusy(false);
      setProblem(answer.message);
    }
  }

  return (
    <form className="new-spec" onSubmit={create} aria-busy={busy} data-testid="new-spec-form">
      {problem && <p className="error-inline" role="alert" data-testid="create-error">{problem}</p>}
      <label>Title <input name="title" required autoFocus /></label>
      {projects.length > 1 && (
        <label>
          Project{' '}
          <select name="project" defaultValue={initialProject}>
            {projects.map((p) => <option key={p.id} value={p.id}>{p.name}{p.github ? ' (GitHub)' : ''}</option>)}
          </select>
        </label>
      )}
      <label>
        Status{' '}
        <select name="status" defaultValue="planned">
          {statuses.map((s) => <option key={s} value={s}>{statusLabels[s]}</option>)}
        </select>
      </label>
      <label>
        Priority{' '}
        <select name="priority" defaultValue="">
          <option value="">none</option>
          {priorities.map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
      </label>
      <label>Tags <input name="tags" placeholder="comma-separated" /></label>
      <button type="submit" disabled={busy}>{busy ? 'Creating…' : 'Create'}</button>
    </form>
  );
}
