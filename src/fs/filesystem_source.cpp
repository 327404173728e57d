// Implements FilesystemSource of include/leanspec/filesystem_source.hpp: a loaded Snapshot
// published through an atomic shared_ptr; reads never lock.
#include "core/snapshot.hpp"
#include "fs/loader.hpp"
#include "model/frontmatter_cache.hpp"

#include <atomic>
#include <cstdlib>
#include <leanspec/error.hpp>
#include <leanspec/filesystem_source.hpp>
#include <leanspec/spec.hpp>
#include <mutex>

namespace leanspec {

struct FilesystemSource::Impl {
  FilesystemOptions options;
  std::string project_id;
  std::atomic<std::shared_ptr<const detail::Snapshot>> snapshot;
  std::atomic<std::uint64_t> version{0};
  std::mutex reload_mutex; // one reload at a time; readers never take it
  std::unique_ptr<detail::FrontmatterCache> cache;

  void reload() {
    const std::lock_guard lock(reload_mutex);
    auto loaded = detail::load_specs(options, cache.get());
    if (cache)
      cache->commit();
    snapshot.store(std::make_shared<const detail::Snapshot>(project_id, std::move(loaded.specs),
                                                            std::move(loaded.diagnostics)));
    version.fetch_add(1);
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
  std::filesystem::path cache_file;
  if (!impl_->options.cache_dir.empty()) {
    std::error_code ec;
    const auto dir = std::filesystem::weakly_canonical(impl_->options.specs_dir, ec);
    cache_file = impl_->options.cache_dir /
                 ("frontmatter-" + git_blob_sha1(dir.string()).substr(0, 16) + ".bin");
  }
  // Without a file the cache would only serve full reloads, at the cost of a second copy of
  // every frontmatter tree (~3 KB a spec): not worth it.
  if (!cache_file.empty())
    impl_->cache = std::make_unique<detail::FrontmatterCache>(std::move(cache_file));
  impl_->reload();
}

std::filesystem::path default_cache_dir() {
  if (const char *xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg == '/')
    return std::filesystem::path(xdg) / "leanspec";
  if (const char *home = std::getenv("HOME"); home && *home == '/')
    return std::filesystem::path(home) / ".cache" / "leanspec";
  return {};
}

FilesystemSource::~FilesystemSource() = default;

void FilesystemSource::reload() { impl_->reload(); }
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
  return impl_->current(query.project_id)->search(query);
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

std::shared_ptr<FilesystemSource> make_filesystem_source(FilesystemOptions options) {
  return std::make_shared<FilesystemSource>(std::move(options));
}

} // namespace leanspec
