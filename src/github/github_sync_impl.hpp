#pragma once
// Internal: GithubSync::Impl, the state one GithubSync shares between its calls, its scheduler
// threads and its webhook entry. Its members live in github_sync.cpp (construction, one sync
// and its record), sync_lease.cpp (the lease around a sync), sync_scheduler.cpp (the worker
// threads) and webhook_entry.cpp (a delivery).

#include "db/store.hpp"
#include "github/credential.hpp"
#include "github/github_app.hpp"
#include "github/github_client.hpp"
#include "github/rate_budget.hpp"
#include "github/webhook.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <leanspec/database_source.hpp>
#include <leanspec/github_sync.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace leanspec {

struct GithubSync::Impl {
  std::shared_ptr<DatabaseSource> source;
  detail::Store &store;
  SyncOptions options;
  detail::GithubClientOptions client_options;
  std::vector<std::string> secrets;       // token, key and webhook secrets, scrubbed from messages
  std::shared_ptr<detail::GithubApp> app; // a GitHub App's tokens, or none (a personal token)
  // GitHub's rate limits per credential, shared by every sync of this GithubSync.
  detail::RateBudgets budgets{
      {options.credential_concurrency, options.points_per_minute, options.rate_limit_reserve}};

  // The scheduler's view of the store (guarded by `mutex`), read at most once per poll (the
  // queue also when notified), and kept up to date with this process's own syncs in between.
  struct Roster {
    std::vector<detail::ProjectRecord> projects;
    std::map<std::string, detail::SyncSchedule> schedules;
    std::int64_t projects_read_at = 0; // unix ms; 0: never
    std::uint64_t notifications = 0;   // `notifications` when the queue was read
  };
  std::mutex roster_reading; // one scheduler thread reads the store at a time

  std::mutex mutex; // guards everything below
  std::condition_variable_any wake;
  std::set<std::string> syncing;                   // projects this process is syncing
  std::map<std::string, std::int64_t> next_due;    // unix ms, per project
  std::map<std::string, std::int64_t> synced_seen; // the last_synced_at next_due follows
  std::map<std::string, int> failures;             // consecutive failed runs
  std::map<std::string, std::int64_t> not_before;  // unix ms: no sync of it before
  std::uint64_t notifications = 0;
  Roster roster;
  std::mt19937_64 random{std::random_device{}()};
  std::vector<std::jthread> workers;
  std::atomic<bool> cancel{false};

  Impl(std::shared_ptr<DatabaseSource> s, SyncOptions o);

  // --- one sync and its record (github_sync.cpp) -----------------------------------------------

  void notify();
  SyncRun busy(std::string_view project_id, const std::string &why);
  // The queue's word on a project: its pending request (request_seq -1: none) with its hint,
  // and the rate-limit retry time (unix ms, 0: none).
  struct Queued {
    std::int64_t request_seq = -1, retry_at = 0;
    std::optional<detail::SyncHint> hint;
  };
  Queued queued(const std::string &id);
  // The queue's word as a schedule row says it.
  static Queued queued(const detail::SyncSchedule &schedule);
  // The credential of one sync of `project`, its requests counting against `deadline`: the
  // personal token, or the app's installation token for the project's repository.
  std::shared_ptr<detail::Credential>
  credential_for(const detail::ProjectRecord &project,
                 std::chrono::steady_clock::time_point deadline =
                     std::chrono::steady_clock::time_point::max());
  // One sync with the lease held: run, recorded with its snapshot in one transaction.
  // `request`: the queue's word as the scheduler last read it; null: read now.
  SyncRun sync_locked(detail::ProjectRecord project, const Queued *request = nullptr);
  // After a run: the retry time of a rate limit, or the answered request cleared (and, when it
  // succeeded, the kept blobs it used dropped and a past retry time cleared).
  void settle_queue(const std::string &id, const SyncRun &run, const Queued &request,
                    const std::vector<std::string> &used_kept_blobs);
  // The run history within max_sync_runs and max_sync_run_age; a failure to prune fails
  // no sync (the next run prunes again).
  void prune_runs(const std::string &id) noexcept;

  // --- the lease (sync_lease.cpp) --------------------------------------------------------------

  // One sync, with the lease held and renewed.
  // `reserved`: the scheduler marked the project as syncing already. `picked_synced_at`: for
  // the scheduler, the project's last_synced_at when it found it due; when another holder
  // synced it since (and no request is queued), the lease is given back unused: a run with
  // id 0 and outcome not_modified.
  // `request`: the queue's word as the scheduler read it (null: read now); a request queued
  // since stays queued for the next sync.
  SyncRun sync(std::string_view project_id, bool reserved = false,
               std::optional<std::int64_t> picked_synced_at = std::nullopt,
               const Queued *request = nullptr);
  // True when another holder synced the project after the scheduler read `picked_synced_at`
  // and nothing is queued for it: between a scheduler's read and its lease, another instance
  // may have run the whole sync (and released the lease).
  bool synced_elsewhere(const std::string &id, std::int64_t picked_synced_at);

  // The credential key of a project's syncs, which names its rate budget, without a request:
  // the token's ("token:<12 hex of its SHA-256>", "anonymous"); with a GitHub App the
  // installation's ("installation:<id>") once known (configured, or looked up by a sync of
  // the repository), else the app's ("app:<id>") until its first sync.
  std::string budget_key(const detail::ProjectRecord &project) const;
  std::shared_ptr<detail::RateBudget> budget_of(const detail::ProjectRecord &project);

  // --- writes (file_write.cpp) ----------------------------------------------------------------
  // Marks the project as syncing in this process and takes its lease, waiting up to `wait`
  // for a sync under way. @throws Error conflict when it is still held after `wait`
  void acquire_for_write(const std::string &id, std::chrono::milliseconds wait);
  void release_after_write(const std::string &id) noexcept;

  // --- the scheduler (sync_scheduler.cpp) ------------------------------------------------------

  std::chrono::milliseconds interval_of(const detail::ProjectRecord &project);
  void worker(std::stop_token stop);
  // The roster read again when it is older than a poll (the queue alone when notified since).
  void refresh_roster();
  // The project to sync now (marked syncing), queued requests before due polls; else none,
  // and `wait_until` lowered to the next due time. `mutex` held.
  struct Picked {
    detail::ProjectRecord project;
    Queued request;
  };
  std::optional<Picked> pick(std::int64_t now, std::int64_t &wait_until);
  // When a project is due by its interval (not by a request), updating next_due.
  std::int64_t interval_due(const detail::ProjectRecord &project, std::int64_t now);
  void run_scheduled(const Picked &picked);

  // --- webhooks (webhook_entry.cpp) ------------------------------------------------------------

  WebhookResult handle_webhook(const std::vector<std::pair<std::string, std::string>> &headers,
                               std::string_view body);
};

} // namespace leanspec
