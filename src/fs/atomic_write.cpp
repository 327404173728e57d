// Implements src/fs/atomic_write.hpp with POSIX open/flock/write/fsync/rename.
#include "fs/atomic_write.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <leanspec/error.hpp>
#include <random>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace leanspec::detail {
namespace {

[[noreturn]] void fail(const std::string &what, const std::filesystem::path &path) {
  throw Error(ErrorCode::io, what + " " + path.string() + ": " + std::strerror(errno));
}

} // namespace

FolderLock::FolderLock(const std::filesystem::path &folder)
    : fd_(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
  if (fd_.fd < 0)
    fail("cannot open", folder);
  while (::flock(fd_.fd, LOCK_EX) != 0)
    if (errno != EINTR)
      fail("cannot lock", folder);
}

std::string read_whole_file(const std::filesystem::path &file) {
  Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.fd < 0)
    fail("cannot read", file);
  std::string bytes;
  char buffer[65536];
  for (;;) {
    const ssize_t n = ::read(fd.fd, buffer, sizeof buffer);
    if (n == 0)
      return bytes;
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      fail("cannot read", file);
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
}

void replace_file_atomically(const std::filesystem::path &file, std::string_view bytes) {
  const auto folder = file.parent_path();
  struct stat st {};
  const mode_t mode = ::stat(file.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0644;
  std::random_device random;
  // ".README.md.<pid>.<random>.tmp", built by appending (GCC 12 warns falsely about
  // `"literal" + std::string` at -O3: -Wrestrict, GCC bug 105329)
  std::string name(".");
  name += file.filename().string();
  name += '.';
  name += std::to_string(::getpid());
  name += '.';
  name += std::to_string(random());
  name += ".tmp";
  const auto temporary = folder / name;
  Fd fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.fd < 0)
    fail("cannot create", temporary);
  struct Unlink { // the temporary file goes unless the rename took it
    const std::filesystem::path &path;
    bool armed = true;
    ~Unlink() {
      if (armed)
        ::unlink(path.c_str());
    }
  } unlink_on_failure{temporary};
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd.fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      fail("cannot write", temporary);
    done += static_cast<std::size_t>(n);
  }
  if (::fchmod(fd.fd, mode) != 0) // O_CREAT's mode is masked by the umask
    fail("cannot set the mode of", temporary);
  if (::fsync(fd.fd) != 0)
    fail("cannot sync", temporary);
  if (::close(fd.release()) != 0)
    fail("cannot close", temporary);
  if (::rename(temporary.c_str(), file.c_str()) != 0)
    fail("cannot rename over", file);
  unlink_on_failure.armed = false;
  Fd dir(::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.fd < 0 || ::fsync(dir.fd) != 0)
    fail("cannot sync", folder);
}

} // namespace leanspec::detail
