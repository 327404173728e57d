// Implements GithubSync's scheduler (src/github/github_sync_impl.hpp): worker threads that
// pick the most overdue project (queued request, interval with jitter, rate-limit retry time,
// an interrupted sync taken over), sync it, and back off after failures.
#include "core/unix_ms.hpp"
#include "github/github_sync_impl.hpp"

#include <leanspec/error.hpp>

namespace leanspec {

using detail::ProjectRecord;
using detail::unix_ms;

std::chrono::milliseconds GithubSync::Impl::interval_of(const ProjectRecord &project) {
  const auto base =
      project.sync_interval.count() > 0
          ? std::chrono::duration_cast<std::chrono::milliseconds>(project.sync_interval)
          : std::chrono::duration_cast<std::chrono::milliseconds>(options.default_interval);
  std::uniform_real_distribution<double> spread(-options.jitter, options.jitter);
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(base.count()) * (1.0 + spread(random))));
}

void GithubSync::Impl::worker(std::stop_token stop) {
  while (!stop.stop_requested()) {
    std::optional<std::string> pick;
    std::int64_t pick_synced_at = 0;
    std::int64_t wait_until = unix_ms() + options.poll.count();
    std::uint64_t seen = 0;
    try {
      const auto projects = store.projects();
      std::map<std::string, detail::SyncSchedule> schedules;
      for (auto &s : store.sync_schedules())
        schedules.emplace(s.project_id, std::move(s));
      const std::lock_guard lock(mutex);
      seen = notifications;
      const std::int64_t now = unix_ms();
      std::int64_t best = 0;
      for (const auto &project : projects) {
        if (syncing.count(project.id))
          continue;
        std::int64_t due = 0;
        const auto s = schedules.find(project.id);
        const std::int64_t retry_at = s == schedules.end() ? 0 : s->second.retry_at;
        if (s != schedules.end() && s->second.requested_at > 0)
          due = s->second.requested_at;
        else {
          auto [it, inserted] = next_due.try_emplace(project.id, 0);
          auto &synced = synced_seen[project.id];
          // First sight, or synced since (by any instance): due an interval after that sync,
          // so that instances sharing the store do not each sync it again.
          if (inserted || synced != project.last_synced_at) {
            it->second = project.last_synced_at
                             ? project.last_synced_at + interval_of(project).count()
                             : now;
            synced = project.last_synced_at;
          }
          due = it->second;
        }
        // A sync whose holder died (or lost its lease): taken over at once, unless this
        // process's own failures are backing off.
        if (project.interrupted_at > 0 && !failures.count(project.id))
          due = std::min(due, project.interrupted_at);
        due = std::max(due, retry_at);
        if (const auto nb = not_before.find(project.id); nb != not_before.end())
          due = std::max(due, nb->second);
        if (due <= now && (!pick || due < best)) {
          pick = project.id;
          pick_synced_at = project.last_synced_at;
          best = due;
        } else if (due > now) {
          wait_until = std::min(wait_until, due);
        }
      }
      if (pick)
        syncing.insert(*pick); // reserved for this worker; sync() unmarks it
    } catch (const Error &) {
      pick.reset(); // the store is unreachable: try again after the poll interval
    }
    if (pick) {
      run_scheduled(*pick, pick_synced_at);
      continue;
    }
    std::unique_lock lock(mutex);
    const auto deadline =
        std::chrono::system_clock::time_point(std::chrono::milliseconds(wait_until));
    wake.wait_until(lock, stop, deadline, [&] { return notifications != seen; });
  }
}

void GithubSync::Impl::run_scheduled(const std::string &id, std::int64_t picked_synced_at) {
  SyncRun run;
  bool failed = false;
  try {
    run = sync(id, true, picked_synced_at);
    failed = run.outcome == SyncOutcome::error;
  } catch (const std::exception &) {
    failed = true; // the project was removed, or the store failed: try later
  }
  std::optional<ProjectRecord> project;
  try {
    project = store.project(id);
  } catch (const Error &) {
    // unreachable store: the default interval below
  }
  const std::lock_guard lock(mutex);
  ProjectRecord fallback;
  fallback.sync_interval = std::chrono::seconds(0);
  const std::int64_t interval = interval_of(project ? *project : fallback).count();
  if (failed && run.id == 0 && !run.error.empty()) {
    // Another holder is syncing it: not again before a poll interval, queued request or not
    // (no loop on a busy lease).
    not_before[id] = unix_ms() + options.poll.count();
  } else if (failed) {
    const int n = std::min(++failures[id], 6);
    const std::int64_t backoff = std::int64_t{30'000} << n; // 1 min ... 32 min
    next_due[id] = unix_ms() + std::min(backoff, interval);
  } else {
    failures.erase(id);
    next_due[id] = unix_ms() + interval;
  }
}

} // namespace leanspec
