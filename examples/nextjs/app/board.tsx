'use client';
// The board's columns. When the request may write, a card moves to another column by drag and
// drop, or from the keyboard (or a touch screen) by its "Move to" menu (a disclosure: one button
// per other status; Escape closes it).
// A move writes the new status from the card's content hash (PATCH /api/specs/:ref). The card
// shows in its new column at once, until the page renders the written version; a conflict (the
// spec changed since the board was rendered) or an error puts it back and says why.
import type { SpecSummary, Status } from '@libleanspec/node';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, type DragEvent } from 'react';
import { sendWrite, specHref } from '../lib/write-client';
import { PriorityBadge } from './badges';
import { WriteNotice, type Notice } from './write-notice';

export type Column = { status: Status; title: string; specs: SpecSummary[] };

// A move the page does not show yet: the card is shown in `to` while its hash is still `from`.
type Move = { to: Status; from: string; pending: boolean };

const dragType = 'application/x-leanspec-spec';

const label = (spec: SpecSummary) => `#${spec.specNumber ?? '—'} ${spec.title}`;

export default function Board({ columns, projectId, editable }: { columns: Column[]; projectId?: string; editable: boolean }) {
  const router = useRouter();
  const [moves, setMoves] = useState<Record<string, Move>>({});
  const [notice, setNotice] = useState<Notice | null>(null);
  const [over, setOver] = useState<Status | null>(null);
  const refocus = useRef<string | null>(null); // a card moved from the keyboard: its menu keeps the focus

  const specs = columns.flatMap((c) => c.specs);
  const moveOf = (spec: SpecSummary) => (moves[spec.id]?.from === spec.contentHash ? moves[spec.id] : undefined);
  const placed = (spec: SpecSummary) => moveOf(spec)?.to ?? spec.status;

  useEffect(() => {
    if (!refocus.current) return;
    document.querySelector<HTMLElement>(`[data-testid="card"][data-id="${CSS.escape(refocus.current)}"] summary`)?.focus();
    refocus.current = null;
  });

  async function move(spec: SpecSummary, to: Status) {
    if (to === placed(spec) || moveOf(spec)?.pending) return;
    setNotice(null);
    setMoves((m) => ({ ...m, [spec.id]: { to, from: spec.contentHash, pending: true } }));
    const answer = await sendWrite(`/api/specs/${encodeURIComponent(spec.id)}`, 'PATCH', { status: to, baseHash: spec.contentHash, projectId });
    if (answer.ok) {
      setMoves((m) => ({ ...m, [spec.id]: { to, from: spec.contentHash, pending: false } }));
    } else {
      setMoves(({ [spec.id]: _, ...others }) => others);
      setNotice(
        answer.code === 'conflict'
          ? { kind: 'conflict', what: label(spec), current: answer.current }
          : { kind: 'error', message: `${label(spec)} was not moved: ${answer.message}` },
      );
    }
    router.refresh(); // the written version, or the newer one
  }

  function drop(event: DragEvent, to: Status) {
    event.preventDefault();
    setOver(null);
    const spec = specs.find((s) => s.id === event.dataTransfer.getData(dragType));
    if (spec) void move(spec, to);
  }

  return (
    <>
      <WriteNotice notice={notice} onDismiss={() => setNotice(null)} />
      <div className="board">
        {columns.map(({ status, title }) => {
          const cards = specs.filter((spec) => placed(spec) === status);
          return (
            <section
              key={status}
              className={`column${over === status ? ' drop-target' : ''}`}
              data-status={status}
              aria-label={title}
              onDragOver={(event) => {
                if (!editable || !event.dataTransfer.types.includes(dragType)) return;
                event.preventDefault(); // a drop target
                event.dataTransfer.dropEffect = 'move';
                setOver(status);
              }}
              onDragLeave={(event) => {
                if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setOver(null);
              }}
              onDrop={(event) => drop(event, status)}
            >
              <h2>{title} <span className="count">{cards.length}</span></h2>
              {cards.length === 0 && <p className="muted">No {title.toLowerCase()} specs</p>}
              {cards.map((spec) => {
                const pending = moveOf(spec)?.pending ?? false;
                return (
                  <div
                    key={spec.id}
                    className="card"
                    data-testid="card"
                    data-id={spec.id}
                    data-hash={spec.contentHash}
                    aria-busy={pending}
                    draggable={editable && !pending}
                    onDragStart={(event) => {
                      event.dataTransfer.setData(dragType, spec.id);
                      event.dataTransfer.effectAllowed = 'move';
                    }}
                    onDragEnd={() => setOver(null)}
                  >
                    <Link href={specHref(spec.id, projectId)} className="card-link" draggable={false}>
                      <span className="number">#{spec.specNumber ?? '—'}</span> {spec.title}
                    </Link>
                    <div className="meta">
                      <PriorityBadge priority={spec.priority} />
                      {spec.tags.map((t) => <span key={t} className="tag">{t}</span>)}
                    </div>
                    {editable && (
                      <details
                        className="move"
                        data-testid="move"
                        onKeyDown={(event) => {
                          if (event.key !== 'Escape') return;
                          event.currentTarget.removeAttribute('open');
                          event.currentTarget.querySelector('summary')?.focus();
                        }}
                      >
                        <summary aria-label={`Move ${label(spec)} to another column`}>Move to…</summary>
                        <div className="move-menu">
                          {columns.filter((c) => c.status !== placed(spec)).map((c) => (
                            <button
                              key={c.status}
                              type="button"
                              disabled={pending}
                              onClick={(event) => {
                                event.currentTarget.closest('details')?.removeAttribute('open');
                                refocus.current = spec.id;
                                void move(spec, c.status);
                              }}
                            >
                              {c.title}
                            </button>
                          ))}
                        </div>
                      </details>
                    )}
                  </div>
                );
              })}
            </section>
          );
        })}
      </div>
    </>
  );
}
