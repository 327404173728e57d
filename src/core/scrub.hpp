#pragma once
// Internal: secrets taken out of a message before it is shown (a driver's error, a sync run's
// record, a webhook answer). Used by the database URL (src/db/database_url.cpp) and the GitHub
// sync (src/github/). Thread-safe (a pure function).

#include <string>
#include <vector>

namespace leanspec::detail {

/// `message` with every place a non-empty secret stands replaced by "***"; places that overlap
/// or touch become one "***".
std::string scrub(std::string message, const std::vector<std::string> &secrets);

} // namespace leanspec::detail
