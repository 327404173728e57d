import { source } from '../../../lib/leanspec';

export const dynamic = 'force-dynamic';

// GET /api/events: server-sent events, one `change` per library ChangeEvent (after the new
// snapshot is visible, so a refetch sees the edit), plus a comment every 15 s to keep proxies
// from closing the stream. The subscription ends when the client goes away.
export async function GET(request: Request) {
  const src = await source();
  const encoder = new TextEncoder();
  let cleanup = () => {};
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (text: string) => {
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          cleanup(); // the stream is already closed
        }
      };
      // not persistent: an open browser tab must never keep a stopping server alive
      const unsubscribe = src.subscribe((event) => send(`event: change\ndata: ${JSON.stringify(event)}\n\n`), { persistent: false });
      const heartbeat = setInterval(() => send(': keep-alive\n\n'), 15000);
      heartbeat.unref();
      cleanup = () => {
        cleanup = () => {};
        clearInterval(heartbeat);
        unsubscribe();
        try {
          controller.close();
        } catch {}
      };
      request.signal.addEventListener('abort', () => cleanup());
      send('retry: 1000\n: connected\n\n');
    },
    cancel() {
      cleanup();
    },
  });
  return new Response(stream, {
    headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' },
  });
}
