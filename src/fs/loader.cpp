// Implements src/fs/loader.hpp.
#include "fs/loader.hpp"

#include "fs/summary_cache.hpp"
#include "model/spec_parser.hpp"
#include "tree/spec_names.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <dirent.h>
#include <exception>
#include <fcntl.h>
#include <leanspec/error.hpp>
#include <linux/openat2.h>
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
  Fd &operator=(Fd &&other) noexcept {
    std::swap(fd, other.fd);
    return *this;
  }
};

struct Entry {
  std::string name;
  bool is_dir = false;
  bool is_file = false;
  bool is_link = false;
};

// The entries of an open folder, sorted by name; symlinks reported as such. Reads with
// getdents64 on the O_DIRECTORY descriptor: opendir() would add an fstat per folder, and on a VM
// each system call is a measurable share of a load (~3,200 of them for the LeanSpec corpus).
// 0, or the errno of a listing that failed (what was read before stays in `out`).
int read_dir(int fd, std::vector<Entry> &out) {
  alignas(8) char buffer[16384];
  int error = 0;
  for (;;) {
    const long n = ::syscall(SYS_getdents64, fd, buffer, sizeof buffer);
    if (n < 0)
      error = errno;
    if (n <= 0)
      break;
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
        if (::fstatat(fd, entry.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
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
  return error;
}

// Whether openat2() works here (Linux 5.6+; a seccomp filter may refuse it): 1 yes, 0 no,
// -1 not known yet (the first Loader finds out).
std::atomic<int> openat2_works{-1};

// openat2(dir, path, flags) with RESOLVE_BENEATH: no step of the path, symlinks included, may
// leave `dir`; ENOSYS where openat2() is missing.
int open_beneath_syscall(int dir, const char *path, int flags) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    const long fd = ::syscall(SYS_openat2, dir, path, &how, sizeof how);
    if (fd >= 0 || errno != EINTR)
      return static_cast<int>(fd);
  }
}

// The loader reads nothing but through descriptors: the specs directory is opened once, each
// folder with openat2(RESOLVE_BENEATH) below it, and each file with openat(O_NOFOLLOW) in its
// folder, then checked with fstat. A file or folder swapped for a symlink while a load runs is
// therefore never followed out of the tree, whatever the timing (issue 16).
//
// Symlinks that stay inside the specs directory are followed, as before: the kernel resolves
// them with RESOLVE_BENEATH, which refuses any step outside (and absolute targets; an absolute
// link naming a place inside the directory is read and resolved relative to it, again beneath
// it). Where openat2() is missing, folders are opened one name at a time with O_NOFOLLOW and
// symlinks are refused with a diagnostic: following them there could not be made race-free.
class Loader {
public:
  Loader(const FilesystemOptions &options, std::string root, FrontmatterCache *cache,
         SummaryCache *summaries)
      : options_(options), root_(std::move(root)), cache_(cache),
        summaries_(options.summaries_only ? summaries : nullptr),
        root_fd_(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (root_fd_.fd < 0)
      throw Error(ErrorCode::not_found, "specs directory '" + options.specs_dir.string() +
                                            "' cannot be opened: " + std::strerror(errno));
    if (openat2_works.load(std::memory_order_relaxed) < 0) { // ENOSYS, or EPERM from seccomp
      const Fd probe(open_beneath_syscall(root_fd_.fd, ".", O_RDONLY | O_DIRECTORY));
      openat2_works.store(probe.fd >= 0 || (errno != ENOSYS && errno != EPERM),
                          std::memory_order_relaxed);
    }
  }

  // Opens `relative` (a path below the specs directory; "." for itself) without leaving it:
  // -1 with errno set when it cannot (EXDEV: a symlink on the way leads out).
  int open_beneath(const std::string &relative, int flags) const {
    if (openat2_works.load(std::memory_order_relaxed)) {
      const int fd = open_beneath_syscall(root_fd_.fd, relative.c_str(), flags);
      return fd < 0 && errno == EXDEV ? open_absolute_link(relative, flags) : fd;
    }
    // Without openat2: one name at a time, never through a symlink (ELOOP).
    int dir = root_fd_.fd;
    Fd held(-1);
    for (std::size_t begin = 0;;) {
      const std::size_t end = std::min(relative.find('/', begin), relative.size());
      const std::string name = relative.substr(begin, end - begin);
      const bool last = end == relative.size();
      const int fd = ::openat(dir, name.c_str(),
                              (last ? flags : O_RDONLY | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 || last)
        return fd;
      held = Fd(fd);
      dir = fd;
      begin = end + 1;
    }
  }

  // An absolute symlink at `relative` that names a place inside the specs directory, opened
  // there (beneath it, so a link swapped meanwhile still cannot lead out); else EXDEV.
  int open_absolute_link(const std::string &relative, int flags) const {
    char target[4096];
    const ssize_t n = ::readlinkat(root_fd_.fd, relative.c_str(), target, sizeof target - 1);
    if (n > 0 && target[0] == '/') {
      target[n] = '\0'; // readlinkat does not end it
      const std::string_view t(target, static_cast<std::size_t>(n));
      if (t == root_)
        return open_beneath_syscall(root_fd_.fd, ".", flags);
      if (t.starts_with(root_) && t[root_.size()] == '/' && t.size() > root_.size() + 1)
        return open_beneath_syscall(root_fd_.fd, target + root_.size() + 1, flags);
    }
    errno = EXDEV;
    return -1;
  }

  // The diagnostic for a symlink (or a path through one) that cannot be opened.
  static void link_failed(const std::string &relative, int error,
                          std::vector<Diagnostic> &diagnostics, const std::string &spec_id) {
    std::string message =
        error == EXDEV ? "symlink '" + relative + "' points outside the specs directory; not read"
        : error == ENOENT ? "symlink '" + relative + "' is broken"
        : error == ELOOP
            ? "symlink '" + relative + "' is not followed here: " + std::strerror(error)
            : "symlink '" + relative + "' cannot be read: " + std::strerror(error);
    diagnostics.push_back({Diagnostic::Severity::error, spec_id, relative, 0, "ref-outside-specs",
                           std::move(message)});
  }

  // A folder that cannot be opened or listed (a spec folder so reads as unreadable, not as
  // missing its README.md).
  static void folder_failed(const std::string &relative, int error,
                            std::vector<Diagnostic> &diagnostics, const std::string &spec_id,
                            const char *what) {
    if (error == EXDEV || error == ELOOP) // swapped for a symlink since the listing
      return link_failed(relative, error, diagnostics, spec_id);
    diagnostics.push_back({Diagnostic::Severity::error, spec_id, relative, 0, "unreadable-folder",
                           std::string(what) + " '" + printable_path(relative) +
                               "' cannot be read: " + std::strerror(error)});
  }

  static void refused_name(const std::string &relative, std::string_view name,
                           std::vector<Diagnostic> &diagnostics, const std::string &spec_id) {
    diagnostics.push_back({Diagnostic::Severity::warning, spec_id, relative, 0, "refused-name",
                           "'" + printable_path(relative) + "' is passed over: its name " +
                               std::string(refused_because(name))});
  }

  // Spec folders of one level: `prefix` is "" or "<group>/" ("archived/", "20251031/", ...).
  // Every folder that is not a spec folder is a group at the top level (LeanSpec's own loaders
  // take spec folders one level under any folder, whatever the configured pattern).
  void collect(const std::string &prefix, std::vector<std::string> &folders,
               std::vector<std::string> &others, std::vector<Diagnostic> &diagnostics) const {
    const std::string self = prefix.empty() ? "." : prefix.substr(0, prefix.size() - 1);
    const Fd dir(open_beneath(self, O_RDONLY | O_DIRECTORY));
    std::vector<Entry> entries;
    if (const int error = dir.fd < 0 ? errno : read_dir(dir.fd, entries))
      folder_failed(self, error, diagnostics, "", "folder");
    for (Entry &entry : entries) {
      const std::string relative = prefix + entry.name;
      switch (name_use(entry.name)) {
      case NameUse::hidden:
        continue;
      case NameUse::refused:
        if (entry.is_dir || entry.is_link)
          refused_name(relative, entry.name, diagnostics, "");
        continue;
      case NameUse::accepted:
        break;
      }
      if (entry.is_link) { // a folder only if it opens as one, inside
        const Fd fd(open_beneath(relative, O_RDONLY | O_DIRECTORY));
        if (fd.fd < 0 && errno != ENOTDIR)
          link_failed(relative, errno, diagnostics, "");
        entry.is_dir = fd.fd >= 0;
      }
      if (!entry.is_dir)
        continue;
      if (is_spec_folder_name(entry.name)) {
        folders.push_back(relative);
        continue;
      }
      others.push_back(relative);
      if (prefix.empty())
        collect(relative + "/", folders, others, diagnostics);
    }
  }

  SpecPtr load_folder(const std::string &relative) const {
    // With a summary cache, an unchanged folder is served by one stat per folder and per file
    // (a stat reads no content: what it serves was read through descriptors before).
    FolderKeys keys;
    bool keyed = false; // every file read has its key in `keys`
    if (summaries_) {
      const std::string dir = root_ + "/" + relative;
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
    const Fd dir(open_beneath(relative, O_RDONLY | O_DIRECTORY));
    std::vector<Entry> entries;
    if (const int error = dir.fd < 0 ? errno : read_dir(dir.fd, entries)) {
      keyed = false;
      folder_failed(relative, error, diagnostics, id, "spec folder");
    }
    for (const Entry &entry : entries) {
      if (entry.is_dir || entry.name.size() < 4 || !entry.name.ends_with(".md"))
        continue;
      switch (name_use(entry.name)) {
      case NameUse::hidden:
        continue;
      case NameUse::refused:
        refused_name(relative + "/" + entry.name, entry.name, diagnostics, id);
        continue;
      case NameUse::accepted:
        break;
      }
      if (entry.is_link)
        keyed = false; // a link's own stat does not change with its target
      FileKey key;
      bool has_key = false;
      if (entry.name == "README.md") {
        if (const auto size =
                read_file(dir.fd, relative, entry, diagnostics, id, readme_buffer, &key, &has_key))
          readme = std::string_view(readme_buffer.data(), *size);
      } else {
        std::string bytes;
        if (const auto size =
                read_file(dir.fd, relative, entry, diagnostics, id, bytes, &key, &has_key)) {
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
    const Fd dir(open_beneath(relative, O_RDONLY | O_DIRECTORY));
    std::vector<Entry> entries;
    if (dir.fd >= 0)
      read_dir(dir.fd, entries);
    for (const Entry &entry : entries) {
      if (entry.is_dir || !is_spec_file_name(entry.name))
        continue;
      std::string bytes;
      if (const auto size = read_file(dir.fd, relative, entry, diagnostics, id, bytes)) {
        bytes.resize(*size);
        files.emplace_back(entry.name, std::move(bytes));
      }
    }
    return files;
  }

  // Reads the file `entry` of the open folder `dir` (`folder` below the specs directory) into
  // `buffer` (grown when too small, never shrunk) and returns how many bytes it holds; nullopt
  // when it is not a regular file, or, with a diagnostic, cannot be read or is over the size
  // limit. With `key`, the file's stat is stored there and `*has_key` says whether it was taken.
  std::optional<std::size_t> read_file(int dir, const std::string &folder, const Entry &entry,
                                       std::vector<Diagnostic> &diagnostics,
                                       const std::string &spec_id, std::string &buffer,
                                       FileKey *key = nullptr, bool *has_key = nullptr) const {
    const auto path = [&] { return folder + "/" + entry.name; }; // built only when needed
    const auto fail = [&](std::string code, std::string message) -> std::optional<std::size_t> {
      diagnostics.push_back(
          {Diagnostic::Severity::error, spec_id, path(), 0, std::move(code), std::move(message)});
      return std::nullopt;
    };
    // O_NONBLOCK: a FIFO put in a file's place must not hang the load (no effect on files).
    constexpr int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC;
    int opened = entry.is_link ? -1 : ::openat(dir, entry.name.c_str(), flags | O_NOFOLLOW);
    if (entry.is_link || (opened < 0 && errno == ELOOP)) { // a link, or one since the listing
      if (has_key)
        *has_key = false;
      key = nullptr;
      opened = open_beneath(path(), flags);
      if (opened < 0) {
        const int error = errno;
        link_failed(path(), error, diagnostics, spec_id);
        return std::nullopt;
      }
    }
    const Fd fd(opened);
    struct stat st {};
    if (fd.fd < 0 || ::fstat(fd.fd, &st) != 0)
      return fail("unreadable", std::string("cannot read: ") + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
      return std::nullopt; // a folder or a device where the listing had a file: not a spec file
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
  Fd root_fd_;
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
  std::error_code ec;
  const fs::path root = fs::canonical(options.specs_dir, ec);
  if (ec || !fs::is_directory(root, ec))
    throw Error(ErrorCode::not_found,
                "specs directory '" + options.specs_dir.string() + "' does not exist");
  const Loader loader(options, root.string(), cache, summaries);
  LoadResult result;
  std::vector<std::string> folders, others;
  loader.collect("", folders, others, result.diagnostics);
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

std::vector<FolderFiles> read_spec_folders(const FilesystemOptions &options) {
  std::error_code ec;
  const fs::path root = fs::canonical(options.specs_dir, ec);
  if (ec || !fs::is_directory(root, ec))
    throw Error(ErrorCode::not_found,
                "specs directory '" + options.specs_dir.string() + "' does not exist");
  const Loader loader(options, root.string(), nullptr, nullptr);
  std::vector<std::string> folders, others;
  std::vector<Diagnostic> ignored;
  loader.collect("", folders, others, ignored);
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
