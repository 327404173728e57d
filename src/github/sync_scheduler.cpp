// Implements GithubSync's scheduler (src/github/github_sync_impl.hpp): worker threads that
// pick the next project from a roster of the store's projects and queue (read at most once
// per poll): queued requests (webhooks, request_sync) first, then the most overdue project by
// its interval with jitter (a project first seen is spread over one interval, see
// sync_spread.hpp), each no earlier than its rate-limit retry time or its credential's budget
// pause; an interrupted sync is taken over. A worker syncs it and backs off after failures.
#include "core/unix_ms.hpp"
#include "github/github_sync_impl.hpp"
#include "github/sync_spread.hpp"

#include <algorithm>
#include <leanspec/error.hpp>

namespace leanspec {

using detail::ProjectRecord;
using detail::unix_ms;

namespace {

std::chrono::milliseconds base_interval(const ProjectRecord &project, const SyncOptions &options) {
  return project.sync_interval.count() > 0
             ? std::chrono::duration_cast<std::chrono::milliseconds>(project.sync_interval)
             : std::chrono::duration_cast<std::chrono::milliseconds>(options.default_interval);
}

} // namespace

std::chrono::milliseconds GithubSync::Impl::interval_of(const ProjectRecord &project) {
  const auto base = base_interval(project, options);
  std::uniform_real_distribution<double> spread(-options.jitter, options.jitter);
  return std::chrono::milliseconds(
      static_cast<std::int64_t>(static_cast<double>(base.count()) * (1.0 + spread(random))));
}

void GithubSync::Impl::refresh_roster() {
  const std::lock_guard reading(roster_reading);
  bool read_projects = false;
  std::uint64_t seen = 0;
  {
    const std::lock_guard lock(mutex);
    read_projects =
        roster.projects_read_at == 0 || unix_ms() - roster.projects_read_at >= options.poll.count();
    if (!read_projects && roster.notifications == notifications)
      return;
    seen = notifications;
  }
  const std::int64_t read_at = unix_ms();
  std::optional<std::vector<ProjectRecord>> projects;
  if (read_projects)
    projects = store.projects();
  std::map<std::string, detail::SyncSchedule> schedules;
  for (auto &s : store.sync_schedules())
    schedules.emplace(s.project_id, std::move(s));
  const std::lock_guard lock(mutex);
  if (projects) {
    roster.projects = std::move(*projects);
    roster.projects_read_at = read_at;
  }
  roster.schedules = std::move(schedules);
  roster.notifications = seen;
}

std::int64_t GithubSync::Impl::interval_due(const ProjectRecord &project, std::int64_t now) {
  auto [it, inserted] = next_due.try_emplace(project.id, 0);
  auto &synced = synced_seen[project.id];
  if (inserted || synced != project.last_synced_at) {
    if (project.last_synced_at == 0) {
      it->second = now; // nothing stored yet: at once
    } else if (inserted) {
      // First sight of a project synced before: on its slot, at least half an interval after
      // that sync, so that a fleet found overdue together is spread over the next interval.
      const std::int64_t interval = base_interval(project, options).count();
      it->second = detail::spread_due(project.id, interval,
                                      std::max(now, project.last_synced_at + interval / 2));
    } else {
      // Synced since (by any instance): an interval after that sync, so that instances
      // sharing the store do not each sync it again.
      it->second = project.last_synced_at + interval_of(project).count();
    }
    synced = project.last_synced_at;
  }
  return it->second;
}

std::optional<GithubSync::Impl::Picked> GithubSync::Impl::pick(std::int64_t now,
                                                               std::int64_t &wait_until) {
  const ProjectRecord *best = nullptr;
  const detail::SyncSchedule *best_schedule = nullptr;
  bool best_requested = false;
  std::int64_t best_due = 0;
  for (const auto &project : roster.projects) {
    if (syncing.count(project.id))
      continue;
    const auto s = roster.schedules.find(project.id);
    const bool requested = s != roster.schedules.end() && s->second.requested_at > 0;
    std::int64_t due = requested ? s->second.requested_at : interval_due(project, now);
    // A sync whose holder died (or lost its lease): taken over at once, unless this process's
    // own failures are backing off.
    if (project.interrupted_at > 0 && !failures.count(project.id))
      due = std::min(due, project.interrupted_at);
    if (s != roster.schedules.end())
      due = std::max(due, s->second.retry_at);
    if (const auto nb = not_before.find(project.id); nb != not_before.end())
      due = std::max(due, nb->second);
    due = std::max(due, budget_of(project)->paused_until(now));
    if (due > now) {
      wait_until = std::min(wait_until, due);
      continue;
    }
    // Webhooks first: a queued request goes before any due poll, the oldest first.
    if (!best || (requested && !best_requested) ||
        (requested == best_requested && due < best_due)) {
      best = &project;
      best_schedule = s != roster.schedules.end() ? &s->second : nullptr;
      best_requested = requested;
      best_due = due;
    }
  }
  if (!best)
    return std::nullopt;
  return Picked{*best, best_schedule ? queued(*best_schedule) : Queued{}};
}

void GithubSync::Impl::worker(std::stop_token stop) {
  while (!stop.stop_requested()) {
    std::optional<Picked> picked;
    std::int64_t wait_until = unix_ms() + options.poll.count();
    std::uint64_t seen = 0;
    try {
      refresh_roster();
      const std::lock_guard lock(mutex);
      seen = roster.notifications;
      picked = pick(unix_ms(), wait_until);
      if (picked)
        syncing.insert(picked->project.id); // reserved for this worker; sync() unmarks it
    } catch (const Error &) {
      picked.reset(); // the store is unreachable: try again after the poll interval
      const std::lock_guard lock(mutex);
      seen = notifications;
    }
    if (picked) {
      run_scheduled(*picked);
      continue;
    }
    std::unique_lock lock(mutex);
    const auto deadline =
        std::chrono::system_clock::time_point(std::chrono::milliseconds(wait_until));
    wake.wait_until(lock, stop, deadline, [&] { return notifications != seen; });
  }
}

void GithubSync::Impl::run_scheduled(const Picked &picked) {
  const std::string &id = picked.project.id;
  SyncRun run;
  bool failed = false;
  try {
    // The queue as the roster read it: no read of every schedule row per sync.
    run = sync(id, true, picked.project.last_synced_at, &picked.request);
    failed = run.outcome == SyncOutcome::error;
  } catch (const std::exception &) {
    failed = true; // the project was removed, or the store failed: try later
  }
  std::optional<ProjectRecord> project;
  bool read = false;
  try {
    project = store.project(id);
    read = true;
  } catch (const Error &) {
    // unreachable store: the default interval below
  }
  const std::lock_guard lock(mutex);
  // The roster follows this sync until the store is read again.
  if (read) {
    const auto it = std::find_if(roster.projects.begin(), roster.projects.end(),
                                 [&](const ProjectRecord &p) { return p.id == id; });
    if (it != roster.projects.end() && project)
      *it = *project;
    else if (it != roster.projects.end())
      roster.projects.erase(it);
  }
  if (const auto s = roster.schedules.find(id); s != roster.schedules.end()) {
    s->second.requested_at = 0;
    s->second.retry_at = run.outcome == SyncOutcome::rate_limited ? run.retry_at : 0;
  }
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
