#pragma once
// Internal: where in its interval a project's scheduled syncs fall (src/github/sync_spread.cpp),
// so that 1,000 projects found due together (a scheduler starting, a store last synced hours
// ago) are synced across the interval instead of all at once. Pure functions.

#include <cstdint>
#include <string_view>

namespace leanspec::detail {

/// A project's slot in an interval of `interval_ms`: FNV-1a 64 of its id, modulo the interval
/// (0 for an interval under 1 ms). The same in every process, so instances sharing a store
/// agree on it.
std::int64_t sync_phase(std::string_view project_id, std::int64_t interval_ms) noexcept;

/// The first time at or after `now_ms` that falls on the project's slot (a multiple of the
/// interval after its phase, counted from the unix epoch): within one interval from now.
std::int64_t spread_due(std::string_view project_id, std::int64_t interval_ms,
                        std::int64_t now_ms) noexcept;

} // namespace leanspec::detail
