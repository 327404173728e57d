// The sync schedulers an env started, and stopSchedulers(), which index.js calls on the
// process's 'exit' event. process.exit() goes straight to the C exit(): no env teardown, no
// finalizers, so a scheduler thread left running would go on syncing while static destructors
// run (simdjson's implementations, OpenSSL's tables) and die on what they destroyed.
#include "addon.hpp"

#include <algorithm>

namespace leanspec::node {

void Schedulers::start(const std::function<void()> &start, std::weak_ptr<void> owner,
                       std::function<void()> stop) {
  const std::lock_guard lock(mutex_);
  if (exiting_)
    return;
  start();
  std::erase_if(started_, [](const Started &s) { return s.owner.expired(); });
  started_.push_back({std::move(owner), std::move(stop)});
}

void Schedulers::stop_all() noexcept {
  std::vector<Started> started;
  {
    const std::lock_guard lock(mutex_);
    exiting_ = true;
    started.swap(started_);
  }
  for (const Started &s : started)
    s.stop();
}

void init_schedulers(Napi::Env env, Napi::Object exports) {
  // stopSchedulers(): void, synchronous: the 'exit' event allows nothing else.
  exports.Set("stopSchedulers", Napi::Function::New(env, [](const Napi::CallbackInfo &info) {
                addon_data(info.Env()).schedulers->stop_all();
              }));
}

} // namespace leanspec::node
