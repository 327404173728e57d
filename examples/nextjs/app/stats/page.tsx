import { source } from '../../lib/leanspec';

export const dynamic = 'force-dynamic';

// One bar per row, labelled by its `label` key (status, priority, tag or assignee).
function Bars<Label extends string>({ rows, label }: { rows: (Record<Label, string> & { count: number })[]; label: Label }) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  return (
    <table className="bars">
      <tbody>
        {rows.map((r) => (
          <tr key={r[label]}>
            <th>{r[label]}</th>
            <td><span className="bar" style={{ width: `${(100 * r.count) / max}%` }} /> {r.count}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default async function StatsPage() {
  const stats = await (await source()).stats();
  return (
    <>
      <h1>Stats <small>{stats.totalSpecs} specs, {stats.completionRate.toFixed(0)}% complete</small></h1>
      <div className="grid">
        <section><h2>By status</h2><Bars rows={stats.specsByStatus} label="status" /></section>
        <section><h2>By priority</h2><Bars rows={[...stats.specsByPriority, { priority: 'none', count: stats.specsWithoutPriority }]} label="priority" /></section>
        <section><h2>By tag</h2>{stats.specsByTag.length ? <Bars rows={stats.specsByTag} label="tag" /> : <p className="muted">No tags</p>}</section>
        <section><h2>By assignee</h2>{stats.specsByAssignee.length ? <Bars rows={stats.specsByAssignee} label="assignee" /> : <p className="muted">Nobody assigned</p>}</section>
      </div>
    </>
  );
}
