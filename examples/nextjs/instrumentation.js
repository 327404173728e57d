// Runs once when the server starts: opens the GitHub sync in database and both modes, so its
// scheduler runs without waiting for a first request. A failure is logged; the pages report it.
export async function register() {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { githubSync } = await import('./lib/leanspec');
  await githubSync().catch((error) => console.error(`leanspec: GitHub sync not started: ${error.message}`));
}
