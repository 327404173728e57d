'use client';
// The spec page's edits, when the request may write: status, priority and tags (MetaEditor) and
// the README's checklist (the content tab's checkboxes, tabs.tsx). Every write carries the
// content hash of the version the page shows (PATCH /api/specs/:ref, POST .../checklist); writes
// run one after another, each from the version the previous one wrote, and the page then renders
// the written version. A conflict shows the newer version (WriteNotice) and drops the writes
// still queued: they were made from the old one.
import type { Priority, SpecUpdate, Status } from '@libleanspec/node';
import { useRouter } from 'next/navigation';
import { createContext, useContext, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { sendWrite } from '../../../lib/write-client';
import { statusLabels } from '../../badges';
import { WriteNotice, type Notice } from '../../write-notice';

type Editing = {
  /** Applies `update`; resolves true once written. */
  update(update: SpecUpdate): Promise<boolean>;
  /** Checks or unchecks the README's `index`-th task-list item (from 1). */
  toggle(index: number): Promise<boolean>;
  busy: boolean;
};

const EditingContext = createContext<Editing | null>(null);

/** The page's editing, or null when the request may not write. */
export const useEditing = () => useContext(EditingContext);

export function SpecEditing({ id, contentHash, projectId, editable, children }: { id: string; contentHash: string; projectId?: string; editable: boolean; children: ReactNode }) {
  const router = useRouter();
  const [notice, setNotice] = useState<Notice | null>(null);
  const [inFlight, setInFlight] = useState(0);
  const base = useRef(contentHash); // the version the next write is made from
  const queue = useRef<Promise<unknown>>(Promise.resolve());
  const generation = useRef(0); // moves on at a conflict: the writes queued before it are dropped

  useEffect(() => {
    base.current = contentHash; // the page renders another version (a write, a live update)
  }, [contentHash]);

  function write(path: string, body: object): Promise<boolean> {
    const made = generation.current;
    setInFlight((n) => n + 1);
    const run = queue.current.then(async () => {
      if (made !== generation.current) return false;
      setNotice(null);
      const answer = await sendWrite(`/api/specs/${encodeURIComponent(id)}${path}`, path ? 'POST' : 'PATCH', { ...body, baseHash: base.current, projectId });
      if (answer.ok) {
        base.current = answer.spec.contentHash;
      } else if (answer.code === 'conflict') {
        generation.current += 1;
        if (answer.current) base.current = answer.current.contentHash;
        setNotice({ kind: 'conflict', what: 'This spec', current: answer.current });
      } else {
        setNotice({ kind: 'error', message: `Not saved: ${answer.message}` });
      }
      router.refresh(); // the written version, or the newer one
      return answer.ok;
    });
    queue.current = run;
    return run.finally(() => setInFlight((n) => n - 1));
  }

  const editing: Editing | null = editable
    ? { update: (update) => write('', update), toggle: (index) => write('/checklist', { index }), busy: inFlight > 0 }
    : null;
  return (
    <EditingContext.Provider value={editing}>
      <WriteNotice notice={notice} onDismiss={() => setNotice(null)} />
      {children}
    </EditingContext.Provider>
  );
}

const statuses: Status[] = ['draft', 'planned', 'in-progress', 'complete', 'archived'];
const priorities: Priority[] = ['low', 'medium', 'high', 'critical'];

// A select that shows the user's choice while it is being written, then the page's value.
function useChoice<T>(value: T): [T, (choice: T | null) => void] {
  const [choice, setChoice] = useState<T | null>(null);
  useEffect(() => setChoice(null), [value]);
  return [choice ?? value, setChoice];
}

/** Status, priority and tags, editable. */
export function MetaEditor({ status, priority, tags }: { status: Status; priority: Priority | null; tags: string[] }) {
  const editing = useEditing();
  const [shownStatus, chooseStatus] = useChoice<Status>(status);
  const [shownPriority, choosePriority] = useChoice<Priority | ''>(priority ?? '');
  const [tag, setTag] = useState('');
  if (!editing) return null;

  function addTags(event: FormEvent) {
    event.preventDefault();
    const added = tag.split(',').map((t) => t.trim()).filter(Boolean);
    if (!added.length || !editing) return;
    void editing.update({ tagsAdd: added }).then((ok) => ok && setTag(''));
  }

  return (
    <div className="meta editor" data-testid="editor" aria-busy={editing.busy}>
      <select
        aria-label="Status"
        value={shownStatus}
        onChange={(event) => {
          const next = event.target.value as Status;
          chooseStatus(next);
          void editing.update({ status: next }).then((ok) => ok || chooseStatus(null));
        }}
      >
        {statuses.map((s) => <option key={s} value={s}>{statusLabels[s]}</option>)}
      </select>
      <select
        aria-label="Priority"
        value={shownPriority}
        onChange={(event) => {
          const next = event.target.value as Priority;
          choosePriority(next);
          void editing.update({ priority: next }).then((ok) => ok || choosePriority(null));
        }}
      >
        {!priority && <option value="" disabled>No priority</option>}
        {priorities.map((p) => <option key={p} value={p}>{p}</option>)}
      </select>
      <ul className="tags" aria-label="Tags">
        {tags.map((t) => (
          <li key={t} className="tag">
            {t}
            <button type="button" className="remove" aria-label={`Remove tag ${t}`} onClick={() => void editing.update({ tagsRemove: t })}>×</button>
          </li>
        ))}
      </ul>
      <form onSubmit={addTags} className="add-tag">
        <input value={tag} onChange={(event) => setTag(event.target.value)} placeholder="add tags" aria-label="Add tags (comma-separated)" />
        <button type="submit">Add</button>
      </form>
    </div>
  );
}
