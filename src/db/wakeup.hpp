#pragma once
// Internal: Wakeup, an eventfd that one thread polls beside its other descriptors and any
// thread signals to end that poll early (a ChangeListener's interrupt()). Thread-safe.

#include <cerrno>
#include <cstdint>
#include <leanspec/error.hpp>
#include <string>
#include <sys/eventfd.h>
#include <unistd.h>

namespace leanspec::detail {

class Wakeup {
public:
  Wakeup() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (fd_ < 0)
      throw Error(ErrorCode::io, "cannot create an eventfd: " + std::to_string(errno));
  }
  ~Wakeup() { ::close(fd_); }
  Wakeup(const Wakeup &) = delete;
  Wakeup &operator=(const Wakeup &) = delete;

  int fd() const noexcept { return fd_; }
  void signal() noexcept {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(fd_, &one, sizeof one);
  }
  /// Clears a signal; true when there was one.
  bool drain() noexcept {
    std::uint64_t count = 0;
    return ::read(fd_, &count, sizeof count) == sizeof count;
  }

private:
  int fd_;
};

} // namespace leanspec::detail
