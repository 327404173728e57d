'use client';
// Listens to /api/events and re-renders the current page's server components on change events
// (router.refresh keeps client state and scroll; no reload). Events are coalesced for 100 ms: a
// sync that writes many specs refreshes the page once.
import { useRouter } from 'next/navigation';
import type { ChangeEvent } from '@libleanspec/node';
import { useEffect, useRef, useState } from 'react';

const COALESCE_MS = 100;

type LiveState = { status: 'connecting' | 'live' | 'reconnecting'; version: number | null };

export default function LiveUpdates() {
  const router = useRouter();
  const [state, setState] = useState<LiveState>({ status: 'connecting', version: null });
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);

  useEffect(() => {
    const events = new EventSource('/api/events');
    events.onopen = () => setState((s) => ({ ...s, status: 'live' }));
    events.onerror = () => setState((s) => ({ ...s, status: 'reconnecting' }));
    events.addEventListener('change', (message) => {
      const event: ChangeEvent = JSON.parse(message.data);
      setState({ status: 'live', version: event.version });
      clearTimeout(timer.current);
      timer.current = setTimeout(() => router.refresh(), COALESCE_MS);
    });
    return () => {
      events.close();
      clearTimeout(timer.current);
    };
  }, [router]);
  return (
    <span className={`live live-${state.status}`} data-testid="live" data-version={state.version ?? ''} title="Live updates from the specs directory">
      {state.status === 'live' ? '● live' : state.status === 'connecting' ? '○ connecting' : '○ reconnecting'}
    </span>
  );
}
