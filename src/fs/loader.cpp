// Implements src/fs/loader.hpp.
#include "fs/loader.hpp"

#include "fs/summary_cache.hpp"
#include "model/spec_parser.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <dirent.h>
#include <exception>
#include <fcntl.h>
#include <leanspec/error.hpp>
#include <mutex>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

namespace leanspec::detail {
namespace {

namespace fs = std::filesystem;

struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0)
      ::close(fd);
  }
  Fd(const Fd &) = delete;
  Fd &operator=(const Fd &) = delete;
};

struct Entry {
  std::string name;
  bool is_dir = false;
  bool is_file = false;
  bool is_link = false;
};

// The entries of a directory, sorted by name; symlinks reported as such. Reads with getdents64
// on an O_DIRECTORY descriptor: opendir() would add an fstat per folder, and on a VM each system
// call is a measurable share of a load (~3,200 of them for the LeanSpec corpus).
std::vector<Entry> read_dir(const std::string &path) {
  std::vector<Entry> out;
  const Fd dir(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.fd < 0)
    return out;
  alignas(8) char buffer[16384];
  for (;;) {
    const long n = ::syscall(SYS_getdents64, dir.fd, buffer, sizeof buffer);
    if (n <= 0)
      break; // end, or an error: what was read is what the folder holds for us
    for (long at = 0; at < n;) {
      dirent64 e;
      std::memcpy(&e, buffer + at, offsetof(dirent64, d_name)); // the fixed part, aligned
      const std::string_view name(buffer + at + offsetof(dirent64, d_name));
      at += e.d_reclen;
      if (name == "." || name == "..")
        continue;
      Entry entry{std::string(name)};
      unsigned char type = e.d_type;
      if (type == DT_UNKNOWN) {
        struct stat st {};
        if (::fstatat(dir.fd, entry.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
          type = S_ISDIR(st.st_mode)   ? DT_DIR
                 : S_ISLNK(st.st_mode) ? DT_LNK
                 : S_ISREG(st.st_mode) ? DT_REG
                                       : DT_UNKNOWN;
      }
      entry.is_dir = type == DT_DIR;
      entry.is_file = type == DT_REG;
      entry.is_link = type == DT_LNK;
      out.push_back(std::move(entry));
    }
  }
  std::sort(out.begin(), out.end(), [](const Entry &a, const Entry &b) { return a.name < b.name; });
  return out;
}

bool is_spec_folder_name(std::string_view name) { return !split_spec_id(name).first.empty(); }

class Loader {
public:
  Loader(const FilesystemOptions &options, std::string root, FrontmatterCache *cache,
         SummaryCache *summaries)
      : options_(options), root_(std::move(root)), cache_(cache),
        summaries_(options.summaries_only ? summaries : nullptr) {} // it holds no bodies

  // A symlink is followed only when it resolves inside the specs directory.
  bool resolve_link(const std::string &relative, Entry &entry, std::vector<Diagnostic> &diagnostics,
                    const std::string &spec_id) const {
    std::error_code ec;
    const fs::path target = fs::canonical(root_ + "/" + relative, ec);
    const std::string t = target.string();
    if (ec || !(t == root_ || t.starts_with(root_ + "/"))) {
      diagnostics.push_back(
          {Diagnostic::Severity::error, spec_id, relative, 0, "ref-outside-specs",
           ec ? "symlink '" + relative + "' is broken"
              : "symlink '" + relative + "' points outside the specs directory; not read"});
      return false;
    }
    entry.is_dir = fs::is_directory(target, ec);
    entry.is_file = fs::is_regular_file(target, ec);
    return true;
  }

  // Spec folders of one level: `prefix` is "" or "archived/" or "<group>/".
  void collect(const std::string &prefix, int depth, std::vector<std::string> &folders,
               std::vector<Diagnostic> &diagnostics) const {
    for (Entry entry : read_dir(prefix.empty() ? root_ : root_ + "/" + prefix)) {
      const std::string relative = prefix + entry.name;
      if (entry.name.starts_with('.'))
        continue;
      if (entry.is_link && !resolve_link(relative, entry, diagnostics, ""))
        continue;
      if (!entry.is_dir)
        continue;
      if (is_spec_folder_name(entry.name))
        folders.push_back(relative);
      else if (depth == 0 &&
               (entry.name == "archived" || options_.pattern == FolderPattern::date_grouped))
        collect(relative + "/", depth + 1, folders, diagnostics);
    }
  }

  SpecPtr load_folder(const std::string &relative) const {
    const std::string dir = root_ + "/" + relative;
    // With a summary cache, an unchanged folder is served by one stat per folder and per file.
    FolderKeys keys;
    bool keyed = false; // every file read has its key in `keys`
    if (summaries_) {
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
    for (Entry entry : read_dir(dir)) {
      if (entry.name.size() < 4 || !entry.name.ends_with(".md") || entry.name.starts_with('.'))
        continue;
      const std::string file = relative + "/" + entry.name;
      if (entry.is_link) {
        keyed = false; // a link's own stat does not change with its target
        if (!resolve_link(file, entry, diagnostics, id))
          continue;
      }
      if (!entry.is_file)
        continue;
      FileKey key;
      bool has_key = false;
      if (entry.name == "README.md") {
        if (const auto size = read_file(file, diagnostics, id, readme_buffer, &key, &has_key))
          readme = std::string_view(readme_buffer.data(), *size);
      } else {
        std::string bytes;
        if (const auto size = read_file(file, diagnostics, id, bytes, &key, &has_key)) {
          bytes.resize(*size);
          sub_files.emplace_back(entry.name, std::move(bytes));
        }
      }
      if (has_key)
        keys.files.emplace_back(entry.name, key);
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

  // Every *.md file of a folder, as bytes (what load_folder would read).
  std::vector<std::pair<std::string, std::string>>
  read_folder(const std::string &relative, std::vector<Diagnostic> &diagnostics) const {
    std::vector<std::pair<std::string, std::string>> files;
    const std::string id = relative.substr(relative.rfind('/') + 1);
    for (Entry entry : read_dir(root_ + "/" + relative)) {
      if (entry.name.size() < 4 || !entry.name.ends_with(".md") || entry.name.starts_with('.'))
        continue;
      const std::string file = relative + "/" + entry.name;
      if (entry.is_link && !resolve_link(file, entry, diagnostics, id))
        continue;
      std::string bytes;
      if (entry.is_file)
        if (const auto size = read_file(file, diagnostics, id, bytes)) {
          bytes.resize(*size);
          files.emplace_back(entry.name, std::move(bytes));
        }
    }
    return files;
  }

  // Reads a file into `buffer` (grown when too small, never shrunk) and returns how many bytes
  // it holds; nullopt, with a diagnostic, when it cannot be read or is over the size limit.
  // With `key`, the file's stat is stored there and `*has_key` says whether it was taken.
  std::optional<std::size_t> read_file(const std::string &relative,
                                       std::vector<Diagnostic> &diagnostics,
                                       const std::string &spec_id, std::string &buffer,
                                       FileKey *key = nullptr, bool *has_key = nullptr) const {
    const auto fail = [&](std::string code, std::string message) -> std::optional<std::size_t> {
      diagnostics.push_back(
          {Diagnostic::Severity::error, spec_id, relative, 0, std::move(code), std::move(message)});
      return std::nullopt;
    };
    const Fd fd(::open((root_ + "/" + relative).c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st {};
    if (fd.fd < 0 || ::fstat(fd.fd, &st) != 0)
      return fail("unreadable", std::string("cannot read: ") + std::strerror(errno));
    if (key) {
      *key = FileKey::of(st);
      *has_key = true;
    }
    const auto size = static_cast<std::size_t>(st.st_size);
    if (size > options_.max_file_size)
      return fail("file-too-large", "file is " + std::to_string(size) + " bytes, over the " +
                                        std::to_string(options_.max_file_size) +
                                        "-byte limit; not read");
    if (buffer.size() < size)
      buffer.resize(size);
    std::size_t done = 0;
    while (done < size) {
      const ssize_t n = ::read(fd.fd, buffer.data() + done, size - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0) {
        if (has_key) // a failed read may not fail next time: nothing to keep
          *has_key = false;
        return fail("unreadable", std::string("cannot read: ") + std::strerror(errno));
      }
      if (n == 0)
        break;
      done += static_cast<std::size_t>(n);
    }
    return done;
  }

private:
  const FilesystemOptions &options_;
  std::string root_;
  FrontmatterCache *cache_;
  SummaryCache *summaries_;
};

} // namespace

LoadResult load_specs(const FilesystemOptions &options, FrontmatterCache *cache,
                      const ReuseSpec &reuse, SummaryCache *summaries) {
  std::error_code ec;
  const fs::path root = fs::canonical(options.specs_dir, ec);
  if (ec || !fs::is_directory(root, ec))
    throw Error(ErrorCode::not_found,
                "specs directory '" + options.specs_dir.string() + "' does not exist");
  const Loader loader(options, root.string(), cache, summaries);
  LoadResult result;
  std::vector<std::string> folders;
  loader.collect("", 0, folders, result.diagnostics);

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

std::vector<FolderFiles> read_spec_folders(const FilesystemOptions &options) {
  std::error_code ec;
  const fs::path root = fs::canonical(options.specs_dir, ec);
  if (ec || !fs::is_directory(root, ec))
    throw Error(ErrorCode::not_found,
                "specs directory '" + options.specs_dir.string() + "' does not exist");
  const Loader loader(options, root.string(), nullptr, nullptr);
  std::vector<std::string> folders;
  std::vector<Diagnostic> ignored;
  loader.collect("", 0, folders, ignored);
  std::vector<FolderFiles> out;
  out.reserve(folders.size());
  for (auto &folder : folders) {
    FolderFiles entry{std::move(folder), loader.read_folder(entry.folder, ignored)};
    std::stable_partition(entry.files.begin(), entry.files.end(),
                          [](const auto &file) { return file.first == "README.md"; });
    out.push_back(std::move(entry));
  }
  return out;
}

std::string spec_folder_of(std::string_view path) {
  std::size_t begin = 0;
  while (begin < path.size()) {
    const std::size_t end = std::min(path.find('/', begin), path.size());
    if (is_spec_folder_name(path.substr(begin, end - begin)))
      return std::string(path.substr(0, end));
    begin = end + 1;
  }
  return {};
}

} // namespace leanspec::detail
