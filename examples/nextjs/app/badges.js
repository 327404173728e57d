const statusLabels = { draft: 'Draft', planned: 'Planned', 'in-progress': 'In progress', complete: 'Complete', archived: 'Archived' };

export function StatusBadge({ status }) {
  return <span className={`badge status-${status}`} data-testid="status">{statusLabels[status] ?? status}</span>;
}

export function PriorityBadge({ priority }) {
  if (!priority) return null;
  return <span className={`badge priority-${priority}`}>{priority}</span>;
}
