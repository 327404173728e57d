import type { Priority, Status } from '@libleanspec/node';

export const statusLabels: Record<Status, string> = { draft: 'Draft', planned: 'Planned', 'in-progress': 'In progress', complete: 'Complete', archived: 'Archived' };

export function StatusBadge({ status }: { status: Status }) {
  return <span className={`badge status-${status}`} data-testid="status">{statusLabels[status] ?? status}</span>;
}

export function PriorityBadge({ priority }: { priority: Priority | null }) {
  if (!priority) return null;
  return <span className={`badge priority-${priority}`}>{priority}</span>;
}
