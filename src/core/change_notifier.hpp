#pragma once
// Internal: ChangeNotifier, the subscriber list behind SpecSource::subscribe(). publish() only
// queues the event; a dispatcher thread of the notifier's own calls the subscribers, in order,
// so a slow subscriber delays later events but never the publisher. Unsubscribing waits for a
// running callback to finish, except from inside that callback. Thread-safe.

#include <leanspec/spec_source.hpp>
#include <memory>

namespace leanspec::detail {

class ChangeNotifier {
public:
  ChangeNotifier();
  /// Stops the dispatcher; events still queued are dropped. Subscriptions may outlive it.
  ~ChangeNotifier();
  ChangeNotifier(const ChangeNotifier &) = delete;
  ChangeNotifier &operator=(const ChangeNotifier &) = delete;

  Subscription subscribe(ChangeCallback callback);
  /// Queues `event` for every current subscriber; never blocks on a subscriber.
  void publish(ChangeEvent event);
  /// True when nobody listens (the publisher may skip computing events).
  bool empty() const;

private:
  struct State;
  std::shared_ptr<State> state_;
};

} // namespace leanspec::detail
