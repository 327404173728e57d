// Implements src/db/search/database_search.hpp: parse, ask the store, parse the hits' folders,
// place the snippets by the query's positive body terms as the evaluator collects them
// (evaluator.cpp), with each fuzzy word's terms as the store expanded them.
#include "db/search/database_search.hpp"

#include "db/parse_stored.hpp"
#include "query/query_ast.hpp"
#include "query/query_parser.hpp"
#include "query/search.hpp"
#include "query/search_cursor.hpp"
#include "query/snippet.hpp"

#include <memory>

namespace leanspec::detail {
namespace {

// The query's positive body terms (Highlights), in the pre-order QuerySql expands fuzzy words.
class HighlightCollector {
public:
  HighlightCollector(Highlights &out, const std::vector<std::vector<std::string>> &fuzzy)
      : out_(out), fuzzy_(fuzzy) {}

  void walk(const QueryNode &node, bool positive) {
    switch (node.kind) {
    case NodeKind::word:
    case NodeKind::phrase:
      if (!positive || node.title_only || node.tokens.empty())
        return;
      if (node.tokens.size() > 1 || node.kind == NodeKind::phrase)
        out_.phrases.emplace_back(node.tokens);
      else
        out_.prefixes.push_back(node.tokens.front());
      return;
    case NodeKind::fuzzy:
      if (next_fuzzy_ < fuzzy_.size()) {
        if (positive && !node.title_only)
          for (const std::string &term : fuzzy_[next_fuzzy_])
            out_.exact.push_back(term);
        ++next_fuzzy_;
      }
      return;
    case NodeKind::not_op:
      walk(node.children.front(), !positive);
      return;
    default:
      for (const QueryNode &child : node.children)
        walk(child, positive);
    }
  }

private:
  Highlights &out_;
  const std::vector<std::vector<std::string>> &fuzzy_;
  std::size_t next_fuzzy_ = 0;
};

} // namespace

SearchResult search_database(Store &store, const std::vector<std::string> &project_ids,
                             const SearchQuery &query) {
  const std::shared_ptr<const Query> parsed = parse_query(query.text);
  const std::size_t offset = decode_search_cursor(query.cursor);
  StoreSearchPage page = store.search({.project_ids = project_ids,
                                       .query = parsed.get(),
                                       .filter = &query.filter,
                                       .limit = query.limit,
                                       .offset = offset});
  Highlights highlights;
  if (parsed->root)
    HighlightCollector(highlights, page.fuzzy_terms).walk(*parsed->root, true);
  std::sort(highlights.exact.begin(), highlights.exact.end());

  SearchResult result;
  result.total = page.total;
  result.hits.reserve(page.hits.size());
  for (StoreHit &hit : page.hits) {
    auto spec = std::make_shared<const Spec>(parse_stored(hit.spec));
    const std::size_t first = first_highlight(spec->body, highlights);
    std::string snippet = make_snippet(spec->body, first == std::string_view::npos ? 0 : first);
    result.hits.push_back({std::move(spec), hit.score, std::move(snippet), hit.project_id});
  }
  if (query.limit && offset + page.hits.size() < page.total)
    result.next_cursor = encode_search_cursor(offset + page.hits.size());
  return result;
}

} // namespace leanspec::detail
