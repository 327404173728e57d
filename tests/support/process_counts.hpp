#pragma once
// open_descriptor_count() and thread_count(): what this process holds now, read from
// /proc/self, for tests that check a component leaves no descriptor or thread behind.

#include <cstddef>
#include <filesystem>

namespace leanspec::test {

/// How many entries `folder` has.
inline std::size_t entry_count(const std::filesystem::path &folder) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto &e : std::filesystem::directory_iterator(folder))
    ++n;
  return n;
}

/// The descriptors this process has open (the count includes the one the count itself uses).
inline std::size_t open_descriptor_count() { return entry_count("/proc/self/fd"); }
/// The threads this process runs.
inline std::size_t thread_count() { return entry_count("/proc/self/task"); }

} // namespace leanspec::test
