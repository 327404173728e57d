// Implements GithubSync::Impl::sync (src/github/github_sync_impl.hpp): one sync with the
// project's lease in the store held, renewed while it runs and given back after, so that one
// process at a time syncs a project.
#include "core/unix_ms.hpp"
#include "github/github_sync_impl.hpp"

#include <leanspec/error.hpp>

namespace leanspec {

using detail::ProjectRecord;
using detail::unix_ms;

SyncRun GithubSync::Impl::sync(std::string_view project_id, bool reserved,
                               std::optional<std::int64_t> picked_synced_at,
                               const Queued *request) {
  const std::string id(project_id);
  if (!reserved) {
    const std::lock_guard lock(mutex);
    if (!syncing.insert(id).second)
      return busy(id, "a sync of '" + id + "' is already running in this process");
  }
  struct Unmark {
    Impl &impl;
    const std::string &id;
    ~Unmark() {
      const std::lock_guard lock(impl.mutex);
      impl.syncing.erase(id);
    }
  } unmark{*this, id};
  auto project = store.project(id);
  if (!project)
    throw Error(ErrorCode::not_found, "project '" + id + "' is not registered");
  if (!store.try_acquire_lease(id, options.holder, options.lease_ttl))
    return busy(id, "a sync of '" + id + "' is running in another process");
  if (picked_synced_at) {
    bool synced_since = false;
    try {
      synced_since = synced_elsewhere(id, *picked_synced_at);
    } catch (...) {
      store.release_lease(id, options.holder);
      throw;
    }
    if (synced_since) {
      store.release_lease(id, options.holder);
      SyncRun skipped;
      skipped.project_id = id;
      skipped.outcome = SyncOutcome::not_modified;
      return skipped;
    }
  }
  SyncRun run;
  {
    // Renewed every third of its time to live, so a long sync keeps it; a sync that writes
    // after losing it writes what any holder would (the same commit's blobs, by SHA).
    std::jthread renew([&](std::stop_token stop) {
      std::mutex m;
      std::condition_variable_any cv;
      std::unique_lock lock(m);
      while (!stop.stop_requested()) {
        cv.wait_for(lock, stop, options.lease_ttl / 3, [] { return false; });
        if (stop.stop_requested())
          break;
        try {
          store.try_acquire_lease(id, options.holder, options.lease_ttl);
        } catch (const Error &) {
          // the next renewal tries again; the lease outlives one failed write
        }
      }
    });
    try {
      run = sync_locked(*project, request);
    } catch (...) {
      renew.request_stop();
      renew.join();
      store.release_lease(id, options.holder);
      throw;
    }
  }
  store.release_lease(id, options.holder);
  return run;
}

bool GithubSync::Impl::synced_elsewhere(const std::string &id, std::int64_t picked_synced_at) {
  const auto project = store.project(id);
  if (!project || project->last_synced_at <= picked_synced_at)
    return false;
  for (const auto &schedule : store.sync_schedules())
    if (schedule.project_id == id && schedule.requested_at > 0)
      return false;
  return true;
}

} // namespace leanspec
