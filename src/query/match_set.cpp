// Implements src/query/match_set.hpp: intersection, union and difference of sorted Matches.
#include "query/match_set.hpp"

#include <algorithm>

namespace leanspec::detail {

Matches intersect(const Matches &a, const Matches &b) {
  Matches out;
  out.reserve(std::min(a.size(), b.size()));
  for (std::size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i].spec < b[j].spec) {
      ++i;
    } else if (b[j].spec < a[i].spec) {
      ++j;
    } else {
      out.push_back({a[i].spec, a[i].score + b[j].score, a[i].body || b[j].body});
      ++i;
      ++j;
    }
  }
  return out;
}

Matches unite(const Matches &a, const Matches &b) {
  Matches out;
  out.reserve(a.size() + b.size());
  std::size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].spec < b[j].spec)) {
      out.push_back(a[i++]);
    } else if (i == a.size() || b[j].spec < a[i].spec) {
      out.push_back(b[j++]);
    } else {
      out.push_back({a[i].spec, a[i].score + b[j].score, a[i].body || b[j].body});
      ++i;
      ++j;
    }
  }
  return out;
}

Matches subtract(const Matches &a, const Matches &b) {
  Matches out;
  out.reserve(a.size());
  std::size_t j = 0;
  for (const Scored &s : a) {
    while (j < b.size() && b[j].spec < s.spec)
      ++j;
    if (j == b.size() || b[j].spec != s.spec)
      out.push_back(s);
  }
  return out;
}

} // namespace leanspec::detail
