#pragma once
// SpecsService: the one object a host (the C ABI, Python, Node, a web app) creates. It reads its
// configuration (SPECS_MODE, SPECS_DIR, DATABASE_URL, ...), owns the configured sources (a
// watched FilesystemSource, a DatabaseSource), each behind a CachingSource, routes every
// SpecSource call by project id, and keeps answering from the last good data when a source
// fails. Thread-safe. Implemented in src/service/.
//
//   auto service = leanspec::make_specs_service(leanspec::ServiceConfig::from_env());
//   const auto page = service->list();                        // the filesystem project
//   const auto web = service->list({.project_id = "acme/web"}); // a registered GitHub project
//   if (auto spec = service->get("18")) std::cout << spec->title << '\n';
//   for (const auto &p : service->served_projects())          // filesystem + database projects
//     std::cout << p.project.id << ' ' << to_string(p.source) << '\n';
//   if (const auto health = service->health(); health.stale)  // show a "data may be old" banner
//     for (const auto &s : health.sources) std::cerr << s.error << '\n';
//   auto events = service->subscribe([](const leanspec::ChangeEvent &e) { /* push to clients */ });
//   // POST /api/revalidate:  service->revalidate(header_secret, spec_ref);
//   // POST /api/webhooks/github:  auto r = service->handle_webhook(headers, raw_body);
//   //                             respond(r.status, r.message);
//   service->start_sync();  // database and both modes: the scheduler, in the background
//
// Routing: a call without a project id, or with the filesystem project's own id, goes to the
// filesystem source; any other project id goes to the database source. In `database` mode a
// call without a project id means the only registered project.
//
// Degradation: when the database fails (server stopped, file unreadable) or the specs directory
// vanishes, calls are answered from the last data read from that source, and health() says so
// (state `stale`, the error, since when) until a probe every `probe_interval` finds the source
// back. Results themselves are the usual SpecSource types: ask health() or is_stale() to know
// whether they are current. A source that fails before anything was read (the database down at
// start-up) is `down`: the service still starts, and its calls throw Error database until it
// comes back.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <leanspec/caching_source.hpp>
#include <leanspec/database_source.hpp>
#include <leanspec/github_sync.hpp>
#include <leanspec/spec_source.hpp>
#include <leanspec/spec_update.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leanspec {

/// Which sources a service serves (SPECS_MODE).
enum class SpecsMode { filesystem, database, both };
/// "filesystem", "database", "both".
std::string_view to_string(SpecsMode mode) noexcept;
/// Parses "filesystem", "database", "both" (lower case, as written in SPECS_MODE).
std::optional<SpecsMode> parse_specs_mode(std::string_view text) noexcept;

/// Everything a SpecsService needs. Build one by hand or with from_env().
struct ServiceConfig {
  SpecsMode mode = SpecsMode::filesystem; ///< SPECS_MODE
  /// SPECS_DIR. Empty: discover_options(".") (specsDir of ./.lean-spec/config.json, else
  /// ./specs). Must be a directory in `filesystem` and `both` modes.
  std::filesystem::path specs_dir;
  /// DATABASE_URL (sqlite:/path, a path, postgres://...). Empty: the default SQLite file.
  std::string database_url;
  std::string github_token;                              ///< GITHUB_TOKEN; empty: anonymous
  std::string github_api_url = "https://api.github.com"; ///< GITHUB_API_URL (http or https)
  /// A GitHub App instead of github_token (SyncOptions::app_id and the three below):
  /// GITHUB_APP_ID; 0: none. Left empty, the sync reads these variables itself.
  std::int64_t github_app_id = 0;
  std::string github_app_private_key;          ///< GITHUB_APP_PRIVATE_KEY: PEM text (a secret)
  std::string github_app_private_key_file;     ///< GITHUB_APP_PRIVATE_KEY_FILE
  std::int64_t github_app_installation_id = 0; ///< GITHUB_APP_INSTALLATION_ID; 0: per repository
  std::chrono::milliseconds cache_ttl{60'000}; ///< CACHE_TTL_MS; 0 disables caching
  /// SPECS_CACHE_BYTES: the database source's budget of hot projects' parsed snapshots
  /// (DatabaseOptions::cache_bytes); 0 keeps none in memory.
  std::size_t cache_bytes = 256u << 20;
  /// Webhook secrets, the current one first: WEBHOOK_SECRET, then WEBHOOK_SECRET_PREVIOUS
  /// while a secret is being rotated (a delivery signed with either is accepted). At most two.
  /// None: every webhook delivery is rejected.
  std::vector<std::string> webhook_secrets;
  /// REVALIDATION_SECRET: what revalidate() callers must present. Empty: revalidate() always
  /// answers false.
  std::string revalidation_secret;
  /// How often a failing source is looked at again, and how old the fallback copy of a
  /// database project may grow before it is read again.
  std::chrono::milliseconds probe_interval{5'000};
  /// The sync lease's time to live (SyncOptions::lease_ttl, at least 300 ms): how long a
  /// project stays locked when the instance syncing it dies.
  std::chrono::milliseconds sync_lease_ttl{60'000};
  /// How often the sync scheduler reads the store's queue (SyncOptions::poll): how soon a sync
  /// requested through another instance starts.
  std::chrono::milliseconds sync_poll{2'000};
  /// SYNC_DEADLINE_MS: the most one sync may take, every request counted (SyncOptions::deadline,
  /// positive); past it the sync ends with an error naming it.
  std::chrono::milliseconds sync_deadline{300'000};

  /// Reads SPECS_MODE, SPECS_DIR, DATABASE_URL, GITHUB_TOKEN, GITHUB_APP_ID,
  /// GITHUB_APP_PRIVATE_KEY, GITHUB_APP_PRIVATE_KEY_FILE, GITHUB_APP_INSTALLATION_ID,
  /// GITHUB_API_URL, CACHE_TTL_MS
  /// (or, deprecated, CACHE_TTL),
  /// WEBHOOK_SECRET, WEBHOOK_SECRET_PREVIOUS, REVALIDATION_SECRET and SYNC_DEADLINE_MS (unset
  /// or empty: the default), then checks the result as problems() does.
  /// @throws leanspec::Error config listing every bad variable by name and what is wrong with
  ///         it, one per line (a secret's value is never shown)
  static ServiceConfig from_env();

  /// Field by field: two equal configurations make services that serve the same thing (the
  /// Node addon gives one process one service per configuration).
  bool operator==(const ServiceConfig &) const = default;

  /// Every problem of this configuration, one sentence each naming the variable ("SPECS_DIR:
  /// '/x' is not a directory"); empty when it is usable. Checks that the specs directory exists
  /// (when the mode reads it), that the database URL has a known scheme (when the mode uses
  /// it), the API URL's scheme, that no secret or token holds control characters, and that a
  /// GitHub App is complete (id, one readable PEM RSA key) and not given beside a token.
  std::vector<std::string> problems() const;
};

/// Which kind of source serves a project.
enum class SourceKind { filesystem, database };
/// "filesystem", "database".
std::string_view to_string(SourceKind kind) noexcept;

/// A source's condition. `stale`: it fails, and calls are answered from the last data read
/// from it. `down`: it fails and nothing was ever read from it, so calls throw.
enum class SourceState { ok, stale, down };
/// "ok", "stale", "down".
std::string_view to_string(SourceState state) noexcept;

/// The condition of one configured source.
struct SourceHealth {
  SourceKind source = SourceKind::filesystem;
  SourceState state = SourceState::ok;
  std::string description; ///< the specs directory, or the database (password redacted)
  std::string error;       ///< why it is not ok (empty when ok)
  Timestamp since{};       ///< when the current state began
};

/// The condition of a whole service: what a web app shows in a status bar.
struct ServiceHealth {
  SpecsMode mode = SpecsMode::filesystem;
  std::vector<SourceHealth> sources; ///< the configured ones: filesystem first
  bool stale = false;                ///< some source is not ok: answers may be old
};

/// One project a service serves, and which source serves it.
struct ServedProject {
  Project project;
  SourceKind source = SourceKind::filesystem;
  bool stale = false; ///< its source is not ok
  /// Database projects: the registration and its last sync (empty for the filesystem one).
  std::optional<RegisteredProject> registration;
};

/// The cache counters of one source.
struct SourceCacheStats {
  SourceKind source = SourceKind::filesystem;
  CacheCounters counters;
  double hit_rate = 0; ///< hits / (hits + misses); 0 before the first call
};

struct CacheStats {
  std::vector<SourceCacheStats> sources; ///< the configured (and opened) ones
  CacheCounters total;
  double hit_rate = 0;
};

// to_json() of ServiceHealth, CacheStats and ServedProject: include/leanspec/json.hpp.

class SpecsService : public SpecSource {
public:
  /// Opens the sources the mode names. A database that cannot be reached is not an error: the
  /// service starts with the database `down` and keeps trying every probe_interval.
  /// @throws leanspec::Error config listing every problem of `config` (see problems()), or the
  ///         database's own config error (a schema newer than this library)
  explicit SpecsService(ServiceConfig config);
  /// Stops the probe thread and the sources' threads; no callback runs after it returns.
  ~SpecsService() override;

  SpecsMode mode() const noexcept;
  /// The configuration (secrets included: do not log it).
  const ServiceConfig &config() const noexcept;
  /// The filesystem project's id, or empty in `database` mode.
  const std::string &filesystem_project_id() const noexcept;

  // --- SpecSource: routed by project id (see the file comment) -----------------------------
  // Each may throw what the source throws, and:
  // @throws leanspec::Error not_found for a database project id when the mode has no database
  //         (the message says that database mode is off)
  // @throws leanspec::Error invalid_argument for no project id in `database` mode while several
  //         or no projects are registered
  // @throws leanspec::Error database when the database fails and nothing was read from it yet

  /// The filesystem project and every registered database project.
  std::vector<Project> projects() const override;
  std::shared_ptr<const SpecList> list(const ListQuery &query = {}) const override;
  SpecPtr get(std::string_view ref, std::string_view project_id = {}) const override;
  std::shared_ptr<const SearchResult> search(const SearchQuery &query) const override;
  std::shared_ptr<const Stats> stats(std::string_view project_id = {}) const override;
  std::shared_ptr<const Relationships>
  relationships(std::string_view ref, std::string_view project_id = {}) const override;
  std::shared_ptr<const std::vector<Diagnostic>>
  validate(std::string_view project_id = {}) const override;
  /// Change events of both sources, merged, on the service's own thread, after the caches have
  /// dropped what they concern. While the specs directory is missing its events are held back
  /// (the service keeps serving the last snapshot, so nothing changed for a host).
  Subscription subscribe(ChangeCallback callback) const override;

  /// projects() with the source of each and, for database projects, their registration.
  std::vector<ServedProject> served_projects() const;

  // --- health ----------------------------------------------------------------------------

  ServiceHealth health() const;
  /// True when the source answering `project_id` (routed as list() would) is not ok.
  bool is_stale(std::string_view project_id = {}) const;

  // --- writes -------------------------------------------------------------------------------

  /// Updates the spec `ref` of a project, guarded by `base_hash` (the content hash of the
  /// README the update was made from). The filesystem project: FilesystemSource::update(). A
  /// GitHub project: the README edited the same way, committed to its repository
  /// (GithubSync::write_file: the blob, tree, commit and non-forced branch update), and the
  /// store updated from that commit; with write mode pull_request a pull request is opened
  /// instead and the spec returned is the one proposed. Before it returns, the service's cache
  /// drops what the write may change, so this service's next call sees it (read-your-writes),
  /// and the change event follows.
  /// @throws leanspec::Error conflict, not_found, ambiguous, invalid_argument, io; for a GitHub
  ///         project also unauthorized (a token that may not write), rate_limited, network
  SpecPtr update(std::string_view ref, const SpecUpdate &update, std::string_view base_hash,
                 std::string_view project_id = {});
  /// Creates a spec: FilesystemSource::create() in the filesystem project; in a GitHub project
  /// the next number over its stored folders (as wide as the widest), a minimal README
  /// (its .lean-spec template is not synced), committed as update() commits. The service's
  /// cached lists are dropped before it returns.
  SpecPtr create(const NewSpec &spec, std::string_view project_id = {});
  /// The same as update() for FilesystemSource::toggle_checklist_item().
  SpecPtr toggle_checklist_item(std::string_view ref, int index, std::string_view base_hash,
                                std::string_view project_id = {});

  // --- cache control for hosts -------------------------------------------------------------

  /// Drops every cached result of every source.
  void invalidate() noexcept;
  /// Drops the cached results that may mention the spec `ref` names (its id, number or slug, as
  /// get() takes) in `project_id`'s source.
  void invalidate(std::string_view ref, std::string_view project_id = {}) noexcept;
  /// For a host's revalidation endpoint: when `presented_secret` equals the configured
  /// revalidation secret (compared in constant time over SHA-256 digests, so neither content
  /// nor length leaks), invalidates `ref` (or everything) and returns true. False, doing
  /// nothing, for a wrong or empty secret, and always when no secret is configured.
  bool revalidate(std::string_view presented_secret, std::optional<std::string_view> ref = {},
                  std::string_view project_id = {}) noexcept;
  CacheStats cache_stats() const;

  // --- the project registry (database and both modes) -------------------------------------
  // Each throws Error not_found when the mode has no database, database when it fails, and
  // what DatabaseSource's member of the same name throws.

  void add_project(const RegisteredProject &project);
  void update_project(std::string_view id, const ProjectPatch &patch);
  /// Deprecated, kept for one release: replaces the branch, specs path and interval
  /// of `project.id` (update_project(id, patch) with all three given).
  [[deprecated("use update_project(id, ProjectPatch)")]] void
  update_project(const RegisteredProject &project) {
    update_project(project.id, {project.branch, project.specs_path, project.sync_interval});
  }
  bool remove_project(std::string_view id);
  /// Every registered project with its sync state (state, error, commit, time of the last sync).
  std::vector<RegisteredProject> registered_projects() const;
  ImportResult import_directory(std::string_view project_id,
                                const std::filesystem::path &specs_dir);

  // --- GitHub sync and webhooks (database and both modes) ---------------------------------
  // The service owns a GithubSync over its DatabaseSource, configured with github_api_url,
  // github_token and webhook_secrets.

  /// Starts the sync scheduler (GithubSync::start): every registered project synced at its
  /// interval, webhook-queued syncs as soon as possible. Any number of instances may run it: the
  /// store's lease lets one of them sync a project at a time. While the database is down it
  /// starts once the probe finds the database. No-op when running.
  /// @throws leanspec::Error not_found when the mode has no database
  void start_sync();
  /// Stops the scheduler; returns when its threads have ended. No-op when not running.
  void stop_sync() noexcept;
  /// Syncs one project now, on this thread (GithubSync::sync_now), then drops the project's
  /// cached results so the next read shows what was synced.
  /// @throws leanspec::Error not_found (no database mode, unknown project), database
  SyncRun sync_now(std::string_view project_id);
  /// Queues a sync of the project, durably (GithubSync::request_sync).
  /// @throws leanspec::Error not_found (no database mode, unknown project), database
  void request_sync(std::string_view project_id);
  /// The project's latest sync runs, newest first, whichever instance ran them
  /// (GithubSync::sync_runs; `limit` 0: all).
  /// @throws leanspec::Error not_found (no database mode), database
  std::vector<SyncRun> sync_runs(std::string_view project_id, std::size_t limit = 20) const;
  /// Handles one GitHub webhook delivery (GithubSync::handle_webhook: signature, ping,
  /// redeliveries, a queued incremental sync) and returns at once with the HTTP status to answer.
  /// With no webhook secret configured every delivery is rejected. Without database mode: 404;
  /// while the database is unreachable: 503 (GitHub then shows the delivery as failed, and it
  /// can be redelivered). Never throws.
  WebhookResult handle_webhook(const std::vector<std::pair<std::string, std::string>> &headers,
                               std::string_view body) noexcept;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Creates a SpecsService (see its constructor).
std::shared_ptr<SpecsService> make_specs_service(ServiceConfig config);

} // namespace leanspec
