// Runs once when the server starts: opens the SpecsService, which in database and both modes
// starts its GitHub sync scheduler (lib/leanspec.js), so syncing does not wait for a first
// request. A failure is logged; the pages report it and the next request tries again.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { source } = await import('./lib/leanspec');
  await source().catch((error) => console.error(`leanspec: service not opened: ${error.message}`));
}
