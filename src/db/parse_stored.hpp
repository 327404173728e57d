#pragma once
// Internal: a stored spec folder (Store::specs, Store::search) parsed into a Spec, as the
// filesystem source parses the folder. Implemented in parse_stored.cpp. Thread-safe.

#include "db/store.hpp"

#include <leanspec/spec.hpp>

namespace leanspec::detail {

Spec parse_stored(const StoredSpec &stored);

} // namespace leanspec::detail
