// Implements the change events section of capi/leanspec.h: a subscription holds its source and
// the C++ Subscription, and turns each ChangeEvent into JSON for the C callback.
#include "guard.hpp"

using namespace leanspec;
using namespace leanspec::capi;

extern "C" {

leanspec_status leanspec_source_subscribe(leanspec_subscription **out,
                                          const leanspec_source *source,
                                          leanspec_change_cb callback, void *user_data) noexcept {
  return guard([&] {
    reset(out);
    require(callback, "callback");
    auto sub = std::make_unique<leanspec_subscription>();
    sub->source = require(source, "source")->impl;
    sub->impl = sub->source->subscribe([callback, user_data](const ChangeEvent &event) {
      const auto json = to_json(event); // a throw here is dropped by the notifier, never C's
      callback(json.c_str(), json.size(), user_data);
    });
    *out = sub.release();
  });
}

void leanspec_subscription_free(leanspec_subscription *subscription) noexcept {
  delete subscription; // Subscription's destructor unsubscribes, then the source reference goes
}

} // extern "C"
