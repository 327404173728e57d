#pragma once
// Internal: the check that a ref or path given relative to the specs directory stays inside it
// (spec refs, frontmatter refs, the configured specsDir). Thread-safe (a pure function).

#include <string_view>

namespace leanspec::detail {

/// Rejects a ref or path that would leave the specs directory (`..`, absolute, NUL, `\`).
/// @throws leanspec::Error invalid_argument naming `what` and the ref
void check_relative_ref(std::string_view ref, std::string_view what);

} // namespace leanspec::detail
