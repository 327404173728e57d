import Link from 'next/link';
import LiveUpdates from './live-updates';
import './globals.css';

export const metadata = { title: 'LeanSpec board', description: 'Specs served by libleanspec' };

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>
        <header className="top">
          <Link href="/" className="brand">LeanSpec</Link>
          <nav>
            <Link href="/">Board</Link>
            <Link href="/specs">Specs</Link>
            <Link href="/stats">Stats</Link>
          </nav>
          <LiveUpdates />
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
