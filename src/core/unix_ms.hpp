#pragma once
// Internal: unix_ms(), now as the library writes points in time: unix milliseconds.
#include <chrono>
#include <cstdint>

namespace leanspec::detail {

/// Now, in unix ms.
inline std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

} // namespace leanspec::detail
