// Implements run_search() of src/query/search.hpp: evaluates a Query (evaluator.cpp), applies
// the filter, orders the matches by score and cuts their snippets (snippet.cpp).
#include "query/search.hpp"

#include "query/evaluator.hpp"
#include "query/filter.hpp"
#include "query/search_cursor.hpp"
#include "query/search_index.hpp"

#include <algorithm>
#include <leanspec/error.hpp>

namespace leanspec::detail {

SearchResult run_search(const std::vector<SpecPtr> &specs, const SearchIndex &index,
                        const Query &query, const Filter &filter, std::size_t limit,
                        std::size_t skip) {
  if (index.spec_count() != specs.size())
    throw Error(ErrorCode::internal, "search: the index was built over other specs");
  Evaluation evaluation = evaluate(specs, index, query);
  Matches &found = evaluation.matches;
  std::erase_if(found, [&](const Scored &s) { return !matches(*specs[s.spec], filter); });

  SearchResult result;
  result.total = found.size();
  const std::size_t begin = std::min(skip, found.size());
  const std::size_t count =
      limit == 0 ? found.size() - begin : std::min(limit, found.size() - begin);
  const auto better = [&](const Scored &a, const Scored &b) {
    if (a.score != b.score)
      return a.score > b.score;
    const Spec &x = *specs[a.spec], &y = *specs[b.spec];
    if (x.number != y.number)
      return x.number < y.number;
    if (x.id != y.id)
      return x.id < y.id;
    return a.spec < b.spec;
  };
  std::partial_sort(found.begin(), found.begin() + static_cast<std::ptrdiff_t>(begin + count),
                    found.end(), better);
  if (begin + count < found.size())
    result.next_cursor = encode_search_cursor(begin + count);

  Highlights &highlights = evaluation.highlights;
  std::sort(highlights.exact.begin(), highlights.exact.end());
  result.hits.reserve(count);
  for (std::size_t k = begin; k < begin + count; ++k) {
    const Scored &s = found[k];
    const SpecPtr &spec = specs[s.spec];
    std::size_t offset = 0;
    if (s.body) {
      const std::size_t first = first_highlight(spec->body, highlights);
      offset = first == std::string_view::npos ? 0 : first;
    }
    result.hits.push_back({spec, static_cast<double>(s.score), make_snippet(spec->body, offset)});
  }
  return result;
}

} // namespace leanspec::detail
