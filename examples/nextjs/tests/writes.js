// Helpers of the tests of the app's writes (board moves, the spec page's edits, "New spec"): a
// browser context that has unlocked editing, a page's hydration, and a file's changed lines.

// A new browser context (its own cookies) whose editing is unlocked with the write secret, as
// the header's "Unlock editing" form does it (POST /api/write-session sets the session cookie).
async function editorContext(browser, base, secret) {
  const context = await browser.newContext();
  const response = await context.request.post(`${base}/api/write-session`, { data: { secret } });
  if (response.status() !== 204) throw new Error(`editing not unlocked: ${response.status()} ${await response.text()}`);
  return context;
}

// Resolves once the page is hydrated: its live-updates indicator has connected (or, when a test
// blocks /api/events, has seen the error), which only the client code does.
function hydrated(page) {
  return page.locator('[data-testid="live"]:is(.live-live, .live-reconnecting)').waitFor({ timeout: 30000 });
}

// Resolves once the spec page renders another version than `hash` (the article's data-hash).
function rendered(page, hash) {
  return page.waitForFunction((h) => document.querySelector('[data-testid="spec"]')?.dataset.hash !== h, hash, { timeout: 30000 });
}

// The lines `after` removed from `before` and the lines it added (a longest-common-subsequence
// diff), timestamps masked as <time>.
function lineChanges(before, after) {
  const a = before.split('\n');
  const b = after.split('\n');
  const common = Array.from({ length: a.length + 1 }, () => new Array(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) common[i][j] = a[i] === b[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
  }
  const removed = [];
  const added = [];
  for (let i = 0, j = 0; i < a.length || j < b.length; ) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < b.length && (i === a.length || common[i][j + 1] >= common[i + 1][j])) {
      added.push(b[j++]);
    } else {
      removed.push(a[i++]);
    }
  }
  const mask = (line) => line.replace(/\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>');
  return { removed: removed.map(mask), added: added.map(mask) };
}

module.exports = { editorContext, hydrated, lineChanges, rendered };
