// Implements src/core/change_notifier.hpp.
#include "core/change_notifier.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace leanspec::detail {
namespace {

struct Slot {
  std::recursive_mutex mutex; // held while the callback runs; recursive for reset() inside it
  ChangeCallback callback;
  bool active = true;
};

} // namespace

struct ChangeNotifier::State {
  std::mutex mutex;
  std::condition_variable wake;
  std::vector<std::shared_ptr<Slot>> slots;
  std::deque<ChangeEvent> queue;
  bool stopping = false;
  std::thread dispatcher; // started by the first event that has someone to go to

  // The dispatcher owns a reference, so it may outlive the notifier when it has to be
  // detached (the notifier destroyed from inside a callback).
  static void run(const std::shared_ptr<State> &self) {
    for (;;) {
      ChangeEvent event;
      std::vector<std::shared_ptr<Slot>> slots;
      {
        std::unique_lock lock(self->mutex);
        self->wake.wait(lock, [&] { return self->stopping || !self->queue.empty(); });
        if (self->stopping)
          return;
        event = std::move(self->queue.front());
        self->queue.pop_front();
        slots = self->slots;
      }
      for (const auto &slot : slots) {
        const std::lock_guard guard(slot->mutex);
        if (!slot->active)
          continue;
        try {
          slot->callback(event);
        } catch (...) {
          // A subscriber's failure is its own; the others still hear of the change.
        }
      }
    }
  }
};

ChangeNotifier::ChangeNotifier() : state_(std::make_shared<State>()) {}

ChangeNotifier::~ChangeNotifier() {
  std::thread dispatcher;
  {
    const std::lock_guard lock(state_->mutex);
    state_->stopping = true;
    state_->queue.clear();
    dispatcher = std::move(state_->dispatcher);
  }
  state_->wake.notify_all();
  if (!dispatcher.joinable())
    return;
  if (dispatcher.get_id() == std::this_thread::get_id())
    dispatcher.detach(); // destroyed by a callback: the thread ends when that callback returns
  else
    dispatcher.join();
}

Subscription ChangeNotifier::subscribe(ChangeCallback callback) {
  auto slot = std::make_shared<Slot>();
  slot->callback = std::move(callback);
  {
    const std::lock_guard lock(state_->mutex);
    state_->slots.push_back(slot);
  }
  return Subscription([weak = std::weak_ptr<State>(state_), slot] {
    {
      const std::lock_guard guard(slot->mutex); // waits for a running call on another thread
      slot->active = false;
    }
    if (const auto state = weak.lock()) {
      const std::lock_guard lock(state->mutex);
      std::erase(state->slots, slot);
    }
  });
}

void ChangeNotifier::publish(ChangeEvent event) {
  {
    const std::lock_guard lock(state_->mutex);
    if (state_->stopping || state_->slots.empty())
      return;
    state_->queue.push_back(std::move(event));
    if (!state_->dispatcher.joinable())
      state_->dispatcher = std::thread(&State::run, state_);
  }
  state_->wake.notify_one();
}

bool ChangeNotifier::empty() const {
  const std::lock_guard lock(state_->mutex);
  return state_->slots.empty();
}

} // namespace leanspec::detail
