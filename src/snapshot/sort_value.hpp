#pragma once
// Internal: SortValue, a spec's position under a list's Sort (Snapshot::list orders and pages by
// it; SpecsService merges the lists of a project set by it). Implemented in sort_value.cpp.
#include <leanspec/query.hpp>
#include <leanspec/spec.hpp>
#include <string>
#include <tuple>

namespace leanspec::detail {

/// A spec's position under a sort: primary number, primary text, then number and id.
struct SortValue {
  long long primary = 0;
  std::string text;
  long long number = 0;
  std::string id;

  auto tie() const { return std::tie(primary, text, number, id); }
};

/// `spec`'s position under `key`.
SortValue sort_value(const Spec &spec, Sort::Key key);

/// Whether `a` comes before `b` in a list sorted by `sort` (its direction included).
inline bool sorts_before(const Sort &sort, const SortValue &a, const SortValue &b) {
  return sort.descending ? b.tie() < a.tie() : a.tie() < b.tie();
}

} // namespace leanspec::detail
