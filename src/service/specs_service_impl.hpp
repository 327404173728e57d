#pragma once
// Internal to src/service/: SpecsService::Impl, the state the service's files share, and its
// Route (one configured source: the source, the CachingSource over it, its health, and per
// project the last full spec list read from it, the fallback). Each member is defined in the
// file named for its concern: routing.cpp (which route serves a project; the SpecSource
// calls), cross_project.cpp (list, search and stats over a project set), source_health.cpp (the
// ok/stale/down state machine), fallbacks.cpp (answers while a source fails), database_probe.cpp
// (opening and probing the database), cache_control.cpp (invalidate, revalidate, cache counters),
// project_registry.cpp, service_sync.cpp (GitHub sync and webhooks), specs_service.cpp (startup,
// shutdown, change events).
#include "core/change_notifier.hpp"
#include "core/project_set.hpp"
#include "snapshot/snapshot.hpp"

#include <array>
#include <chrono>
#include <functional>
#include <leanspec/error.hpp>
#include <leanspec/filesystem_source.hpp>
#include <leanspec/github_sync.hpp>
#include <leanspec/specs_service.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <thread>

namespace leanspec::detail {

using Steady = std::chrono::steady_clock;

Timestamp now_utc();

using Digest = std::array<unsigned char, 32>;

/// SHA-256 of `text`. @throws Error internal when OpenSSL fails
Digest sha256(std::string_view text);

// The last full spec list read from a source for one project, and the snapshot built from it
// the first time it is needed.
struct Fallback {
  std::shared_ptr<const SpecList> specs;
  Steady::time_point read_at;
  bool dirty = false; // a change event came after it was read
  std::shared_ptr<const detail::Snapshot> snapshot;
};

struct Route {
  SourceKind kind = SourceKind::filesystem;
  bool configured = false;
  mutable std::mutex mutex; // guards everything below
  std::string description;
  std::shared_ptr<const SpecSource> raw; // FilesystemSource or DatabaseSource; null until open
  std::shared_ptr<FilesystemSource> filesystem; // the writable side of `raw` (filesystem route)
  std::shared_ptr<DatabaseSource> database;
  std::shared_ptr<CachingSource> cache;
  Subscription subscription; // to the cache's events
  SourceState state = SourceState::ok;
  std::string error;
  Timestamp since = now_utc();
  std::map<std::string, Fallback, std::less<>> fallbacks;
};

} // namespace leanspec::detail

namespace leanspec {

// The service's files name these unqualified.
using detail::Digest;
using detail::Fallback;
using detail::now_utc;
using detail::Route;
using detail::sha256;
using detail::Steady;

struct SpecsService::Impl {
  ServiceConfig config;
  std::filesystem::path specs_dir;
  std::string fs_project_id;
  std::optional<Digest> revalidation_digest;
  detail::ChangeNotifier notifier;
  Route fs, db;

  std::mutex known_mutex; // the registered projects last read, for defaults and outages
  std::vector<Project> known_projects;
  std::optional<Steady::time_point> known_at;
  std::vector<RegisteredProject> known_registrations;

  // The GitHub sync over the opened DatabaseSource (guarded by db.mutex), and whether the host
  // asked for its scheduler.
  std::shared_ptr<GithubSync> sync;
  bool sync_wanted = false;

  std::jthread prober; // started last, stopped first

  ~Impl();

  // --- health (source_health.cpp) -------------------------------------------------------------

  void fail(Route &route, std::string message);
  void recover(Route &route);
  std::shared_ptr<CachingSource> healthy_cache(Route &route) const;
  std::shared_ptr<CachingSource> any_cache(Route &route) const;

  // --- fallbacks (fallbacks.cpp) --------------------------------------------------------------

  enum class Refresh { if_missing, if_old, always };

  void keep_fallback(Route &route, const std::string &project, Refresh refresh);
  std::shared_ptr<const detail::Snapshot> fallback_snapshot(Route &route,
                                                            const std::string &project);
  Error unavailable(Route &route, std::string_view project) const;

  // One routed read: the cache while the source is ok, else the fallback.
  template <class T, class Call, class Answer>
  std::shared_ptr<const T> read(Route &route, const std::string &project, Call &&call,
                                Answer &&answer) {
    if (const auto cache = healthy_cache(route)) {
      try {
        auto result = call(*cache);
        if (route.kind == SourceKind::database)
          remember(route, project);
        return result;
      } catch (const Error &e) {
        if (e.code() != ErrorCode::database)
          throw;
        fail(route, e.what());
      }
    }
    const auto snapshot = fallback_snapshot(route, project);
    if (!snapshot)
      throw unavailable(route, project);
    return answer(*snapshot);
  }

  void remember(Route &route, const std::string &project) noexcept;

  // --- writes (writes.cpp) --------------------------------------------------------------------
  // One README edit, as a GitHub project's write makes it.
  struct Edit {
    std::string_view ref, base_hash;
    std::function<std::string(std::string_view readme)> edit;
  };
  // `on_disk` on the filesystem project's source, or `edit` committed to a GitHub project;
  // then the route's cache drops what the written spec may change.
  SpecPtr write(std::string_view project_id, const Edit &edit,
                const std::function<SpecPtr(FilesystemSource &)> &on_disk);
  // `edit` committed to a database project's repository (GithubSync::write_file).
  SpecPtr commit(const std::string &project, const Edit &edit);

  // --- routing (routing.cpp) ------------------------------------------------------------------

  Route &route_for(std::string_view requested, std::string &project);
  std::vector<Project> database_projects();
  std::string default_database_project();
  void forget_projects();
  std::shared_ptr<DatabaseSource> database();
  std::shared_ptr<GithubSync> github();

  // Runs a registry call, noting a database failure in the health.
  template <class F> auto registry(F &&body) {
    const auto database_source = database();
    try {
      return body(*database_source);
    } catch (const Error &e) {
      if (e.code() == ErrorCode::database)
        fail(db, e.what());
      throw;
    }
  }

  void registry_changed();

  // --- project sets (cross_project.cpp) ------------------------------------------------------

  // One part of a project set: a project of a route, or a subset ("a,b", "*") of the database's.
  struct SetPart {
    Route *route = nullptr;
    std::string key;                  // what the source is asked for: the project id or the subset
    std::vector<std::string> members; // a subset's projects; empty for "*" (every one)
    bool subset = false;
  };
  // A part's answer; a subset the database did not answer is asked again per project.
  template <class T> struct PartAnswer {
    Route *route = nullptr;
    std::string key;
    bool subset = false;
    std::shared_ptr<const T> value;
  };

  std::vector<SetPart> set_parts(const detail::ProjectSet &set);
  template <class T, class Call>
  std::shared_ptr<const T> read_part(Route &route, const std::string &project, const Call &call);
  template <class T, class Call>
  std::vector<PartAnswer<T>> ask_set(const detail::ProjectSet &set, const Call &call,
                                     const std::vector<std::string> &resumed);
  std::shared_ptr<const SpecList> list_set(const ListQuery &query, const detail::ProjectSet &set);
  std::shared_ptr<const SearchResult> search_set(const SearchQuery &query,
                                                 const detail::ProjectSet &set);
  std::shared_ptr<const Stats> stats_set(const detail::ProjectSet &set);

  // --- startup and events (specs_service.cpp) -------------------------------------------------

  void open_filesystem();
  void on_event(Route &route, const ChangeEvent &event);

  // --- the database and its prober (database_probe.cpp) ---------------------------------------

  void open_database();
  void probe_database() noexcept;
  void run_prober(const std::stop_token &stop);
};

} // namespace leanspec
