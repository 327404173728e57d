import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="empty">
      <h1>No such spec</h1>
      <p>Nothing matches that id, number or slug. <Link href="/specs">All specs</Link></p>
    </div>
  );
}
