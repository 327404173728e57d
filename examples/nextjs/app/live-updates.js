'use client';
// Listens to /api/events and re-renders the current page's server components on change events
// (router.refresh keeps client state and scroll; no reload). Events are coalesced for 100 ms,
// and a refresh waits while a form submission or a link's navigation is under way: a refresh
// that lands in the middle of one drops its navigation (a server action's redirect, say).
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';

const COALESCE_MS = 100;
const NAVIGATION_GRACE_MS = 3000; // the longest a submission or click holds refreshes back

export default function LiveUpdates() {
  const router = useRouter();
  const pathname = usePathname();
  const search = useSearchParams();
  const [state, setState] = useState({ status: 'connecting', version: null });
  const busyUntil = useRef(0);
  const timer = useRef(null);

  // A navigation that completed releases the hold at once.
  useEffect(() => {
    busyUntil.current = 0;
  }, [pathname, search]);

  useEffect(() => {
    const hold = (event) => {
      if (event.type === 'submit' || event.target.closest?.('a[href]'))
        busyUntil.current = Date.now() + NAVIGATION_GRACE_MS;
    };
    document.addEventListener('submit', hold, true);
    document.addEventListener('click', hold, true);
    const refresh = () => {
      const wait = busyUntil.current - Date.now();
      timer.current = wait > 0 ? setTimeout(refresh, wait) : null;
      if (wait <= 0) router.refresh();
    };
    const events = new EventSource('/api/events');
    events.onopen = () => setState((s) => ({ ...s, status: 'live' }));
    events.onerror = () => setState((s) => ({ ...s, status: 'reconnecting' }));
    events.addEventListener('change', (message) => {
      const event = JSON.parse(message.data);
      setState({ status: 'live', version: event.version });
      clearTimeout(timer.current);
      timer.current = setTimeout(refresh, COALESCE_MS);
    });
    return () => {
      events.close();
      clearTimeout(timer.current);
      document.removeEventListener('submit', hold, true);
      document.removeEventListener('click', hold, true);
    };
  }, [router]);
  return (
    <span className={`live live-${state.status}`} data-testid="live" data-version={state.version ?? ''} title="Live updates from the specs directory">
      {state.status === 'live' ? '● live' : state.status === 'connecting' ? '○ connecting' : '○ reconnecting'}
    </span>
  );
}
