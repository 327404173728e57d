#pragma once
// The tag matching a Filter asks for (include/leanspec/query.hpp), honouring the deprecated
// Filter::tags_match_all for one release. Implemented in src/core/spec_source.cpp.
#include <leanspec/query.hpp>

namespace leanspec::detail {

/// `filter.tags_match_all` when it was assigned (deprecated), else `filter.tags_match`.
TagsMatch tags_match_of(const Filter &filter) noexcept;

} // namespace leanspec::detail
