// Implements include/leanspec/database_source.hpp: a Store (src/db/store.hpp) behind the
// SpecSource interface. Each project's stored snapshot is parsed into a core Snapshot, kept
// in an atomic shared_ptr with the stored version it came from; reads check that version at
// most every `recheck` and, when it moved, read and parse only the folders written since.
#include "core/change_notifier.hpp"
#include "db/database_source_access.hpp"
#include "db/search/database_search.hpp"
#include "db/spec_rows.hpp"
#include "db/store.hpp"
#include "model/spec_parser.hpp"
#include "snapshot/snapshot.hpp"
#include "tree/spec_folders.hpp"

#include <algorithm>
#include <atomic>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace leanspec {

namespace {

using Clock = std::chrono::steady_clock;

// One project's snapshot as served, and when its stored version was last looked at.
struct Served {
  std::shared_ptr<const detail::Snapshot> snapshot;
  std::uint64_t version = 0;
  Clock::time_point checked;
};

struct ProjectSlot {
  std::atomic<std::shared_ptr<const Served>> served;
  std::mutex refresh; // one reload per project at a time
};

Spec parse_stored(const detail::StoredSpec &stored) {
  std::optional<std::string_view> readme;
  std::vector<std::pair<std::string, std::string>> sub_files;
  for (const auto &file : stored.files) {
    if (file.name == "README.md")
      readme = file.content;
    else
      sub_files.emplace_back(file.name, file.content);
  }
  return detail::parse_spec_files(stored.path, readme, std::move(sub_files), {}, nullptr);
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
  detail::for_each_parallel(to_parse.size(), 32, [&](std::size_t k) {
    specs[to_parse[k].first] = std::make_shared<const Spec>(parse_stored(*to_parse[k].second));
  });

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
  return {std::move(served), std::move(event)};
}

RegisteredProject to_registered(const detail::ProjectRecord &r, std::size_t spec_count) {
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
  p.spec_count = spec_count;
  return p;
}

} // namespace

struct DatabaseSource::Impl {
  DatabaseOptions options;
  std::unique_ptr<detail::Store> store;
  std::mutex slots_mutex; // guards `slots` (the map only; each slot is lock-free to read)
  std::unordered_map<std::string, std::shared_ptr<ProjectSlot>> slots;

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
      entry = std::make_shared<ProjectSlot>();
    return entry;
  }

  std::shared_ptr<const detail::Snapshot> current(std::string_view requested) {
    const std::string id = resolve(requested);
    const auto project = slot(id);
    auto served = project->served.load();
    if (served && Clock::now() - served->checked < options.recheck)
      return served->snapshot;
    const std::lock_guard lock(project->refresh);
    served = project->served.load();
    if (served && Clock::now() - served->checked < options.recheck)
      return served->snapshot; // another caller refreshed it meanwhile
    return refresh(*project, id)->snapshot;
  }

  // Reads the stored version and, when it moved, what was written since; publishes the change
  // event (after the new snapshot is visible). The caller holds project.refresh, so events of
  // a project go out in version order. @throws Error not_found for an unknown project
  std::shared_ptr<const Served> refresh(ProjectSlot &project, const std::string &id) {
    const auto served = project.served.load();
    const std::uint64_t version = store->snapshot_version(id);
    if (served && served->version == version) {
      auto same = std::make_shared<Served>(*served);
      same->checked = Clock::now();
      project.served.store(same);
      return same;
    }
    auto [next, event] = load_snapshot(*store, id, served.get());
    project.served.store(next);
    if (served && !(event.added.empty() && event.changed.empty() && event.removed.empty()))
      notifier.publish(std::move(event));
    return next;
  }

  // The watching thread: refreshes the served projects a listener says may have changed, so
  // that subscribers hear of other processes' writes without anyone reading.
  void watch(const std::stop_token &stop) {
    while (!stop.stop_requested()) {
      const detail::StoreChanges changes = listener->wait(std::chrono::seconds(1));
      if (stop.stop_requested())
        return;
      if (changes.empty())
        continue;
      std::vector<std::pair<std::string, std::shared_ptr<ProjectSlot>>> targets;
      {
        const std::lock_guard lock(slots_mutex);
        for (const auto &[id, project] : slots)
          if (changes.any || std::find(changes.projects.begin(), changes.projects.end(), id) !=
                                 changes.projects.end())
            targets.emplace_back(id, project);
      }
      for (const auto &[id, project] : targets) {
        try {
          const std::lock_guard lock(project->refresh);
          if (project->served.load())
            refresh(*project, id);
        } catch (const Error &e) {
          if (e.code() == ErrorCode::not_found)
            forget(id, *project); // removed by another process
          // Other failures (the database is down): the next change or read tries again.
        } catch (...) {
        }
      }
    }
  }

  // A project removed elsewhere: every spec it served is reported removed, and it is dropped.
  void forget(const std::string &id, ProjectSlot &project) {
    const auto served = project.served.exchange(nullptr);
    {
      const std::lock_guard lock(slots_mutex);
      slots.erase(id);
    }
    if (!served)
      return;
    ChangeEvent event;
    event.project_id = id;
    event.version = served->version + 1;
    for (const auto &spec : served->snapshot->specs())
      event.removed.push_back(spec->id);
    notifier.publish(std::move(event));
  }

  // Marked for a version check, not dropped: the refresh (by the next read, or by the watcher
  // when the store's listener reports the write) reads only what changed and publishes the
  // change event, so this process's subscribers and cache hear of its own sync as other
  // processes do. A dropped snapshot would be reloaded whole and silently.
  void mark_stale(std::string_view project_id) {
    const auto project = slot(std::string(project_id));
    const std::lock_guard lock(project->refresh); // not over a newer snapshot the watcher stores
    if (auto served = project->served.load()) {
      auto stale = std::make_shared<Served>(*served);
      stale->checked = {};
      project->served.store(std::move(stale));
    }
  }

  void start_watching() {
    const std::lock_guard lock(watch_mutex);
    if (watcher.joinable())
      return;
    listener = store->listen();
    watcher = std::jthread([this](std::stop_token stop) { watch(stop); });
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
      {impl_->store.get(), [impl = impl_.get()](std::string_view id) { impl->mark_stale(id); }});
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
  impl_->store->add_project(record);
}

void DatabaseSource::update_project(std::string_view id, const ProjectPatch &patch) {
  impl_->store->update_project(id, patch);
}

bool DatabaseSource::remove_project(std::string_view id) {
  const bool removed = impl_->store->remove_project(id);
  const std::lock_guard lock(impl_->slots_mutex);
  impl_->slots.erase(std::string(id));
  return removed;
}

std::vector<RegisteredProject> DatabaseSource::registered_projects() const {
  std::vector<RegisteredProject> out;
  for (const auto &record : impl_->store->projects())
    out.push_back(to_registered(record, impl_->current(record.id)->specs().size()));
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
  const auto slot = impl_->slot(std::string(project_id));
  if (auto served = slot->served.load()) {
    auto stale = std::make_shared<Served>(*served);
    stale->checked = {};
    slot->served.store(std::move(stale));
  }
  return {result.added, result.updated, result.removed, result.version};
}

std::vector<Project> DatabaseSource::projects() const {
  std::vector<Project> out;
  for (const auto &record : impl_->store->projects())
    out.push_back({record.id, record.id, record.specs_path});
  return out;
}

std::shared_ptr<const SpecList> DatabaseSource::list(const ListQuery &query) const {
  return impl_->current(query.project_id)->list(query);
}

SpecPtr DatabaseSource::get(std::string_view ref, std::string_view project_id) const {
  return impl_->current(project_id)->get(ref);
}

std::shared_ptr<const SearchResult> DatabaseSource::search(const SearchQuery &query) const {
  if (const auto projects = detail::project_set(query.project_id)) // "*" or "a,b": in SQL
    return std::make_shared<const SearchResult>(
        detail::search_database(*impl_->store, *projects, query));
  return impl_->current(query.project_id)->search(query);
}

std::shared_ptr<const Stats> DatabaseSource::stats(std::string_view project_id) const {
  return impl_->current(project_id)->stats();
}

std::shared_ptr<const Relationships>
DatabaseSource::relationships(std::string_view ref, std::string_view project_id) const {
  return impl_->current(project_id)->relationships(ref);
}

std::shared_ptr<const std::vector<Diagnostic>>
DatabaseSource::validate(std::string_view project_id) const {
  return impl_->current(project_id)->validate();
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

} // namespace detail

} // namespace leanspec
