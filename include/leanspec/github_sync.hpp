#pragma once
// GithubSync: fills a DatabaseSource's store from GitHub repositories through the REST API, with
// as few requests as the facts allow (a conditional head check, the tree compared by blob SHA,
// only new or changed files fetched, one tarball when many are needed), a scheduler that syncs
// each project at its interval, and push webhooks that queue an incremental sync.
// Thread-safe: every member may be called from any thread. Implemented in src/github/.
//
//   auto db = leanspec::make_database_source({.database_url = "sqlite:/var/lib/app/specs.db"});
//   auto sync = leanspec::make_github_sync(db, {.webhook_secrets = {secret}});
//   sync->start();                                    // background syncs, webhook-queued ones
//   auto run = sync->sync_now("acme/web");            // or one sync, now (a cron endpoint)
//   auto answer = sync->handle_webhook(headers, body); // from the host's HTTP route

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leanspec {

class DatabaseSource;

struct SyncOptions {
  /// The REST API root; empty: $GITHUB_API_URL, else https://api.github.com.
  std::string api_url;
  /// Empty: $GITHUB_TOKEN (else anonymous), unless a GitHub App is given (below). Sent only to
  /// api_url's host; never logged.
  std::string token;
  /// A GitHub App instead of a token (showcases of other people's repositories): its id; 0:
  /// $GITHUB_APP_ID. Each sync then sends its repository's installation token, fetched with
  /// the app's JWT (RS256) and cached until shortly before it expires; a 401 to a cached token
  /// fetches a new one once. The app's fields left empty are read from the environment when
  /// `token` is empty. A token and an app together (also from the environment: GITHUB_TOKEN
  /// beside GITHUB_APP_ID) are a config error.
  std::int64_t app_id = 0;
  /// The app's private key, PEM text (GitHub's download; "\n" escapes on one line are taken
  /// too); empty: $GITHUB_APP_PRIVATE_KEY. Never logged.
  std::string app_private_key;
  /// ... or the file holding it; empty: $GITHUB_APP_PRIVATE_KEY_FILE. One of the two.
  std::string app_private_key_file;
  /// The installation whose tokens are sent; 0: $GITHUB_APP_INSTALLATION_ID, else each
  /// repository's installation, looked up once (GET /repos/{owner}/{repo}/installation).
  std::int64_t app_installation_id = 0;
  unsigned concurrency = 8; ///< requests in flight at once per sync
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{60'000}; ///< total time of one attempt
  /// The most one sync may take, every HTTP request (retries, redirects, the tarball) counted
  /// against it: an attempt is cut short at it and nothing is sent after it; the sync then
  /// ends with outcome error, its message naming the deadline, the snapshot left as it was.
  /// Must be positive.
  std::chrono::milliseconds deadline{300'000};
  unsigned max_retries = 3; ///< extra attempts for a 5xx or a timeout
  std::chrono::milliseconds retry_base{500};
  /// Lease holder name of this process; empty: "<hostname>:<pid>:<random>".
  std::string holder;
  std::chrono::milliseconds lease_ttl{60'000}; ///< renewed every third of it during a sync
  /// A project's interval when its own is 0; each wait varies by +-jitter of it.
  std::chrono::seconds default_interval{3600};
  double jitter = 0.1;
  unsigned workers = 2;                 ///< scheduler threads (projects synced at once)
  std::chrono::milliseconds poll{2000}; ///< how often the scheduler reads the store's queue
  /// GitHub's secondary limits, kept per credential (a token: every project synced with it,
  /// by any worker): requests in flight at once (GitHub allows 100) and points in any minute
  /// (GitHub: 900; a GET is 1 point). A request waits for its share; a rate-limited answer
  /// (429 or 403, with Retry-After or X-RateLimit-Reset) pauses the credential's every sync.
  unsigned credential_concurrency = 20;
  unsigned points_per_minute = 600;
  /// Requests of GitHub's primary limit kept back (at most a tenth of it): when a response's
  /// X-RateLimit-Remaining is at or below it, the credential pauses until X-RateLimit-Reset.
  unsigned rate_limit_reserve = 100;
  std::size_t tarball_min_files = 20;         ///< more files to fetch than this: the tarball
  std::size_t tarball_max_bytes = 256u << 20; ///< ... unless the tree's files weigh more
  /// A first sync (nothing stored) fetches the tarball alongside the tree, saving a round
  /// trip; one larger than tarball_max_bytes is abandoned for blobs.
  bool first_sync_tarball = true;
  std::size_t max_file_size = 8u << 20;    ///< larger spec files are left out (as on disk)
  std::size_t max_sync_bytes = 256u << 20; ///< a sync needing more fails
  /// The store's sync run history, pruned after each run: the newest max_sync_runs runs per
  /// project are kept (0: no limit by count), none started more than max_sync_run_age ago
  /// (0: no limit by age).
  std::size_t max_sync_runs = 100;
  std::chrono::days max_sync_run_age{30};
  /// Webhook secrets; up to two are active at once (rotation). None: every delivery rejected.
  std::vector<std::string> webhook_secrets;
  /// Called on the syncing thread as files arrive: (project id, files done, files total).
  /// Must not throw (it is caught and ignored); it may be called with done == total == 0.
  std::function<void(const std::string &project_id, std::size_t done, std::size_t total)> progress;
};

/// How a sync ended; `running` only in sync_runs(), for a run under way (or whose process died).
enum class SyncOutcome { ok, not_modified, error, rate_limited, running };

// The deprecated SyncRun::commit would warn in the members the compiler writes for SyncRun
// (copy, move, destruction) wherever they are used; only naming it warns.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
/// One sync of one project, as recorded in the store's sync runs. Immutable.
struct SyncRun {
  std::int64_t id = 0; ///< the store's sync run id (0: the sync did not start, see error)
  std::string project_id;
  SyncOutcome outcome = SyncOutcome::error;
  std::int64_t started_at = 0, ended_at = 0; ///< unix ms (ended_at 0: still running)
  int added = 0, updated = 0, removed = 0;   ///< spec folders
  int requests = 0;                          ///< HTTP requests, retries and redirects included
  int not_modified = 0;                      ///< of which answered 304 (no rate-limit cost)
  std::uint64_t bytes = 0;                   ///< response bytes received
  std::chrono::milliseconds duration{0};
  int rate_limit_remaining = -1; ///< from the last response that said; -1: unknown
  /// How the files came: "unchanged" (nothing to fetch), "blobs", "tarball", or "contents"
  /// (a webhook's list of paths, fetched without the tree); "" when it failed before. A write
  /// (GithubSync::write_file) is recorded as a run too: "commit" (stored from the commit it
  /// made) or "pull_request" (nothing stored).
  std::string path;
  std::string commit_sha; ///< the commit synced to
  /// Deprecated, kept for one release: commit_sha's value.
  [[deprecated("use commit_sha")]] std::string commit;
  std::int64_t retry_at = 0; ///< rate_limited: unix ms when it may run again
  /// Why it failed (no token in it); on a run that ended ok, the paths of the specs folder it
  /// passed over for names no specs tree holds ("..", control characters, ...), if any.
  std::string error;
};
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/// One file of a spec folder written to a GitHub project (GithubSync::write_file).
struct FileWrite {
  /// The spec folder, relative to the specs folder ("042-x", "archived/001-y").
  std::string path;
  std::string name = "README.md"; ///< the file in the folder
  /// The content hash (git blob SHA) of the stored file the write was based on: when the
  /// stored file has another, the write is a conflict. Empty: a new folder, which must not
  /// exist yet.
  std::string base_hash;
  /// The file's new bytes, made from its stored bytes ("" for a new folder). Called once, on
  /// the calling thread, after the hash check; what it throws propagates, nothing sent.
  std::function<std::string(std::string_view stored)> edit;
  std::string message; ///< the commit message; empty: "Update <specs path>/<path>/<name>"
};

/// What GithubSync::write_file did.
struct FileWriteResult {
  /// The commit made: on the branch (the stored snapshot now holds it), or on the pull
  /// request's branch. The stored commit when the edit changed nothing (no request was sent).
  std::string commit_sha;
  std::string content; ///< the file's bytes as written
  /// The pull request's page (the project's write mode is pull_request); else empty.
  std::string pull_request_url;
  int requests = 0; ///< HTTP requests the write took
};

/// What handle_webhook did with a delivery.
enum class WebhookAction { rejected, ping, ignored, queued };

struct WebhookResult {
  int status = 400; ///< the HTTP status to answer GitHub with
  WebhookAction action = WebhookAction::rejected;
  std::string message;    ///< one short line, for the response body and logs (no secret)
  std::string project_id; ///< the project concerned, when known
};

/// Text forms: "ok", "not_modified", "error", "rate_limited" / "rejected", "ping", ...
std::string_view to_string(SyncOutcome outcome) noexcept;
std::string_view to_string(WebhookAction action) noexcept;

class GithubSync {
public:
  /// Shares `source`'s store (and keeps the source alive).
  /// @throws leanspec::Error config for a bad api_url, more than two webhook secrets, or a
  ///         GitHub App configuration that cannot work (no app id, an id that is not a number,
  ///         no key or two, an unreadable key file, a key that is not a PEM RSA private key, a
  ///         token beside the app), naming the option; the key is never shown
  GithubSync(std::shared_ptr<DatabaseSource> source, SyncOptions options = {});
  /// Stops the scheduler (see stop()).
  ~GithubSync();
  GithubSync(const GithubSync &) = delete;
  GithubSync &operator=(const GithubSync &) = delete;

  /// Syncs one project now, on this thread, and returns the run. HTTP and GitHub failures are
  /// in the result (outcome error / rate_limited), the previous snapshot left as it was. When
  /// another process or thread holds the project's lease, nothing is done: outcome error, id 0.
  /// @throws leanspec::Error not_found for an unknown project; database when the store fails
  SyncRun sync_now(std::string_view project_id);

  /// Queues a sync of the project to run as soon as possible, durably (a scheduler started
  /// later, in this process or another sharing the database, runs it). Requests coalesce: any
  /// number of them while a sync of the project is queued is one sync, and while one runs, one
  /// more sync after it.
  /// @throws leanspec::Error not_found for an unknown project
  void request_sync(std::string_view project_id);

  /// The project's latest sync runs as the store recorded them, newest first, whichever
  /// process ran them (`limit` 0: all; the store keeps max_sync_runs of them). An unknown
  /// project has none.
  /// @throws leanspec::Error database when the store fails
  std::vector<SyncRun> sync_runs(std::string_view project_id, std::size_t limit = 20) const;

  /// Starts the scheduler threads (no-op when running): queued requests (webhooks,
  /// request_sync) first, as soon as possible; then each project at its interval with jitter,
  /// the first sync of a project synced before spread over one interval by a hash of its id
  /// (a never-synced project is due at once); rate-limited ones after their retry time, and
  /// none while its credential's budget is paused; an interrupted one (its sync's holder died:
  /// "syncing" with the lease expired) at once. The store's project list is read at most once
  /// per `poll` (and when a request is queued here), not once per sync.
  void start();
  /// Stops the scheduler: a sync under way is cancelled (its requests in flight within a tenth
  /// of a second, its run closed) and the stored snapshot kept; returns when the
  /// threads have ended. No-op when not running.
  void stop() noexcept;
  bool is_running() const noexcept;

  /// Writes one file of a spec folder to the project's repository through the Git Data API and
  /// returns at once with what landed; nothing is queued. With the project's lease held (a
  /// sync under way is waited for, up to 10 s), the stored file is checked against
  /// `write.base_hash`, then `write.edit` makes the new bytes and four requests make the blob,
  /// the tree, the commit and move the branch without force. The stored snapshot is then
  /// updated from that commit (only the written folder; readers of the source see it at
  /// once), without a resync; the next sync finds the branch at that commit. In write mode
  /// pull_request the commit goes on a new branch "leanspec/<folder>-<hex>" and a pull request
  /// into the project's branch is opened; the store is left as it was. Each write is recorded
  /// in the sync runs (path "commit" or "pull_request"). Secrets never appear in errors.
  /// @throws leanspec::Error not_found for an unknown project or folder, or a project never
  ///         synced; conflict when the stored file is not at `base_hash` (nothing sent), when
  ///         the branch moved on since the stored commit (a sync is then queued), or when a
  ///         sync of the project held it for 10 s; unauthorized when GitHub refuses the token
  ///         or it may not write (it needs contents: write, and pull_requests: write for a
  ///         pull request); rate_limited; network; invalid_argument for a bad path or name;
  ///         database when the store fails
  FileWriteResult write_file(std::string_view project_id, const FileWrite &write);

  /// Handles one GitHub webhook delivery: `headers` as received (names in any case), `body`
  /// the raw bytes. Verifies X-Hub-Signature-256, answers ping, ignores other events, branches
  /// and pushes that touch no spec file and redeliveries (by X-GitHub-Delivery, kept in the
  /// store), and queues an incremental sync for a push. Returns at once; never throws for a
  /// bad delivery (status 4xx). @throws leanspec::Error database when the store fails
  WebhookResult handle_webhook(const std::vector<std::pair<std::string, std::string>> &headers,
                               std::string_view body);

private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

/// Creates a GithubSync (see its constructor).
std::shared_ptr<GithubSync> make_github_sync(std::shared_ptr<DatabaseSource> source,
                                             SyncOptions options = {});

} // namespace leanspec
