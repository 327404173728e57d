#pragma once
// Internal to capi/: what the opaque handles of leanspec.h hold. A handle owns a shared_ptr,
// so a caching source keeps its inner source alive and a subscription keeps its source alive
// (children keep parents alive), whichever handle the host frees first.

#include <leanspec/leanspec.hpp>
#include <leanspec/specs_service.hpp>
#include <memory>

struct leanspec_source {
  std::shared_ptr<leanspec::SpecSource> impl;
};

/// A service, and the view of it as a source that leanspec_service_source() lends.
struct leanspec_service {
  explicit leanspec_service(std::shared_ptr<leanspec::SpecsService> service)
      : impl(std::move(service)), source{impl} {}
  std::shared_ptr<leanspec::SpecsService> impl;
  leanspec_source source;
};

struct leanspec_subscription {
  std::shared_ptr<const leanspec::SpecSource> source; // outlives the subscription
  leanspec::Subscription impl;
};
