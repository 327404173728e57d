// What a failed write says, on the board and on the spec page. A conflict shows the newer
// version the page now shows (the write route answers it with the 409): nothing was written.
import type { Spec } from '@libleanspec/node';
import { PriorityBadge, StatusBadge } from './badges';

export type Notice =
  /** `what`: the spec, as the user knows it ("This spec", "#4 Board view"). */
  | { kind: 'conflict'; what: string; current: Spec | null }
  | { kind: 'error'; message: string };

export function WriteNotice({ notice, onDismiss }: { notice: Notice | null; onDismiss: () => void }) {
  if (!notice) return null;
  const dismiss = <button type="button" className="dismiss" onClick={onDismiss} aria-label="Dismiss">×</button>;
  if (notice.kind === 'error') {
    return <div className="notice notice-error" role="alert" data-testid="write-error">{notice.message} {dismiss}</div>;
  }
  const current = notice.current;
  return (
    <div className="notice" role="alert" data-testid="conflict">
      <strong>{notice.what} changed since this page was loaded, so your change was not saved.</strong>{' '}
      {current ? (
        <span data-testid="conflict-current">
          It now reads: “{current.title}” <StatusBadge status={current.status} /> <PriorityBadge priority={current.priority} />
          {current.tags.map((t) => <span key={t} className="tag">{t}</span>)} — shown below. Make your change again if it still applies.
        </span>
      ) : (
        <span>It no longer exists.</span>
      )}{' '}
      {dismiss}
    </div>
  );
}
