// Implements src/github/sync_spread.hpp: FNV-1a 64 over the project id, then modular arithmetic.
#include "github/sync_spread.hpp"

namespace leanspec::detail {

std::int64_t sync_phase(std::string_view project_id, std::int64_t interval_ms) noexcept {
  if (interval_ms < 1)
    return 0;
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : project_id) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return static_cast<std::int64_t>(hash % static_cast<std::uint64_t>(interval_ms));
}

std::int64_t spread_due(std::string_view project_id, std::int64_t interval_ms,
                        std::int64_t now_ms) noexcept {
  if (interval_ms < 1)
    return now_ms;
  const std::int64_t phase = sync_phase(project_id, interval_ms);
  const std::int64_t into = ((now_ms - phase) % interval_ms + interval_ms) % interval_ms;
  return into == 0 ? now_ms : now_ms + (interval_ms - into);
}

} // namespace leanspec::detail
