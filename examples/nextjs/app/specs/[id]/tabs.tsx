'use client';
// The spec page's tabs: the rendered README, one per sub-spec, and relationships. The HTML
// comes from the library (cmark-gfm, raw HTML dropped), so it is safe to insert.
import { useState, type ReactNode } from 'react';

/** A tab of rendered HTML: the README (key 'content') or a sub-spec (its file name). */
export type Tab = { key: string; title: string; html?: string };

export default function Tabs({ tabs, relationships }: { tabs: Tab[]; relationships: ReactNode }) {
  const [active, setActive] = useState('content');
  const all: Tab[] = [...tabs, { key: 'relationships', title: 'Relationships' }];
  const current = all.find((t) => t.key === active) ?? all[0];
  return (
    <>
      <div className="tabs" role="tablist">
        {all.map((t) => (
          <button key={t.key} role="tab" aria-selected={t.key === current.key} onClick={() => setActive(t.key)}>{t.title}</button>
        ))}
      </div>
      <div role="tabpanel" className="panel">
        {current.key === 'relationships' ? relationships : <div className="markdown" data-testid="markdown" dangerouslySetInnerHTML={{ __html: current.html ?? '' }} />}
      </div>
    </>
  );
}
