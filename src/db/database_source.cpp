// Implements include/leanspec/database_source.hpp: a Store (src/db/store.hpp) behind the
// SpecSource interface. A hot project's stored snapshot is parsed into a core Snapshot, kept
// in an atomic shared_ptr with the stored version it came from; reads check that version at
// most every `recheck` and, when it moved, read and parse only the folders written since. Hot
// snapshots stay under DatabaseOptions::cache_bytes (Snapshot::memory_bytes), the least
// recently read dropped first; every other project is served cold: from its summary rows
// (src/db/spec_summaries.hpp) and the folders an answer returns, read in one transaction.
#include "core/change_notifier.hpp"
#include "core/project_set.hpp"
#include "db/database_source_access.hpp"
#include "db/parse_stored.hpp"
#include "db/search/database_search.hpp"
#include "db/spec_summaries.hpp"
#include "db/store.hpp"
#include "model/spec_parser.hpp"
#include "snapshot/snapshot.hpp"
#include "tree/spec_folders.hpp"

#include <algorithm>
#include <atomic>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <malloc.h>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace leanspec {

namespace {

using Clock = std::chrono::steady_clock;

// A project not kept in memory turns hot on its second read within this window: a one-off read
// (a crawler, a set-wide list) never evicts projects being read again and again.
constexpr std::chrono::seconds admission_window{60};

// One project as served: its kept snapshot (hot) or none (cold), the stored version it comes
// from, and when that version was last looked at. A cold one keeps its folder paths (sorted),
// so that a change event can name what a later version removed.
struct Served {
  std::shared_ptr<const detail::Snapshot> snapshot; // null: cold
  std::uint64_t version = 0;
  Clock::time_point checked;
  std::shared_ptr<const std::vector<std::string>> paths; // cold only
  std::size_t bytes = 0;                                 // hot: snapshot->memory_bytes()
};

// What a change of the cache let go of: freed when this goes, after the cache's lock is
// released; then, with `trim`, the heap's free pages are given back to the system. glibc keeps
// an evicted snapshot's pages, which lie between live chunks: under the showcase's read load
// the process grew 40 MB past its budget with them (trimming after every eviction cut that but
// doubled the load's time, so it is done once an eighth of the budget has gone).
struct Dropped {
  std::vector<std::shared_ptr<const Served>> served;
  bool trim = false;
  Dropped() = default;
  Dropped(const Dropped &) = delete;
  Dropped &operator=(const Dropped &) = delete;
  ~Dropped() {
    served.clear();
#ifdef __GLIBC__
    if (trim)
      malloc_trim(0);
#endif
  }
};

struct ProjectSlot {
  explicit ProjectSlot(std::string project_id) : id(std::move(project_id)) {}
  const std::string id;
  std::atomic<std::shared_ptr<const Served>> served;
  std::mutex refresh;                   // one reload per project at a time
  std::atomic<Clock::rep> last_used{0}; // the last read, for least-recently-used eviction
  Clock::time_point last_cold_read;     // guarded by refresh: the admission policy's clock
  std::size_t too_large = 0;  // guarded by refresh: the bytes of a snapshot too large to keep
  std::size_t bytes = 0;      // guarded by Impl::cache_mutex: its kept snapshot's bytes
  std::size_t kept_bytes = 0; // guarded by Impl::cache_mutex: `bytes` when it was last kept
};

// Parses folders, in their order, on the calling thread. Not in parallel: what a helper
// thread allocates lives in another malloc arena, whose freed chunks only that arena reuses, so
// every kept snapshot parsed that way left its half's memory stranded when it was evicted
// (glibc: a peak of 342 MB against 315 MB parsed serially, under the showcase's 5,000-read load
// with a 256 MiB budget).
std::vector<SpecPtr> parse_folders(const std::vector<detail::StoredSpec> &folders) {
  std::vector<SpecPtr> specs;
  specs.reserve(folders.size());
  for (const auto &folder : folders)
    specs.push_back(std::make_shared<const Spec>(detail::parse_stored(folder)));
  return specs;
}

std::string_view id_of(std::string_view path) noexcept {
  const auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::shared_ptr<const std::vector<std::string>> paths_of(const detail::Snapshot &snapshot) {
  auto paths = std::make_shared<std::vector<std::string>>();
  for (const auto &spec : snapshot.specs())
    paths->push_back(spec->path);
  std::sort(paths->begin(), paths->end());
  return paths;
}

// `served` without its snapshot: what an evicted project keeps.
std::shared_ptr<const Served> cooled(const Served &served) {
  auto out = std::make_shared<Served>(served);
  if (served.snapshot)
    out->paths = paths_of(*served.snapshot);
  out->snapshot = nullptr;
  out->bytes = 0;
  return out;
}

// The change from what `old` served to the summaries read: folders written after old's
// version are changed (when old had their path or id) or added; old's folders gone (path and
// id) are removed. A version below old's (the project removed and added again) counts every
// folder as written.
ChangeEvent event_between(const std::string &project_id, const Served &old,
                          const detail::ProjectSummaries &now) {
  const auto old_paths = old.snapshot ? paths_of(*old.snapshot) : old.paths;
  const std::uint64_t since = now.version < old.version ? 0 : old.version;
  std::unordered_set<std::string_view> before(old_paths->begin(), old_paths->end()), before_ids,
      after, after_ids;
  for (const auto &path : *old_paths)
    before_ids.insert(id_of(path));
  ChangeEvent event;
  event.project_id = project_id;
  event.version = now.version;
  for (std::size_t i = 0; i < now.specs.size(); ++i) {
    const Spec &spec = now.specs[i];
    after.insert(spec.path);
    after_ids.insert(spec.id);
    if (now.written_versions[i] > since)
      (before.contains(spec.path) || before_ids.contains(spec.id) ? event.changed : event.added)
          .push_back(spec.id);
  }
  for (const auto &path : *old_paths)
    if (!after.contains(path) && !after_ids.contains(id_of(path)))
      event.removed.emplace_back(id_of(path));
  return event;
}

bool is_empty(const ChangeEvent &event) {
  return event.added.empty() && event.changed.empty() && event.removed.empty();
}

// A project's summaries as a Snapshot (ref resolution, list, stats, relationships).
std::shared_ptr<const detail::Snapshot> summary_snapshot(const detail::ProjectSummaries &project) {
  std::vector<SpecPtr> specs;
  specs.reserve(project.specs.size());
  for (const Spec &spec : project.specs)
    specs.push_back(std::make_shared<const Spec>(spec));
  return std::make_shared<const detail::Snapshot>(project.project_id, std::move(specs),
                                                  std::vector<Diagnostic>{});
}

// The project's snapshot after `old` (null: none yet), and the change event between the two.
// Only the folders written after old's version are read and parsed (in parallel when there
// are many); every other spec is old's SpecPtr, shared. A folder the delta says is unchanged
// but `old` lacks (old came from another life of the project) makes it a full read.
std::pair<std::shared_ptr<const Served>, ChangeEvent>
load_snapshot(detail::Store &store, const std::string &project_id, const Served *old) {
  const detail::SnapshotDelta delta = store.specs_since(project_id, old ? old->version : 0);
  std::unordered_map<std::string_view, SpecPtr> old_by_path;
  std::unordered_set<std::string_view> old_ids;
  if (old)
    for (const auto &spec : old->snapshot->specs()) {
      old_by_path.emplace(spec->path, spec);
      old_ids.insert(spec->id);
    }
  std::unordered_map<std::string_view, const detail::StoredSpec *> written;
  for (const auto &stored : delta.written)
    written.emplace(stored.path, &stored);

  std::vector<SpecPtr> specs(delta.paths.size());
  std::vector<std::pair<std::size_t, const detail::StoredSpec *>> to_parse;
  for (std::size_t i = 0; i < delta.paths.size(); ++i) {
    if (const auto w = written.find(delta.paths[i]); w != written.end()) {
      to_parse.emplace_back(i, w->second);
    } else if (const auto o = old_by_path.find(delta.paths[i]); o != old_by_path.end()) {
      specs[i] = o->second;
    } else {
      return load_snapshot(store, project_id, nullptr);
    }
  }
  for (const auto &[index, folder] : to_parse) // on this thread, as parse_folders
    specs[index] = std::make_shared<const Spec>(detail::parse_stored(*folder));

  ChangeEvent event;
  event.project_id = project_id;
  event.version = delta.version;
  std::unordered_set<std::string_view> new_paths(delta.paths.begin(), delta.paths.end()), new_ids;
  for (const auto &[index, stored] : to_parse) {
    const Spec &spec = *specs[index];
    new_ids.insert(spec.id);
    const bool known = old_by_path.contains(spec.path) || old_ids.contains(spec.id);
    (known ? event.changed : event.added).push_back(spec.id);
  }
  for (const auto &spec : specs)
    new_ids.insert(spec->id);
  for (const auto &[path, spec] : old_by_path)
    if (!new_paths.contains(path) && !new_ids.contains(spec->id))
      event.removed.push_back(spec->id);

  auto served = std::make_shared<Served>();
  served->version = delta.version;
  served->checked = Clock::now();
  served->snapshot = std::make_shared<const detail::Snapshot>(project_id, std::move(specs),
                                                              std::vector<Diagnostic>{});
  served->bytes = served->snapshot->memory_bytes();
  return {std::move(served), std::move(event)};
}

} // namespace

std::string_view to_string(WriteMode mode) noexcept {
  switch (mode) {
  case WriteMode::commit:
    return "commit";
  case WriteMode::pull_request:
    return "pull_request";
  }
  return {};
}

std::optional<WriteMode> write_mode_from(std::string_view text) noexcept {
  if (text == "commit")
    return WriteMode::commit;
  if (text == "pull_request")
    return WriteMode::pull_request;
  return std::nullopt;
}

namespace {

RegisteredProject to_registered(const detail::ProjectRecord &r) {
  RegisteredProject p;
  p.id = r.id;
  p.branch = r.branch;
  p.specs_path = r.specs_path;
  p.sync_interval = r.sync_interval;
  p.sync_state = r.interrupted_at ? "interrupted" : r.sync_state;
  p.sync_interrupted_at = r.interrupted_at;
  p.sync_error = r.sync_error;
  p.commit_sha = r.commit_sha;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  p.last_commit = p.commit_sha; // the deprecated alias, for one release
#pragma GCC diagnostic pop
  p.last_synced_at = r.last_synced_at;
  p.snapshot_version = r.snapshot_version;
  p.spec_count = r.spec_count;
  p.write_mode = r.write_mode;
  return p;
}

// What a cold read answers from: the summaries as a snapshot, and the folders it read whole,
// parsed, by path.
struct ColdView {
  std::shared_ptr<const detail::Snapshot> summaries;
  std::unordered_map<std::string, SpecPtr> full;
  SpecPtr full_spec(const SpecPtr &summary) const {
    const auto found = full.find(summary->path);
    return found == full.end() ? nullptr : found->second;
  }
};

} // namespace

struct DatabaseSource::Impl {
  DatabaseOptions options;
  std::unique_ptr<detail::Store> store;
  std::mutex slots_mutex; // guards `slots` (the map only; each slot is lock-free to read)
  std::unordered_map<std::string, std::shared_ptr<ProjectSlot>> slots;
  // Guards every change of a slot between hot and cold (so of `served`), `hot_bytes` and each
  // slot's `bytes`. Taken before slots_mutex, never while calling the store.
  std::mutex cache_mutex;
  std::size_t hot_bytes = 0, hot_projects = 0;
  std::size_t dropped_bytes = 0; // guarded by cache_mutex: snapshots let go of since a trim

  std::string resolve(std::string_view requested) const {
    if (!requested.empty())
      return std::string(requested);
    if (!options.project_id.empty())
      return options.project_id;
    const auto all = store->projects();
    if (all.size() == 1)
      return all.front().id;
    throw Error(ErrorCode::invalid_argument,
                all.empty() ? std::string("no project is registered in the database")
                            : "a project id is needed: " + std::to_string(all.size()) +
                                  " projects are registered");
  }

  std::shared_ptr<ProjectSlot> slot(const std::string &id) {
    const std::lock_guard lock(slots_mutex);
    auto &entry = slots[id];
    if (!entry)
      entry = std::make_shared<ProjectSlot>(id);
    return entry;
  }

  bool fresh(const Served &served) const { return Clock::now() - served.checked < options.recheck; }

  // --- the budget -------------------------------------------------------------------------

  // Makes `next` what the project serves. A snapshot larger than the whole budget is not kept
  // (the project stays cold); room for a kept one is made by cooling the least recently read
  // other hot projects.
  void publish(ProjectSlot &project, std::shared_ptr<const Served> next) {
    Dropped dropped;
    const std::lock_guard lock(cache_mutex); // released before `dropped` goes
    if (next && next->snapshot && next->bytes > options.cache_bytes)
      next = cooled(*next);
    const std::size_t bytes = next && next->snapshot ? next->bytes : 0;
    while (hot_bytes - project.bytes + bytes > options.cache_bytes && evict_one(project, dropped)) {
    }
    const auto kept = next ? next->snapshot : nullptr;
    auto old = project.served.exchange(std::move(next));
    if (old && old->snapshot && old->snapshot != kept)
      drop(dropped, std::move(old), project.bytes);
    hot_bytes = hot_bytes - project.bytes + bytes;
    hot_projects = hot_projects - (project.bytes > 0) + (bytes > 0);
    project.bytes = bytes;
    if (bytes > 0)
      project.kept_bytes = bytes;
  }

  // Before `project` is loaded whole: cools the least recently read other hot projects until
  // the snapshot it is expected to make fits (the size it had when last kept, or the mean of
  // those kept), so that the load's own allocations (the folders read, the snapshot parsed)
  // do not come on top of a full budget.
  void make_room(ProjectSlot &project) {
    Dropped dropped;
    const std::lock_guard lock(cache_mutex); // released before `dropped` goes
    const std::size_t expected = project.kept_bytes ? project.kept_bytes
                                 : hot_projects     ? hot_bytes / hot_projects
                                                    : 0;
    while (hot_bytes - project.bytes + expected > options.cache_bytes &&
           evict_one(project, dropped)) {
    }
  }

  // Adds `served`, a kept snapshot of `bytes`, to what `dropped` frees; due a trim once an eighth
  // of the budget has gone. The caller holds cache_mutex.
  void drop(Dropped &dropped, std::shared_ptr<const Served> served, std::size_t bytes) {
    dropped.served.push_back(std::move(served));
    dropped_bytes += bytes;
    if (bytes > 0 && dropped_bytes >= options.cache_bytes / 8) {
      dropped.trim = true;
      dropped_bytes = 0;
    }
  }

  // Cools the least recently read hot project other than `keep` (what it served goes to
  // `dropped`); false when there is none. The caller holds cache_mutex.
  bool evict_one(const ProjectSlot &keep, Dropped &dropped) {
    std::shared_ptr<ProjectSlot> victim;
    {
      const std::lock_guard lock(slots_mutex);
      for (const auto &[id, project] : slots)
        if (project.get() != &keep && project->bytes > 0 &&
            (!victim || project->last_used.load(std::memory_order_relaxed) <
                            victim->last_used.load(std::memory_order_relaxed)))
          victim = project;
    }
    if (!victim)
      return false;
    if (const auto served = victim->served.load())
      drop(dropped, victim->served.exchange(cooled(*served)), victim->bytes);
    hot_bytes -= victim->bytes;
    --hot_projects;
    victim->bytes = 0;
    return true;
  }

  // The project is no longer served: its bytes are given back.
  void release(ProjectSlot &project) {
    Dropped dropped;
    const std::lock_guard lock(cache_mutex); // released before `dropped` goes
    drop(dropped, project.served.exchange(nullptr), project.bytes);
    hot_bytes -= project.bytes;
    hot_projects -= project.bytes > 0;
    project.bytes = 0;
  }

  // Admission: true on a cold project's second read within admission_window (the caller holds
  // project.refresh). Nothing is admitted when the budget is 0.
  bool admit(ProjectSlot &project) {
    if (options.cache_bytes == 0 || project.too_large > options.cache_bytes)
      return false; // a snapshot larger than the whole budget is not loaded again and again
    const auto now = Clock::now();
    if (project.last_cold_read != Clock::time_point{} &&
        now - project.last_cold_read < admission_window)
      return true;
    project.last_cold_read = now;
    return false;
  }

  // --- hot projects -----------------------------------------------------------------------

  // The project's kept snapshot, checked against the stored version at most every `recheck`;
  // null when the project is served cold. A cold project admitted on this read is loaded whole.
  std::shared_ptr<const detail::Snapshot> hot(ProjectSlot &project) {
    project.last_used.store(Clock::now().time_since_epoch().count(), std::memory_order_relaxed);
    auto served = project.served.load();
    if (served && served->snapshot && fresh(*served))
      return served->snapshot;
    const std::lock_guard lock(project.refresh);
    served = project.served.load();
    if (served && served->snapshot)
      return fresh(*served) ? served->snapshot : refresh(project)->snapshot;
    if (!admit(project))
      return nullptr;
    return promote(project);
  }

  // Reads the stored version and, when it moved, what was written since; publishes the change
  // event (after the new snapshot is visible). The caller holds project.refresh, so events of
  // a project go out in version order. Returns what was read, even when it is too large to keep.
  // @throws Error not_found for an unknown project
  std::shared_ptr<const Served> refresh(ProjectSlot &project) {
    const auto served = project.served.load();
    const std::uint64_t version = store->snapshot_version(project.id);
    if (served && served->version == version) {
      auto same = std::make_shared<Served>(*served);
      same->checked = Clock::now();
      publish(project, same);
      return same;
    }
    auto [next, event] = load_snapshot(*store, project.id, served.get());
    publish(project, next);
    if (served && !is_empty(event))
      notifier.publish(std::move(event));
    return next;
  }

  // Loads a cold project whole (one transaction) and keeps it if the budget allows.
  std::shared_ptr<const detail::Snapshot> promote(ProjectSlot &project) {
    make_room(project);
    const auto read = store->read_summaries(
        {false, {project.id}},
        [](const auto &projects) {
          std::vector<std::pair<std::size_t, std::string>> all;
          for (const Spec &spec : projects.front().specs)
            all.emplace_back(0, spec.path);
          return all;
        },
        detail::WithBodies::no);
    auto next = std::make_shared<Served>();
    next->version = read.projects.front().version;
    next->checked = Clock::now();
    next->snapshot = std::make_shared<const detail::Snapshot>(
        project.id, parse_folders(read.folders.front()), std::vector<Diagnostic>{});
    next->bytes = next->snapshot->memory_bytes();
    if (next->bytes > options.cache_bytes)
      project.too_large = next->bytes;
    const auto old = project.served.load();
    publish(project, next);
    if (old && read.projects.front().version > old->version)
      if (auto event = event_between(project.id, *old, read.projects.front()); !is_empty(event))
        notifier.publish(std::move(event));
    return next->snapshot;
  }

  // --- cold projects ----------------------------------------------------------------------

  // Records the version a cold read found (the caller holds project.refresh): the first read
  // of a project makes it served; a later version publishes its change event. A hot project is
  // left to its own refresh.
  void note(ProjectSlot &project, const detail::ProjectSummaries &read) {
    const auto served = project.served.load();
    if (served && (served->snapshot || read.version <= served->version))
      return;
    auto next = std::make_shared<Served>();
    next->version = read.version;
    next->checked = Clock::now();
    auto paths = std::make_shared<std::vector<std::string>>();
    for (const Spec &spec : read.specs)
      paths->push_back(spec.path);
    next->paths = std::move(paths);
    project.too_large = 0; // a new version may fit
    publish(project, next);
    if (served)
      if (auto event = event_between(project.id, *served, read); !is_empty(event))
        notifier.publish(std::move(event));
  }

  // read_summaries of one project; a project never served that turns out unknown leaves no
  // slot behind (ids a caller makes up do not grow the map).
  detail::SummaryRead read_or_drop(ProjectSlot &project, const detail::FolderPick &pick,
                                   detail::WithBodies bodies) {
    try {
      return store->read_summaries({false, {project.id}}, pick, bodies);
    } catch (const Error &e) {
      if (e.code() == ErrorCode::not_found)
        drop_if_unserved(project);
      throw;
    }
  }

  void drop_if_unserved(ProjectSlot &project) {
    if (project.served.load())
      return;
    const std::lock_guard lock(slots_mutex);
    if (const auto found = slots.find(project.id);
        found != slots.end() && found->second.get() == &project)
      slots.erase(found);
  }

  // Answers from project `project`'s summaries (with their bodies when `bodies`): `pick` chooses
  // from them (as a snapshot) the folders to read whole, in the same transaction; the version
  // read is noted.
  ColdView cold(ProjectSlot &project,
                const std::function<std::vector<std::string>(const detail::Snapshot &)> &pick,
                detail::WithBodies bodies = detail::WithBodies::no) {
    ColdView view;
    const auto read = read_or_drop(
        project,
        [&](const auto &projects) {
          view.summaries = summary_snapshot(projects.front());
          std::vector<std::pair<std::size_t, std::string>> folders;
          for (std::string &path : pick(*view.summaries))
            folders.emplace_back(0, std::move(path));
          return folders;
        },
        bodies);
    const auto specs = parse_folders(read.folders.front());
    for (const auto &spec : specs)
      view.full.emplace(spec->path, spec);
    {
      const std::lock_guard lock(project.refresh);
      note(project, read.projects.front());
    }
    return view;
  }

  // The project's whole snapshot: the kept one, or one read and parsed for this call only.
  std::shared_ptr<const detail::Snapshot> whole(std::string_view requested) {
    const auto project = slot(resolve(requested));
    if (auto snapshot = hot(*project))
      return snapshot;
    std::shared_ptr<const detail::Snapshot> snapshot;
    const auto view = cold(*project, [](const detail::Snapshot &summaries) {
      std::vector<std::string> all;
      for (const auto &spec : summaries.specs())
        all.push_back(spec->path);
      return all;
    });
    std::vector<SpecPtr> specs;
    for (const auto &[path, spec] : view.full)
      specs.push_back(spec);
    return std::make_shared<const detail::Snapshot>(view.summaries->project_id(), std::move(specs),
                                                    std::vector<Diagnostic>{});
  }

  // Search over one project, in memory: over a hot project's snapshot and its kept index;
  // over a cold project's summaries read with their bodies, through an index of only the
  // query's terms (Snapshot::search_once), reading whole only the page's folders, in the same
  // transaction: the same hits, scores and snippets either way, and nothing parsed but the
  // page. (The store's full-text search, src/db/search/, answers project sets; it ranks ties in
  // another order (docs/SEARCH.md), so a project's pages would change order as it turns hot or
  // cold.)
  std::shared_ptr<const SearchResult> search_one(const SearchQuery &query) {
    const auto project = slot(resolve(query.project_id));
    if (const auto snapshot = hot(*project)) {
      const bool had_index = snapshot->has_search_index();
      auto result = snapshot->search(query);
      if (!had_index) // the index now counts in the snapshot's bytes, if it is kept
        recount(*project, snapshot);
      return result;
    }
    std::shared_ptr<SearchResult> result;
    const auto view = cold(
        *project,
        [&](const detail::Snapshot &summaries) {
          result = std::make_shared<SearchResult>(*summaries.search_once(query));
          std::vector<std::string> paths;
          for (const SearchHit &hit : result->hits)
            paths.push_back(hit.spec->path);
          return paths;
        },
        detail::WithBodies::yes);
    for (SearchHit &hit : result->hits)
      if (auto full = view.full_spec(hit.spec))
        hit.spec = std::move(full);
    return result;
  }

  void recount(ProjectSlot &project, const std::shared_ptr<const detail::Snapshot> &snapshot) {
    const std::lock_guard lock(project.refresh);
    const auto served = project.served.load();
    if (!served || served->snapshot != snapshot)
      return;
    auto next = std::make_shared<Served>(*served);
    next->bytes = snapshot->memory_bytes();
    publish(project, next);
  }

  // --- project sets -----------------------------------------------------------------------

  // Answers from the summaries of every project in `set` (one transaction): `pick` chooses
  // from them (as snapshots) the (project, path) folders to read whole.
  struct SetView {
    std::vector<std::shared_ptr<const detail::Snapshot>> summaries;
    std::map<std::pair<std::string, std::string>, SpecPtr> full; // (project, path)
  };
  SetView cold_set(const detail::ProjectSet &set,
                   const std::function<std::vector<std::pair<std::string, std::string>>(
                       const std::vector<std::shared_ptr<const detail::Snapshot>> &)> &pick) {
    SetView view;
    const auto read = store->read_summaries(
        set,
        [&](const auto &projects) {
          std::unordered_map<std::string_view, std::size_t> index;
          for (const auto &project : projects) {
            index.emplace(project.project_id, view.summaries.size());
            view.summaries.push_back(summary_snapshot(project));
          }
          std::vector<std::pair<std::size_t, std::string>> folders;
          for (auto &[project, path] : pick(view.summaries))
            folders.emplace_back(index.at(project), std::move(path));
          return folders;
        },
        detail::WithBodies::no);
    for (std::size_t i = 0; i < read.projects.size(); ++i)
      for (const auto &spec : parse_folders(read.folders[i]))
        view.full.emplace(std::pair(read.projects[i].project_id, spec->path), spec);
    return view;
  }

  std::shared_ptr<const SpecList> list_set(const detail::ProjectSet &set, const ListQuery &query) {
    std::shared_ptr<const SpecList> page;
    const auto view = cold_set(set, [&](const auto &summaries) {
      page = detail::Snapshot::list_over(summaries, query);
      std::vector<std::pair<std::string, std::string>> folders;
      for (std::size_t i = 0; i < page->specs.size(); ++i)
        folders.emplace_back(page->project_ids[i], page->specs[i]->path);
      return folders;
    });
    auto out = std::make_shared<SpecList>(*page);
    for (std::size_t i = 0; i < out->specs.size(); ++i)
      if (const auto found = view.full.find({out->project_ids[i], out->specs[i]->path});
          found != view.full.end())
        out->specs[i] = found->second;
    return out;
  }

  // --- change events ----------------------------------------------------------------------

  // The watching thread: refreshes the served projects a listener says may have changed, so
  // that subscribers hear of other processes' writes without anyone reading.
  void watch(const std::stop_token &stop) {
    while (!stop.stop_requested()) {
      const detail::StoreChanges changes = listener->wait(std::chrono::seconds(1));
      if (stop.stop_requested())
        return;
      if (changes.empty())
        continue;
      std::vector<std::shared_ptr<ProjectSlot>> targets;
      {
        const std::lock_guard lock(slots_mutex);
        for (const auto &[id, project] : slots)
          if (changes.any || std::find(changes.projects.begin(), changes.projects.end(), id) !=
                                 changes.projects.end())
            targets.push_back(project);
      }
      for (const auto &project : targets) {
        try {
          const std::lock_guard lock(project->refresh);
          const auto served = project->served.load();
          if (served && served->snapshot)
            refresh(*project);
          else if (served && store->snapshot_version(project->id) != served->version)
            note(*project, store
                               ->read_summaries(
                                   {false, {project->id}},
                                   [](const auto &) {
                                     return std::vector<std::pair<std::size_t, std::string>>{};
                                   },
                                   detail::WithBodies::no)
                               .projects.front());
        } catch (const Error &e) {
          if (e.code() == ErrorCode::not_found)
            forget(*project); // removed by another process
          // Other failures (the database is down): the next change or read tries again.
        } catch (...) {
        }
      }
    }
  }

  // A project removed elsewhere: every spec it served is reported removed, and it is dropped.
  void forget(ProjectSlot &project) {
    const auto served = project.served.load();
    release(project);
    {
      const std::lock_guard lock(slots_mutex);
      slots.erase(project.id);
    }
    if (!served)
      return;
    ChangeEvent event;
    event.project_id = project.id;
    event.version = served->version + 1;
    const auto paths = served->snapshot ? paths_of(*served->snapshot) : served->paths;
    for (const auto &path : *paths)
      event.removed.emplace_back(id_of(path));
    notifier.publish(std::move(event));
  }

  // Marked for a version check, not dropped: the refresh (by the next read, or by the watcher
  // when the store's listener reports the write) reads only what changed and publishes the
  // change event, so this process's subscribers and cache hear of its own sync as other
  // processes do. A dropped snapshot would be reloaded whole and silently. A cold project needs
  // nothing: its reads go to the store, and note the new version.
  void mark_stale(std::string_view project_id) {
    const auto project = slot(std::string(project_id));
    const std::lock_guard lock(project->refresh); // not over a newer snapshot the watcher stores
    if (auto served = project->served.load(); served && served->snapshot) {
      auto stale = std::make_shared<Served>(*served);
      stale->checked = {};
      publish(*project, std::move(stale));
    }
  }

  void start_watching() {
    const std::lock_guard lock(watch_mutex);
    if (watcher.joinable())
      return;
    listener = store->listen();
    watcher = std::jthread([this](std::stop_token stop) { watch(stop); });
  }

  std::size_t kept_bytes() {
    const std::lock_guard lock(cache_mutex);
    return hot_bytes;
  }

  ~Impl() {
    if (watcher.joinable()) {
      watcher.request_stop();
      listener->interrupt();
      watcher.join();
    }
  }

  detail::ChangeNotifier notifier;
  std::mutex watch_mutex; // guards starting the watcher
  std::unique_ptr<detail::ChangeListener> listener;
  std::jthread watcher; // declared last: stopped first
};

DatabaseSource::DatabaseSource(DatabaseOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->store = detail::Store::open(impl_->options.database_url, impl_->options.create_if_missing);
  detail::DatabaseSourceAccess::enter(
      *this,
      {impl_->store.get(), [impl = impl_.get()](std::string_view id) { impl->mark_stale(id); },
       [impl = impl_.get()] { return impl->kept_bytes(); }});
}

DatabaseSource::~DatabaseSource() { detail::DatabaseSourceAccess::leave(*this); }

std::string DatabaseSource::description() const { return impl_->store->description(); }

void DatabaseSource::add_project(const RegisteredProject &project) {
  detail::ProjectRecord record;
  record.id = project.id;
  if (const auto slash = project.id.find('/'); slash != std::string::npos) {
    record.owner = project.id.substr(0, slash);
    record.repo = project.id.substr(slash + 1);
  }
  record.branch = project.branch;
  record.specs_path = project.specs_path;
  record.sync_interval = project.sync_interval;
  record.write_mode = project.write_mode;
  impl_->store->add_project(record);
}

void DatabaseSource::update_project(std::string_view id, const ProjectPatch &patch) {
  impl_->store->update_project(id, patch);
}

bool DatabaseSource::remove_project(std::string_view id) {
  const bool removed = impl_->store->remove_project(id);
  std::shared_ptr<ProjectSlot> project;
  {
    const std::lock_guard lock(impl_->slots_mutex);
    if (const auto found = impl_->slots.find(std::string(id)); found != impl_->slots.end())
      project = found->second;
  }
  if (project) {
    impl_->release(*project);
    const std::lock_guard lock(impl_->slots_mutex);
    impl_->slots.erase(std::string(id));
  }
  return removed;
}

std::vector<RegisteredProject> DatabaseSource::registered_projects() const {
  std::vector<RegisteredProject> out;
  for (const auto &record : impl_->store->projects())
    out.push_back(to_registered(record));
  return out;
}

ImportResult DatabaseSource::import_directory(std::string_view project_id,
                                              const std::filesystem::path &specs_dir) {
  if (!impl_->store->project(project_id))
    throw Error(ErrorCode::not_found, "project '" + std::string(project_id) +
                                          "' is not registered (leanspec project add)");
  FilesystemOptions options = discover_options(specs_dir.parent_path());
  options.specs_dir = specs_dir;
  std::vector<detail::StoredSpec> specs;
  for (auto &folder : detail::read_spec_folders(options)) {
    detail::StoredSpec stored;
    stored.path = std::move(folder.folder);
    for (auto &[name, bytes] : folder.files)
      stored.files.push_back({std::move(name), std::move(bytes), {}});
    specs.push_back(std::move(stored));
  }
  const auto result = impl_->store->replace_specs(project_id, specs);
  // Its own writes show at once: the next read checks the version (and reads what changed).
  impl_->mark_stale(project_id);
  return {result.added, result.updated, result.removed, result.version};
}

std::vector<Project> DatabaseSource::projects() const {
  std::vector<Project> out;
  for (const auto &record : impl_->store->projects())
    out.push_back({record.id, record.id, record.specs_path});
  return out;
}

std::shared_ptr<const SpecList> DatabaseSource::list(const ListQuery &query) const {
  if (const auto set = detail::parse_project_set(query.project_id))
    return impl_->list_set(*set, query);
  const auto project = impl_->slot(impl_->resolve(query.project_id));
  if (const auto snapshot = impl_->hot(*project))
    return snapshot->list(query);
  std::shared_ptr<const SpecList> page;
  const auto view = impl_->cold(*project, [&](const detail::Snapshot &summaries) {
    page = summaries.list(query);
    std::vector<std::string> paths;
    for (const auto &spec : page->specs)
      paths.push_back(spec->path);
    return paths;
  });
  auto out = std::make_shared<SpecList>(*page);
  for (auto &spec : out->specs)
    if (auto full = view.full_spec(spec))
      spec = std::move(full);
  return out;
}

SpecPtr DatabaseSource::get(std::string_view ref, std::string_view project_id) const {
  const auto project = impl_->slot(impl_->resolve(project_id));
  if (const auto snapshot = impl_->hot(*project))
    return snapshot->get(ref);
  SpecPtr summary;
  const auto view = impl_->cold(*project, [&](const detail::Snapshot &summaries) {
    summary = summaries.get(ref);
    return summary ? std::vector<std::string>{summary->path} : std::vector<std::string>{};
  });
  return summary ? view.full_spec(summary) : nullptr;
}

std::shared_ptr<const SearchResult> DatabaseSource::search(const SearchQuery &query) const {
  if (const auto set = detail::parse_project_set(query.project_id)) // "*" or "a,b": in SQL
    return std::make_shared<const SearchResult>(detail::search_database(
        *impl_->store, set->all ? std::vector<std::string>{} : set->ids, query));
  return impl_->search_one(query);
}

std::shared_ptr<const Stats> DatabaseSource::stats(std::string_view project_id) const {
  if (const auto set = detail::parse_project_set(project_id))
    return detail::Snapshot::stats_over(
        impl_
            ->cold_set(
                *set,
                [](const auto &) { return std::vector<std::pair<std::string, std::string>>{}; })
            .summaries);
  const auto project = impl_->slot(impl_->resolve(project_id));
  if (const auto snapshot = impl_->hot(*project))
    return snapshot->stats();
  return impl_->cold(*project, [](const auto &) { return std::vector<std::string>{}; })
      .summaries->stats();
}

std::shared_ptr<const Relationships>
DatabaseSource::relationships(std::string_view ref, std::string_view project_id) const {
  const auto project = impl_->slot(impl_->resolve(project_id));
  if (const auto snapshot = impl_->hot(*project))
    return snapshot->relationships(ref);
  return impl_->cold(*project, [](const auto &) { return std::vector<std::string>{}; })
      .summaries->relationships(ref);
}

std::shared_ptr<const std::vector<Diagnostic>>
DatabaseSource::validate(std::string_view project_id) const {
  return impl_->whole(project_id)->validate();
}

Subscription DatabaseSource::subscribe(ChangeCallback callback) const {
  Subscription subscription = impl_->notifier.subscribe(std::move(callback));
  impl_->start_watching();
  return subscription;
}

std::shared_ptr<DatabaseSource> make_database_source(DatabaseOptions options) {
  return std::make_shared<DatabaseSource>(std::move(options));
}

namespace detail {

namespace {

// Every live DatabaseSource, by address: filled and emptied by its constructor and destructor.
// First used by a constructor, so destroyed after every source that used it.
struct Registry {
  std::mutex mutex;
  std::unordered_map<const DatabaseSource *, DatabaseSourceAccess::Entry> entries;
};

Registry &registry() {
  static Registry instance;
  return instance;
}

DatabaseSourceAccess::Entry entry_of(const DatabaseSource &source) {
  Registry &r = registry();
  const std::lock_guard lock(r.mutex);
  const auto it = r.entries.find(&source);
  if (it == r.entries.end())
    throw Error(ErrorCode::internal, "a DatabaseSource that is not registered");
  return it->second;
}

} // namespace

void DatabaseSourceAccess::enter(const DatabaseSource &source, Entry entry) {
  Registry &r = registry();
  const std::lock_guard lock(r.mutex);
  r.entries.insert_or_assign(&source, std::move(entry));
}

void DatabaseSourceAccess::leave(const DatabaseSource &source) noexcept {
  Registry &r = registry();
  const std::lock_guard lock(r.mutex);
  r.entries.erase(&source);
}

Store &DatabaseSourceAccess::store(const DatabaseSource &source) { return *entry_of(source).store; }

void DatabaseSourceAccess::invalidate(const DatabaseSource &source, std::string_view project_id) {
  entry_of(source).invalidate(project_id);
}

std::size_t DatabaseSourceAccess::kept_bytes(const DatabaseSource &source) {
  return entry_of(source).kept_bytes();
}

} // namespace detail

} // namespace leanspec
