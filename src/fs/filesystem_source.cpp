// Implements FilesystemSource of include/leanspec/filesystem_source.hpp: a loaded Snapshot
// published through an atomic shared_ptr (reads never lock), reloaded in part on each batch of
// the Watcher, with a ChangeEvent per new snapshot.
#include "core/change_notifier.hpp"
#include "fs/atomic_write.hpp"
#include "fs/loader.hpp"
#include "fs/summary_cache.hpp"
#include "fs/watcher.hpp"
#include "model/frontmatter_cache.hpp"
#include "model/new_spec.hpp"
#include "snapshot/snapshot.hpp"
#include "tree/spec_folders.hpp"
#include "tree/specs_tree.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <leanspec/error.hpp>
#include <leanspec/filesystem_source.hpp>
#include <leanspec/spec.hpp>
#include <mutex>
#include <set>
#include <unordered_map>

namespace leanspec {

namespace {

// True when two loads of a folder read the same bytes (so the old spec can stand for the new).
bool same_files(const Spec &a, const Spec &b) {
  if (a.path != b.path || a.content_hash != b.content_hash ||
      a.sub_specs.size() != b.sub_specs.size() || a.diagnostics.size() != b.diagnostics.size())
    return false;
  for (std::size_t i = 0; i < a.sub_specs.size(); ++i)
    if (a.sub_specs[i].file != b.sub_specs[i].file ||
        a.sub_specs[i].content_hash != b.sub_specs[i].content_hash)
      return false;
  for (std::size_t i = 0; i < a.diagnostics.size(); ++i)
    if (a.diagnostics[i].code != b.diagnostics[i].code ||
        a.diagnostics[i].message != b.diagnostics[i].message)
      return false;
  return true;
}

} // namespace

struct FilesystemSource::Impl {
  FilesystemOptions options;
  std::string project_id;
  std::atomic<std::shared_ptr<const detail::Snapshot>> snapshot;
  std::atomic<std::uint64_t> version{0};
  std::mutex reload_mutex; // one reload at a time; readers never take it
  std::unique_ptr<detail::FrontmatterCache> cache;
  std::unique_ptr<detail::SummaryCache> summaries; // summaries_only with a cache_dir
  detail::ChangeNotifier notifier;
  std::unique_ptr<detail::Watcher> watcher; // declared last: stopped first

  // Loads the directory, reading again only the folders `touched` names (all of them when it
  // is null), and publishes a snapshot and a change event when anything changed.
  void load(const std::set<std::string> *touched) {
    const std::lock_guard lock(reload_mutex);
    const auto old = snapshot.load();
    std::unordered_map<std::string_view, SpecPtr> old_by_path;
    std::set<std::string_view> old_ids;
    if (old)
      for (const auto &spec : old->specs()) {
        old_by_path.emplace(spec->path, spec);
        old_ids.insert(spec->id);
      }
    detail::ReuseSpec reuse;
    if (touched)
      reuse = [&](const std::string &folder) -> SpecPtr {
        const auto it = old_by_path.find(folder);
        return it == old_by_path.end() || touched->contains(folder) ? nullptr : it->second;
      };
    // The parse cache serves full loads; a partial one parses a few specs and would make the
    // cache forget every other entry.
    detail::FrontmatterCache *const parse_cache = touched ? nullptr : cache.get();
    detail::SummaryCache *const summary_cache = touched ? nullptr : summaries.get();
    if (summary_cache)
      summary_cache->open();
    detail::LoadResult loaded;
    try {
      loaded = detail::load_specs(options, parse_cache, reuse, summary_cache);
    } catch (const Error &e) {
      if (e.code() != ErrorCode::not_found || !old)
        throw;
      // The directory went away (a watcher reports it back): serve it as empty until then.
      loaded.diagnostics.push_back(
          {Diagnostic::Severity::error, {}, {}, 0, "specs-dir-missing", e.what()});
    }
    if (parse_cache)
      parse_cache->commit();
    if (summary_cache)
      summary_cache->commit();

    ChangeEvent event;
    event.project_id = project_id;
    for (auto &spec : loaded.specs) {
      const auto it = old_by_path.find(spec->path);
      if (it != old_by_path.end() && (it->second == spec || same_files(*it->second, *spec))) {
        spec = it->second; // unchanged: the new snapshot shares it
        continue;
      }
      const bool moved = old_ids.contains(spec->id); // e.g. into archived/
      (it != old_by_path.end() || moved ? event.changed : event.added).push_back(spec->id);
    }
    std::set<std::string_view> new_paths, new_ids; // views into specs the snapshot will hold
    for (const auto &spec : loaded.specs) {
      new_paths.insert(spec->path);
      new_ids.insert(spec->id);
    }
    if (old)
      for (const auto &spec : old->specs())
        if (!new_paths.contains(spec->path) && !new_ids.contains(spec->id))
          event.removed.push_back(spec->id);

    if (watcher)
      for (auto &d : watcher->diagnostics())
        loaded.diagnostics.push_back(std::move(d));
    const bool changed = !old || !event.added.empty() || !event.changed.empty() ||
                         !event.removed.empty() ||
                         loaded.diagnostics.size() != old->load_diagnostics().size();
    if (!changed)
      return;
    snapshot.store(std::make_shared<const detail::Snapshot>(project_id, std::move(loaded.specs),
                                                            std::move(loaded.diagnostics)));
    event.version = version.fetch_add(1) + 1;
    if (old)
      notifier.publish(std::move(event));
  }

  void apply(const detail::WatchBatch &batch) {
    try {
      if (batch.rescan)
        return load(nullptr);
      std::set<std::string> touched;
      for (const auto &path : batch.paths)
        if (auto folder = detail::spec_folder_of(path); !folder.empty())
          touched.insert(std::move(folder));
      load(&touched);
    } catch (...) {
      // Only a failed allocation gets here; the old snapshot stays and the next change retries.
    }
  }

  // A write to the README of the spec `ref` names: `edit` turns its bytes into the new ones,
  // under the folder's lock and only while they still hash to `base_hash`.
  SpecPtr write(std::string_view ref, std::string_view base_hash,
                const std::function<std::string(std::string_view)> &edit) {
    if (base_hash.empty())
      throw Error(ErrorCode::invalid_argument,
                  "base_hash: a write names the content hash of the version it is based on");
    const SpecPtr spec = snapshot.load()->get(ref);
    if (!spec)
      throw Error(ErrorCode::not_found, "no spec matches '" + std::string(ref) + "'");
    const auto readme = options.specs_dir / spec->path / "README.md";
    {
      const detail::FolderLock lock(readme.parent_path());
      const std::string current = detail::read_whole_file(readme);
      if (const auto hash = git_blob_sha1(current); hash != base_hash)
        throw Error(ErrorCode::conflict, "spec " + spec->id + " changed since " +
                                             std::string(base_hash.substr(0, 12)) +
                                             ": its README.md is now " + hash.substr(0, 12) +
                                             "; read it again and reapply the change");
      const std::string edited = edit(current);
      if (edited == current)
        return spec;
      detail::replace_file_atomically(readme, edited);
    }
    const std::set<std::string> touched{spec->path};
    load(&touched);
    return snapshot.load()->get(spec->id);
  }

  std::shared_ptr<const detail::Snapshot> current(std::string_view requested) const {
    if (!requested.empty() && requested != project_id)
      throw Error(ErrorCode::not_found, "project '" + std::string(requested) +
                                            "' is not served here; the filesystem project is '" +
                                            project_id + "'");
    return snapshot.load();
  }
};

FilesystemSource::FilesystemSource(FilesystemOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->project_id = impl_->options.project_id;
  if (impl_->project_id.empty()) {
    std::error_code ec;
    const auto dir = std::filesystem::weakly_canonical(impl_->options.specs_dir, ec);
    impl_->project_id = (ec ? impl_->options.specs_dir : dir).parent_path().filename().string();
    if (impl_->project_id.empty())
      impl_->project_id = "local";
  }
  if (!impl_->options.cache_dir.empty()) {
    std::error_code ec;
    const auto dir = std::filesystem::weakly_canonical(impl_->options.specs_dir, ec);
    const std::string name = git_blob_sha1(dir.string()).substr(0, 16) + ".bin";
    // Without a file the parse cache would only serve full reloads, at the cost of a second
    // copy of every frontmatter tree (~3 KB a spec): not worth it. A summaries-only load takes
    // the summary cache instead: it only parses specs that changed, and would make the parse
    // cache forget the frontmatter of every other spec.
    if (impl_->options.summaries_only)
      impl_->summaries = std::make_unique<detail::SummaryCache>(
          impl_->options.cache_dir / ("summaries-" + name), impl_->options.max_file_size);
    else
      impl_->cache = std::make_unique<detail::FrontmatterCache>(impl_->options.cache_dir /
                                                                ("frontmatter-" + name));
  }
  if (impl_->options.watch) { // before the first load, so no change falls in between
    detail::WatcherOptions watch;
    watch.root = impl_->options.specs_dir;
    watch.debounce = impl_->options.debounce;
    watch.poll_interval = impl_->options.poll_interval;
    watch.force_polling = impl_->options.force_polling;
    auto watcher = std::make_unique<detail::Watcher>(
        std::move(watch), [impl = impl_.get()](detail::WatchBatch batch) { impl->apply(batch); });
    const std::lock_guard lock(impl_->reload_mutex); // a first batch may already be running
    impl_->watcher = std::move(watcher);
  }
  impl_->load(nullptr);
}

std::filesystem::path default_cache_dir() {
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/')
    return std::filesystem::path(xdg) / "leanspec";
  if (const char *home = std::getenv("HOME"); home && *home == '/')
    return std::filesystem::path(home) / ".cache" / "leanspec";
  return {};
}

FilesystemSource::~FilesystemSource() {
  std::unique_ptr<detail::Watcher> watcher;
  {
    const std::lock_guard lock(impl_->reload_mutex); // a running batch reads the pointer
    watcher = std::move(impl_->watcher);
  }
  watcher.reset(); // stops and joins: no batch runs once this returns
}

void FilesystemSource::reload() { impl_->load(nullptr); }

SpecPtr FilesystemSource::update(std::string_view ref, const SpecUpdate &update,
                                 std::string_view base_hash) {
  return impl_->write(ref, base_hash, [&](std::string_view text) {
    return update_readme(text, update, std::chrono::system_clock::now());
  });
}

namespace {

// The highest spec number among the spec folders the loader finds (the one rule of
// src/tree/spec_names.hpp: at the top and one group folder down, archived/ included); 0 when
// there is none.
int highest_number(const FilesystemOptions &options) {
  const detail::SpecsTree tree(options, detail::canonical_specs_dir(options));
  std::vector<std::string> folders, others;
  std::vector<Diagnostic> ignored;
  tree.collect("", folders, others, ignored, false);
  int highest = 0;
  for (const auto &folder : folders) {
    const std::string name = std::filesystem::path(folder).filename().string();
    const auto digits = split_spec_id(name).first;
    int number = 0;
    if (std::from_chars(digits.data(), digits.data() + digits.size(), number).ec == std::errc())
      highest = std::max(highest, number);
  }
  return highest;
}

} // namespace

SpecPtr FilesystemSource::create(const NewSpec &spec) {
  const auto now = std::chrono::system_clock::now();
  const auto &options = impl_->options;
  detail::new_spec_folder(spec, 1, 1, false, now); // the checks, before the lock
  // The project's template (.lean-spec/config.json names it); io names the file when unreadable.
  const std::string template_text =
      options.template_path.empty() ? "" : detail::read_whole_file(options.template_path);
  std::string relative;
  {
    const detail::FolderLock lock(options.specs_dir); // one number per writer
    relative = detail::new_spec_folder(spec, highest_number(options) + 1, options.sequence_digits,
                                       options.pattern == FolderPattern::date_grouped, now);
    const auto folder = options.specs_dir / relative;
    std::error_code ec;
    std::filesystem::create_directories(folder.parent_path(), ec);
    if (ec || !std::filesystem::create_directory(folder, ec) || ec)
      throw Error(ErrorCode::io, "cannot create " + folder.string() + ": " +
                                     (ec ? ec.message() : std::string("it exists")));
    try {
      detail::replace_file_atomically(folder / "README.md",
                                      new_spec_readme(spec, now, template_text));
    } catch (...) {
      std::filesystem::remove_all(folder, ec); // no half-made spec left behind
      throw;
    }
  }
  const std::set<std::string> touched{relative};
  impl_->load(&touched);
  return impl_->snapshot.load()->get(std::filesystem::path(relative).filename().string());
}

SpecPtr FilesystemSource::toggle_checklist_item(std::string_view ref, int index,
                                                std::string_view base_hash) {
  return impl_->write(ref, base_hash, [&](std::string_view text) {
    return leanspec::toggle_checklist_item(text, index);
  });
}
std::uint64_t FilesystemSource::version() const noexcept { return impl_->version.load(); }
const FilesystemOptions &FilesystemSource::options() const noexcept { return impl_->options; }

std::vector<Project> FilesystemSource::projects() const {
  std::error_code ec;
  const auto dir = std::filesystem::weakly_canonical(impl_->options.specs_dir, ec);
  return {Project{impl_->project_id, impl_->project_id,
                  (ec ? impl_->options.specs_dir : dir).string()}};
}

std::shared_ptr<const SpecList> FilesystemSource::list(const ListQuery &query) const {
  return impl_->current(query.project_id)->list(query);
}

SpecPtr FilesystemSource::get(std::string_view ref, std::string_view project_id) const {
  return impl_->current(project_id)->get(ref);
}

std::shared_ptr<const SearchResult> FilesystemSource::search(const SearchQuery &query) const {
  const auto snapshot = impl_->current(query.project_id);
  return impl_->options.keep_search_index ? snapshot->search(query) : snapshot->search_once(query);
}

std::shared_ptr<const Stats> FilesystemSource::stats(std::string_view project_id) const {
  return impl_->current(project_id)->stats();
}

std::shared_ptr<const Relationships>
FilesystemSource::relationships(std::string_view ref, std::string_view project_id) const {
  return impl_->current(project_id)->relationships(ref);
}

std::shared_ptr<const std::vector<Diagnostic>>
FilesystemSource::validate(std::string_view project_id) const {
  return impl_->current(project_id)->validate();
}

Subscription FilesystemSource::subscribe(ChangeCallback callback) const {
  return impl_->notifier.subscribe(std::move(callback));
}

SpecPtr load_spec(const FilesystemOptions &options, std::string_view ref) {
  return detail::load_spec(options, ref);
}

std::shared_ptr<FilesystemSource> make_filesystem_source(FilesystemOptions options) {
  return std::make_shared<FilesystemSource>(std::move(options));
}

} // namespace leanspec
