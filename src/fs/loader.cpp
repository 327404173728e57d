// Implements src/fs/loader.hpp.
#include "fs/loader.hpp"

#include "fs/summary_cache.hpp"
#include "model/spec_parser.hpp"
#include "tree/folder_ref.hpp"
#include "tree/spec_names.hpp"
#include "tree/specs_tree.hpp"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <fcntl.h>
#include <leanspec/error.hpp>
#include <mutex>
#include <sys/stat.h>
#include <thread>

namespace leanspec::detail {
namespace {

namespace fs = std::filesystem;

// Reads spec folders into specs through a SpecsTree (src/tree/specs_tree.hpp: descriptors only,
// beneath the specs directory), with the frontmatter cache and, for summaries-only loads, the
// summary cache.
class Loader {
public:
  Loader(const FilesystemOptions &options, std::string root, FrontmatterCache *cache,
         SummaryCache *summaries)
      : options_(options), tree_(options, std::move(root)), cache_(cache),
        summaries_(options.summaries_only ? summaries : nullptr) {}

  const SpecsTree &tree() const noexcept { return tree_; }

  SpecPtr load_folder(const std::string &relative) const {
    // With a summary cache, an unchanged folder is served by one stat per folder and per file
    // (a stat reads no content: what it serves was read through descriptors before).
    FolderKeys keys;
    bool keyed = false; // every file read has its key in `keys`
    if (summaries_) {
      const std::string dir = tree_.root() + "/" + relative;
      struct stat st {};
      if (::stat(dir.c_str(), &st) == 0) {
        keys.folder = FileKey::of(st);
        keyed = true;
        if (SpecPtr spec = summaries_->find(relative, keys.folder, dir))
          return spec;
      }
    }
    // README.md is read into a buffer this thread reuses (its pages are already mapped) and the
    // parser copies the body out once; sub-spec files are kept whole, so they are read into
    // their own strings.
    thread_local std::string readme_buffer;
    std::optional<std::string_view> readme;
    std::vector<std::pair<std::string, std::string>> sub_files;
    std::vector<Diagnostic> diagnostics;
    const std::string id = relative.substr(relative.rfind('/') + 1);
    const Fd dir(tree_.open_beneath(relative, O_RDONLY | O_DIRECTORY));
    std::vector<DirEntry> entries;
    if (const int error = dir.fd < 0 ? errno : read_dir(dir.fd, entries)) {
      keyed = false;
      SpecsTree::folder_failed(relative, error, diagnostics, id, "spec folder");
    }
    for (const DirEntry &entry : entries) {
      if (entry.is_dir || entry.name.size() < 4 || !entry.name.ends_with(".md"))
        continue;
      switch (name_use(entry.name)) {
      case NameUse::hidden:
        continue;
      case NameUse::refused:
        SpecsTree::refused_name(relative + "/" + entry.name, entry.name, diagnostics, id);
        continue;
      case NameUse::accepted:
        break;
      }
      if (entry.is_link)
        keyed = false; // a link's own stat does not change with its target
      struct stat st {};
      bool has_key = false;
      if (entry.name == "README.md") {
        if (const auto size = tree_.read_file(dir.fd, relative, entry, diagnostics, id,
                                              readme_buffer, &st, &has_key))
          readme = std::string_view(readme_buffer.data(), *size);
      } else {
        std::string bytes;
        if (const auto size =
                tree_.read_file(dir.fd, relative, entry, diagnostics, id, bytes, &st, &has_key)) {
          bytes.resize(*size);
          sub_files.emplace_back(entry.name, std::move(bytes));
        }
      }
      if (has_key)
        keys.files.emplace_back(entry.name, FileKey::of(st));
      else
        keyed = false;
    }
    Spec parsed =
        parse_spec_files(relative, readme, std::move(sub_files), std::move(diagnostics), cache_);
    if (readme_buffer.capacity() > (1u << 20)) // do not keep a rare large file's buffer around
      std::string().swap(readme_buffer);
    if (options_.summaries_only) {
      std::string().swap(parsed.body);
      for (auto &sub : parsed.sub_specs)
        std::string().swap(sub.content);
    }
    if (keyed)
      summaries_->store(relative, keys, parsed);
    return std::make_shared<const Spec>(std::move(parsed));
  }

private:
  const FilesystemOptions &options_;
  SpecsTree tree_;
  FrontmatterCache *cache_;
  SummaryCache *summaries_;
};

// When a tree yields no spec folder but holds other folders: a diagnostic that says why.
void explain_empty(const std::vector<std::string> &others, std::vector<Diagnostic> &diagnostics) {
  if (others.empty())
    return;
  std::string examples;
  for (std::size_t i = 0; i < others.size() && i < 3; ++i)
    examples += (i ? ", '" : "'") + printable_path(others[i]) + "'";
  diagnostics.push_back(
      {Diagnostic::Severity::warning,
       {},
       {},
       0,
       "no-spec-folders",
       "no spec folder found: spec folders are named NNN-slug (e.g. 001-my-spec) and lie at the "
       "top of the specs directory or one folder down (archived/, a date group such as "
       "20251031/); found " +
           std::to_string(others.size()) + " other folder" + (others.size() == 1 ? "" : "s") +
           ": " + examples + (others.size() > 3 ? ", ..." : "")});
}

} // namespace

LoadResult load_specs(const FilesystemOptions &options, FrontmatterCache *cache,
                      const ReuseSpec &reuse, SummaryCache *summaries) {
  const Loader loader(options, canonical_specs_dir(options), cache, summaries);
  LoadResult result;
  std::vector<std::string> folders, others;
  loader.tree().collect("", folders, others, result.diagnostics);
  if (folders.empty())
    explain_empty(others, result.diagnostics);

  result.specs.resize(folders.size());
  std::vector<std::size_t> to_read;
  to_read.reserve(folders.size());
  for (std::size_t i = 0; i < folders.size(); ++i)
    if (!(reuse && (result.specs[i] = reuse(folders[i]))))
      to_read.push_back(i);

  unsigned threads =
      options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, (to_read.size() + 15) / 16));
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure; // the first exception of any worker (only bad_alloc in practice)
  std::mutex failure_mutex;
  const auto work = [&] {
    try {
      for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < to_read.size();)
        result.specs[to_read[i]] = loader.load_folder(folders[to_read[i]]);
    } catch (...) {
      const std::lock_guard lock(failure_mutex);
      if (!failure)
        failure = std::current_exception();
      next.store(to_read.size());
    }
  };
  {
    std::vector<std::jthread> pool;
    for (unsigned t = 1; t < threads; ++t)
      pool.emplace_back(work);
    work();
  }
  if (failure)
    std::rethrow_exception(failure);
  return result;
}

SpecPtr load_spec(const FilesystemOptions &options, std::string_view ref) {
  FilesystemOptions full = options;
  full.summaries_only = false;
  const Loader loader(full, canonical_specs_dir(full), nullptr, nullptr);
  std::vector<std::string> folders, others;
  std::vector<Diagnostic> diagnostics; // the directory's, which a load of one spec leaves out
  loader.tree().collect("", folders, others, diagnostics, false); // find_folder() orders matches
  const std::string folder = find_folder(folders, ref);
  return folder.empty() ? nullptr : loader.load_folder(folder);
}

} // namespace leanspec::detail
