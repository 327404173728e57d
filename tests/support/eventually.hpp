#pragma once
// patience and eventually(): how long a test waits for what another thread or process does,
// and the bounded poll for a state that no event announces. A wait ends as soon as its
// condition holds; the bound only decides how long a failing test takes.

#include <chrono>
#include <thread>

namespace leanspec::test {

/// The upper bound of a wait, never a delay: generous, because sanitizer builds on a busy
/// two-core machine are slow.
inline constexpr std::chrono::milliseconds patience = std::chrono::seconds(30);

/// Checks `done` every 10 ms until it holds (true) or `within` has passed (false).
template <class Done> bool eventually(Done &&done, std::chrono::milliseconds within = patience) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

} // namespace leanspec::test
