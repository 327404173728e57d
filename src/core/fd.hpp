#pragma once
// Internal: an open file descriptor, closed when dropped (the specs tree's reads, the writes of
// src/fs/atomic_write.cpp).

#include <unistd.h>
#include <utility>

namespace leanspec::detail {

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
  /// The descriptor, no longer closed by this object.
  int release() noexcept { return std::exchange(fd, -1); }
};

} // namespace leanspec::detail
