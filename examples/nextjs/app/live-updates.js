'use client';
// Listens to /api/events and re-renders the current page's server components on every change
// event (router.refresh keeps client state and scroll; no reload).
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';

export default function LiveUpdates() {
  const router = useRouter();
  const [state, setState] = useState({ status: 'connecting', version: null });
  useEffect(() => {
    const events = new EventSource('/api/events');
    events.onopen = () => setState((s) => ({ ...s, status: 'live' }));
    events.onerror = () => setState((s) => ({ ...s, status: 'reconnecting' }));
    events.addEventListener('change', (message) => {
      const event = JSON.parse(message.data);
      setState({ status: 'live', version: event.version });
      router.refresh();
    });
    return () => events.close();
  }, [router]);
  return (
    <span className={`live live-${state.status}`} data-testid="live" data-version={state.version ?? ''} title="Live updates from the specs directory">
      {state.status === 'live' ? '● live' : state.status === 'connecting' ? '○ connecting' : '○ reconnecting'}
    </span>
  );
}
