// Implements src/tree/specs_tree.hpp.
#include "tree/specs_tree.hpp"

#include "tree/spec_names.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <leanspec/error.hpp>
#include <linux/openat2.h>
#include <sys/syscall.h>

namespace leanspec::detail {
namespace {

// Whether openat2() works here (Linux 5.6+; a seccomp filter may refuse it): 1 yes, 0 no,
// -1 not known yet (the first SpecsTree finds out).
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

} // namespace

std::string canonical_specs_dir(const FilesystemOptions &options) {
  std::error_code ec;
  const std::filesystem::path root = std::filesystem::canonical(options.specs_dir, ec);
  if (ec || !std::filesystem::is_directory(root, ec))
    throw Error(ErrorCode::not_found,
                "specs directory '" + options.specs_dir.string() + "' does not exist");
  return root.string();
}

// The entries of an open folder, sorted by name; symlinks reported as such. Reads with
// getdents64 on the O_DIRECTORY descriptor: opendir() would add an fstat per folder, and on a VM
// each system call is a measurable share of a load (~3,200 of them for the LeanSpec corpus).
// 0, or the errno of a listing that failed (what was read before stays in `out`).
int read_dir(int fd, std::vector<DirEntry> &out, bool sorted) {
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
      DirEntry entry{std::string(name)};
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
  if (sorted)
    std::sort(out.begin(), out.end(),
              [](const DirEntry &a, const DirEntry &b) { return a.name < b.name; });
  return error;
}

SpecsTree::SpecsTree(const FilesystemOptions &options, std::string root)
    : options_(options), root_(std::move(root)),
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

int SpecsTree::open_beneath(const std::string &relative, int flags) const {
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

int SpecsTree::open_absolute_link(const std::string &relative, int flags) const {
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

void SpecsTree::link_failed(const std::string &relative, int error,
                            std::vector<Diagnostic> &diagnostics, const std::string &spec_id) {
  std::string message =
      error == EXDEV    ? "symlink '" + relative + "' points outside the specs directory; not read"
      : error == ENOENT ? "symlink '" + relative + "' is broken"
      : error == ELOOP  ? "symlink '" + relative + "' is not followed here: " + std::strerror(error)
                        : "symlink '" + relative + "' cannot be read: " + std::strerror(error);
  diagnostics.push_back(
      {Diagnostic::Severity::error, spec_id, relative, 0, "ref-outside-specs", std::move(message)});
}

void SpecsTree::folder_failed(const std::string &relative, int error,
                              std::vector<Diagnostic> &diagnostics, const std::string &spec_id,
                              const char *what) {
  if (error == EXDEV || error == ELOOP) // swapped for a symlink since the listing
    return link_failed(relative, error, diagnostics, spec_id);
  diagnostics.push_back({Diagnostic::Severity::error, spec_id, relative, 0, "unreadable-folder",
                         std::string(what) + " '" + printable_path(relative) +
                             "' cannot be read: " + std::strerror(error)});
}

void SpecsTree::refused_name(const std::string &relative, std::string_view name,
                             std::vector<Diagnostic> &diagnostics, const std::string &spec_id) {
  diagnostics.push_back({Diagnostic::Severity::warning, spec_id, relative, 0, "refused-name",
                         "'" + printable_path(relative) + "' is passed over: its name " +
                             std::string(refused_because(name))});
}

void SpecsTree::collect(const std::string &prefix, std::vector<std::string> &folders,
                        std::vector<std::string> &others, std::vector<Diagnostic> &diagnostics,
                        bool sorted) const {
  const std::string self = prefix.empty() ? "." : prefix.substr(0, prefix.size() - 1);
  const Fd dir(open_beneath(self, O_RDONLY | O_DIRECTORY));
  std::vector<DirEntry> entries;
  if (const int error = dir.fd < 0 ? errno : read_dir(dir.fd, entries, sorted))
    folder_failed(self, error, diagnostics, "", "folder");
  for (DirEntry &entry : entries) {
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
      collect(relative + "/", folders, others, diagnostics, sorted);
  }
}

std::vector<std::pair<std::string, std::string>>
SpecsTree::read_folder(const std::string &relative, std::vector<Diagnostic> &diagnostics) const {
  std::vector<std::pair<std::string, std::string>> files;
  const std::string id = relative.substr(relative.rfind('/') + 1);
  const Fd dir(open_beneath(relative, O_RDONLY | O_DIRECTORY));
  std::vector<DirEntry> entries;
  if (dir.fd >= 0)
    read_dir(dir.fd, entries);
  for (const DirEntry &entry : entries) {
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

std::optional<std::size_t> SpecsTree::read_file(int dir, const std::string &folder,
                                                const DirEntry &entry,
                                                std::vector<Diagnostic> &diagnostics,
                                                const std::string &spec_id, std::string &buffer,
                                                struct stat *stat_out, bool *has_stat) const {
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
    if (has_stat)
      *has_stat = false;
    stat_out = nullptr;
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
  if (stat_out) {
    *stat_out = st;
    *has_stat = true;
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
      if (has_stat) // a failed read may not fail next time: nothing to keep
        *has_stat = false;
      return fail("unreadable", std::string("cannot read: ") + std::strerror(errno));
    }
    if (n == 0)
      break;
    done += static_cast<std::size_t>(n);
  }
  return done;
}

} // namespace leanspec::detail
