#pragma once
// Internal: how a sync step stops the sync (SyncFailure) or gives up on a webhook hint
// (HintMismatch); thrown inside src/github and turned into the run's record by Syncer::run.

#include <cstdint>
#include <string>

namespace leanspec::detail {

// A sync that cannot go on; `retry_at` (unix ms) set for a rate limit.
struct SyncFailure {
  std::string message;
  std::int64_t retry_at = 0;
};

// A hint that turned out not to fit (a path the payload named is gone): use the tree.
struct HintMismatch {};

} // namespace leanspec::detail
