'use client';
// The spec page's tabs: the rendered README, one per sub-spec, and relationships. The HTML
// comes from the library (cmark-gfm, raw HTML dropped), so it is safe to insert. When the page
// may write (editing.tsx), the README's task-list checkboxes toggle their item: the library
// numbers the items as cmark-gfm renders them, in document order, from 1.
import { useEffect, useMemo, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import { useEditing } from './editing';

/** A tab of rendered HTML: the README (key 'content') or a sub-spec (its file name). */
export type Tab = { key: string; title: string; html?: string };

export default function Tabs({ tabs, relationships }: { tabs: Tab[]; relationships: ReactNode }) {
  const [active, setActive] = useState('content');
  const all: Tab[] = [...tabs, { key: 'relationships', title: 'Relationships' }];
  const current = all.find((t) => t.key === active) ?? all[0];
  const editing = useEditing();
  const checklist = editing !== null && current.key === 'content';
  const markdown = useRef<HTMLDivElement>(null);
  const refocus = useRef<number | null>(null); // the item toggled: its box keeps the focus in the HTML as written
  // One object per HTML text: React sets innerHTML again whenever the object changes.
  const html = useMemo(() => ({ __html: current.html ?? '' }), [current.html]);

  // The rendered checkboxes are disabled; the README's become its checklist's controls.
  useEffect(() => {
    if (!checklist || !markdown.current) return;
    const boxes = [...markdown.current.querySelectorAll<HTMLInputElement>('input[type=checkbox]')];
    boxes.forEach((box, i) => {
      box.disabled = false;
      box.dataset.index = String(i + 1);
      box.setAttribute('aria-label', box.parentElement?.textContent?.trim() || `Checklist item ${i + 1}`);
    });
    if (refocus.current !== null) boxes[refocus.current - 1]?.focus();
    refocus.current = null;
  }, [checklist, html]);

  function toggle(event: MouseEvent<HTMLDivElement>) {
    const box = event.target;
    if (!checklist || !(box instanceof HTMLInputElement) || !box.dataset.index) return;
    // The box shows its new state at once; it is put back if the write fails (on success the
    // page renders the README as written).
    const index = Number(box.dataset.index);
    refocus.current = index;
    void editing.toggle(index).then((ok) => {
      if (ok) return;
      box.checked = !box.checked;
      refocus.current = null;
    });
  }

  return (
    <>
      <div className="tabs" role="tablist">
        {all.map((t) => (
          <button key={t.key} role="tab" aria-selected={t.key === current.key} onClick={() => setActive(t.key)}>{t.title}</button>
        ))}
      </div>
      <div role="tabpanel" className="panel">
        {current.key === 'relationships' ? (
          relationships
        ) : (
          <div ref={markdown} className="markdown" data-testid="markdown" onClick={toggle} dangerouslySetInnerHTML={html} />
        )}
      </div>
    </>
  );
}
