// Implements include/leanspec/database_source.hpp: a Store (src/db/store.hpp) behind the
// SpecSource interface. Each project's stored snapshot is parsed into a core Snapshot, kept
// in an atomic shared_ptr with the stored version it came from; reads check that version at
// most every `recheck` and reload the snapshot when it moved.
#include "core/snapshot.hpp"
#include "db/database_source_access.hpp"
#include "db/store.hpp"
#include "fs/loader.hpp"
#include "model/spec_parser.hpp"

#include <atomic>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <mutex>
#include <unordered_map>

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

std::shared_ptr<const detail::Snapshot>
parse_snapshot(const std::string &project_id, const std::vector<detail::StoredSpec> &specs) {
  std::vector<SpecPtr> parsed;
  parsed.reserve(specs.size());
  for (const auto &stored : specs) {
    std::optional<std::string_view> readme;
    std::vector<std::pair<std::string, std::string>> sub_files;
    for (const auto &file : stored.files) {
      if (file.name == "README.md")
        readme = file.content;
      else
        sub_files.emplace_back(file.name, file.content);
    }
    parsed.push_back(std::make_shared<const Spec>(
        detail::parse_spec_files(stored.path, readme, std::move(sub_files), {}, nullptr)));
  }
  return std::make_shared<const detail::Snapshot>(project_id, std::move(parsed),
                                                  std::vector<Diagnostic>{});
}

RegisteredProject to_registered(const detail::ProjectRecord &r, std::size_t spec_count) {
  RegisteredProject p;
  p.id = r.id;
  p.branch = r.branch;
  p.specs_path = r.specs_path;
  p.sync_interval = r.sync_interval;
  p.sync_state = r.sync_state;
  p.sync_error = r.sync_error;
  p.last_commit = r.last_commit;
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
    const auto now = Clock::now();
    auto served = project->served.load();
    if (served && now - served->checked < options.recheck)
      return served->snapshot;
    const std::lock_guard lock(project->refresh);
    served = project->served.load();
    if (served && Clock::now() - served->checked < options.recheck)
      return served->snapshot; // another caller refreshed it meanwhile
    const std::uint64_t version = store->snapshot_version(id); // not_found for unknown ids
    auto next = std::make_shared<Served>();
    next->version = version;
    next->checked = Clock::now();
    if (served && served->version == version) {
      next->snapshot = served->snapshot;
    } else {
      // A sync committing between the two reads makes the specs newer than `version`; the
      // next check then reads them again, harmlessly.
      next->snapshot = parse_snapshot(id, store->specs(id));
    }
    project->served.store(next);
    return next->snapshot;
  }
};

DatabaseSource::DatabaseSource(DatabaseOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->store = detail::Store::open(impl_->options.database_url);
}

DatabaseSource::~DatabaseSource() = default;

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

void DatabaseSource::update_project(const RegisteredProject &project) {
  auto record = impl_->store->project(project.id);
  if (!record)
    throw Error(ErrorCode::not_found, "project '" + project.id + "' is not registered");
  record->branch = project.branch;
  record->specs_path = project.specs_path;
  record->sync_interval = project.sync_interval;
  impl_->store->update_project(*record);
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
  impl_->slot(std::string(project_id))->served.store(nullptr); // its own writes show at once
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

std::shared_ptr<DatabaseSource> make_database_source(DatabaseOptions options) {
  return std::make_shared<DatabaseSource>(std::move(options));
}

namespace detail {

Store &DatabaseSourceAccess::store(const DatabaseSource &source) { return *source.impl_->store; }

void DatabaseSourceAccess::invalidate(const DatabaseSource &source, std::string_view project_id) {
  source.impl_->slot(std::string(project_id))->served.store(nullptr);
}

} // namespace detail

} // namespace leanspec
