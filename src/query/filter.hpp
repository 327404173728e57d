#pragma once
// Internal: the test of a spec against a Filter (include/leanspec/query.hpp), which list()
// (src/snapshot/) and run_search() (search.cpp) apply. Implemented in filter.cpp. Thread-safe.

#include <leanspec/query.hpp>
#include <leanspec/spec.hpp>

namespace leanspec::detail {

/// True when `spec` passes every member of `filter`.
bool matches(const Spec &spec, const Filter &filter) noexcept;

} // namespace leanspec::detail
