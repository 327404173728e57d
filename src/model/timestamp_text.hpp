#pragma once
// Internal: a point in time as LeanSpec's tools write it into frontmatter
// (`2026-02-01T15:22:52.957908Z`: UTC, microseconds). Implemented in spec_update.cpp.

#include <chrono>
#include <string>

namespace leanspec::detail {

std::string timestamp_text(std::chrono::system_clock::time_point time);

} // namespace leanspec::detail
