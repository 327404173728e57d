#pragma once
// Internal: the index terms a parsed query can look up (evaluator.cpp): each word's token as a
// prefix, each phrase's and quoted word's tokens exactly. An index built over only these terms
// (build_search_index with a QueryTerms) answers that query exactly as the whole index does:
// the terms it keeps have the same postings and document frequencies, and the body lengths
// still count every token. Building it skips hashing and sorting the rest of the vocabulary,
// the bulk of the work, so one search over specs nobody searched before (a process that will
// exit, a database project served cold) need not build the whole index. A fuzzy word can match
// any term: with one, every term is kept. Implemented in query_terms.cpp. Immutable once built.

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leanspec::detail {

struct Query; // query_ast.hpp

class QueryTerms {
public:
  explicit QueryTerms(const Query &query);

  /// Whether a token starting with lower-cased byte `first` may be wanted.
  bool may_start(unsigned char first) const noexcept { return all_ || first_bytes_[first]; }

  /// Whether the index must keep lower-cased token `token`.
  bool wants(std::string_view token) const noexcept {
    if (all_)
      return true;
    if (token.empty() || !first_bytes_[static_cast<unsigned char>(token.front())])
      return false;
    for (const auto &[term, prefix] : terms_)
      if (prefix ? token.starts_with(term) : token == term)
        return true;
    return false;
  }

private:
  std::vector<std::pair<std::string, bool>> terms_; // (token, matched as a prefix)
  std::array<bool, 256> first_bytes_{};             // the terms' first bytes
  bool all_ = false;
};

} // namespace leanspec::detail
