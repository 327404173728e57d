import type { Metadata } from 'next';
import Link from 'next/link';
import LiveUpdates from './live-updates';
import WriteAccessControl from './write-access';
import { source } from '../lib/leanspec';
import { currentWriteAccess } from '../lib/writes';
import './globals.css';

export const metadata: Metadata = { title: 'LeanSpec board', description: 'Specs served by libleanspec' };

export const dynamic = 'force-dynamic';

// A banner while some source fails and answers come from its last good data.
async function HealthBanner() {
  try {
    const health = await (await source()).health();
    if (!health.stale) return null;
    return (
      <div className="stale" role="status" data-testid="stale">
        Some specs may be out of date: {health.sources.filter((s) => s.state !== 'ok').map((s) => `${s.source} ${s.state} (${s.error})`).join('; ')}
      </div>
    );
  } catch {
    return null; // the page itself reports the error
  }
}

export default async function RootLayout({ children }: LayoutProps<'/'>) {
  const access = await currentWriteAccess();
  return (
    <html lang="en">
      <body>
        <header className="top">
          <Link href="/" className="brand">LeanSpec</Link>
          <nav>
            <Link href="/">Board</Link>
            <Link href="/specs">Specs</Link>
            <Link href="/all-projects">All projects</Link>
            <Link href="/stats">Stats</Link>
            <Link href="/projects">Projects</Link>
          </nav>
          <WriteAccessControl access={access} />
          <LiveUpdates />
        </header>
        <HealthBanner />
        <main>{children}</main>
      </body>
    </html>
  );
}
