// Implements src/query/query_terms.hpp: the query tree walked once, as the evaluator looks its
// text nodes up (evaluator.cpp: word, phrase, fuzzy), under NOT as well.
#include "query/query_terms.hpp"

#include "query/query_ast.hpp"

namespace leanspec::detail {
namespace {

void collect(const QueryNode &node, std::vector<std::pair<std::string, bool>> &terms, bool &all) {
  switch (node.kind) {
  case NodeKind::word:
  case NodeKind::phrase:
    // A one-token word is a prefix; a quoted word and the tokens of a phrase (or of a word of
    // several tokens) match exactly.
    for (const std::string &token : node.tokens)
      terms.emplace_back(token, node.kind == NodeKind::word && node.tokens.size() == 1);
    return;
  case NodeKind::fuzzy:
    all = true;
    return;
  default:
    for (const QueryNode &child : node.children)
      collect(child, terms, all);
  }
}

} // namespace

QueryTerms::QueryTerms(const Query &query) {
  if (query.root)
    collect(*query.root, terms_, all_);
  for (const auto &[term, prefix] : terms_)
    if (!term.empty()) // tokens never are
      first_bytes_[static_cast<unsigned char>(term.front())] = true;
}

} // namespace leanspec::detail
