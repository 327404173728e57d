#pragma once
// EventRecorder: the change events a source sends, recorded for a test to wait on and read.

#include "support/eventually.hpp"

#include <condition_variable>
#include <cstddef>
#include <leanspec/spec_source.hpp>
#include <mutex>
#include <vector>

namespace leanspec::test {

class EventRecorder {
public:
  /// Records the events `source` sends from now until the recorder is destroyed.
  explicit EventRecorder(const SpecSource &source);
  EventRecorder(const EventRecorder &) = delete;
  EventRecorder &operator=(const EventRecorder &) = delete;

  /// Waits until `done()` holds, checking it now and after every event, for at most `patience`.
  /// `done` runs without the recorder's lock, so it may call the source or events().
  template <class Done> bool wait(Done &&done) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    std::unique_lock lock(mutex_);
    for (;;) {
      const std::size_t seen = events_.size();
      lock.unlock();
      const bool held = done();
      lock.lock();
      if (held)
        return true;
      if (!arrived_.wait_until(lock, deadline, [&] { return events_.size() != seen; }))
        return false;
    }
  }
  /// Every event so far, oldest first.
  std::vector<ChangeEvent> events() const;
  /// The oldest event next() has not returned yet, waiting for it at most `patience`; a failed
  /// REQUIRE when none comes.
  ChangeEvent next();
  /// How many events next() has not returned yet.
  std::size_t pending() const;

private:
  mutable std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<ChangeEvent> events_;
  std::size_t next_ = 0;      // index of the event next() returns
  Subscription subscription_; // last: unsubscribed before the members above go
};

} // namespace leanspec::test
