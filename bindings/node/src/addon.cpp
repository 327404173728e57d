// The Node addon's entry point: per-env AddonData, then each public header's bindings.
#include "addon.hpp"

namespace leanspec::node {

AddonData &addon_data(Napi::Env env) { return *env.GetInstanceData<AddonData>(); }

Napi::Object init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonData()); // deleted by Node at env teardown
  init_spec(env, exports);
  init_spec_source(env, exports);
  init_filesystem_source(env, exports);
  init_caching_source(env, exports);
  init_database_source(env, exports);
  init_specs_service(env, exports);
  init_github_sync(env, exports);
  init_schedulers(env, exports);
  return exports;
}

} // namespace leanspec::node

// The macro pastes the function's name into an identifier: it needs an unqualified one.
static Napi::Object init_addon(Napi::Env env, Napi::Object exports) {
  return leanspec::node::init(env, exports);
}
NODE_API_MODULE(leanspec, init_addon)
