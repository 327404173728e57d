// Runs once when the server starts: opens the SpecsService, which in database and both modes
// starts its GitHub sync scheduler (lib/leanspec.ts), so syncing does not wait for a first
// request. A failure is logged; the pages report it and the next request tries again.
export async function register(): Promise<void> {
  // Written as Next.js documents it (not as an early return), so that the bundler drops the
  // import from the edge build of this file: `next dev` compiles that one too, and fails on
  // the Node-only modules lib/leanspec.ts imports.
  if (process.env.NEXT_RUNTIME === 'nodejs') {
    const { source } = await import('./lib/leanspec');
    await source().catch((error: unknown) => {
      console.error(`leanspec: service not opened: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
