// EventRecorder (support/event_recorder.hpp).
#include "support/event_recorder.hpp"

#include <doctest/doctest.h>

namespace leanspec::test {

EventRecorder::EventRecorder(const SpecSource &source)
    : subscription_(source.subscribe([this](const ChangeEvent &event) {
        {
          const std::lock_guard lock(mutex_);
          events_.push_back(event);
        }
        arrived_.notify_all();
      })) {}

std::vector<ChangeEvent> EventRecorder::events() const {
  const std::lock_guard lock(mutex_);
  return events_;
}

ChangeEvent EventRecorder::next() {
  std::unique_lock lock(mutex_);
  REQUIRE(arrived_.wait_for(lock, patience, [&] { return events_.size() > next_; }));
  return events_[next_++];
}

std::size_t EventRecorder::pending() const {
  const std::lock_guard lock(mutex_);
  return events_.size() - next_;
}

} // namespace leanspec::test
