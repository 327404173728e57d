#pragma once
// Internal: LeanSpec's query language and ranked search over a snapshot's specs.
// parse_query() turns text into a Query; SearchIndex is an inverted index over the specs'
// title, tags, id and body, built once per snapshot; run_search() evaluates and ranks.
// Thread-safe: a built index is immutable.

#include <cstddef>
#include <cstdint>
#include <leanspec/query.hpp>
#include <leanspec/spec.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace leanspec::detail {

struct Query; // the parsed AST, defined in query_ast.hpp

/// Parses a query. @throws leanspec::Error invalid_argument naming the position and problem.
std::shared_ptr<const Query> parse_query(std::string_view text);
/// A canonical text form: parse_query(to_string(q)) gives an equal query.
std::string to_string(const Query &query);
bool operator==(const Query &a, const Query &b) noexcept;

// --- Tokens -------------------------------------------------------------------------------
// A token is a maximal run of ASCII letters and digits and of non-ASCII bytes (so a UTF-8
// sequence is never split); it is compared ASCII-lower-cased. Everything else separates.

/// True for a byte that belongs to a token.
constexpr bool is_token_byte(unsigned char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}
/// ASCII lower-casing of one byte; other bytes are unchanged.
constexpr char fold_byte(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
/// The ASCII lower-case copy of `text`.
std::string fold(std::string_view text);
/// True when `raw` lower-cased equals `folded` (which is already lower-case).
bool equals_folded(std::string_view raw, std::string_view folded) noexcept;
/// True when `raw` lower-cased starts with `folded`.
bool starts_with_folded(std::string_view raw, std::string_view folded) noexcept;

/// Calls `f(offset, size)` for each token of `text`, in order. When `f` returns bool, false stops
/// the walk (and for_each_token returns false).
template <class F> bool for_each_token(std::string_view text, F &&f) {
  const auto *p = reinterpret_cast<const unsigned char *>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    while (i < n && !is_token_byte(p[i]))
      ++i;
    if (i == n)
      break;
    const std::size_t begin = i;
    while (i < n && is_token_byte(p[i]))
      ++i;
    if constexpr (std::is_same_v<std::invoke_result_t<F &, std::size_t, std::size_t>, bool>) {
      if (!f(begin, i - begin))
        return false;
    } else {
      f(begin, i - begin);
    }
  }
  return true;
}
/// The lower-cased tokens of `text`.
std::vector<std::string> tokenize(std::string_view text);

// --- Text scanning ----------------------------------------------------------------------------
// Phrases and word prefixes are found in text by two of their bytes at a fixed distance; only
// where both match is the rest compared (search.cpp).

/// How find_byte_pair() steps through text: a byte at a time, or 16 or 32 positions (x86-64).
enum class ScanLevel : std::uint8_t { scalar, sse2, avx2 };
/// The widest ScanLevel this CPU runs.
ScanLevel best_scan_level() noexcept;
/// The first i >= `from` where text[i] is `first` and text[i + gap] is `second`, both compared
/// ASCII case-insensitively (`first` and `second` are lower-case), or npos. `level` is at most
/// best_scan_level(); every level gives the same answer.
std::size_t find_byte_pair(std::string_view text, std::size_t from, char first, char second,
                           std::size_t gap, ScanLevel level = best_scan_level()) noexcept;

// --- Index ----------------------------------------------------------------------------------

/// The index terms of one spec, computed from that spec alone (so a snapshot rebuilt after a
/// change can recompute only the changed specs' terms and merge).
struct SpecTerms {
  struct Entry {
    std::uint32_t offset = 0; ///< into `chars`
    std::uint32_t size = 0;
    std::uint32_t hash = 0;   ///< term_hash() of the token
    std::uint8_t fields = 0;  ///< SearchIndex::in_* bits
    std::uint8_t body_tf = 0; ///< occurrences in the body, saturated at 15
  };
  std::string chars;             ///< the distinct lower-cased tokens, concatenated
  std::vector<Entry> entries;    ///< one per distinct token, in first-seen order
  std::uint32_t body_length = 0; ///< tokens in the body

  std::string_view token(const Entry &e) const noexcept {
    return {chars.data() + e.offset, e.size};
  }
};
/// The hash of a (lower-cased) token that SpecTerms::Entry::hash holds.
std::uint32_t term_hash(std::string_view token) noexcept;
/// Tokenizes a spec's title, tags, id and body.
SpecTerms collect_spec_terms(const Spec &spec);

/// An inverted index over specs: a sorted vocabulary of lower-case tokens, each with a
/// delta+varint-coded postings list of (spec index, field bits, saturated body term frequency).
/// No text is stored besides the vocabulary. Immutable once built.
///
/// A term's list is varint(document frequency << 1 | short), then its postings by ascending
/// spec, each a delta from the previous one's spec (the first from 0) and a field byte
/// (fields | body_tf << 4). The commonest posting, a token once in the body and nowhere else,
/// is ~70% of all: in a `short` list, which the builder picks when most of its postings are of
/// that kind, they are varint(delta << 1) and the others varint(delta << 1 | 1) and the byte;
/// other lists have varint(delta) and the byte for every posting, so that decoding them takes
/// no branch that mispredicts often.
class SearchIndex {
public:
  /// Field bits of a posting.
  enum : std::uint8_t { in_title = 1, in_tags = 2, in_id = 4, in_body = 8 };
  struct Posting {
    std::uint32_t spec = 0;
    std::uint8_t fields = 0;
    std::uint8_t body_tf = 0;
  };

  std::size_t spec_count() const noexcept { return body_lengths_.size(); }
  std::size_t term_count() const noexcept { return term_offsets_.size() - 1; }
  /// The `t`-th term of the sorted vocabulary.
  std::string_view term(std::size_t t) const noexcept {
    return {terms_.data() + term_offsets_[t], term_offsets_[t + 1] - term_offsets_[t]};
  }
  /// The terms that start with `prefix`, as [first, last) of the vocabulary. O(log terms).
  std::pair<std::size_t, std::size_t> prefix_range(std::string_view prefix) const noexcept;
  /// The term equal to `token`, or term_count() when none.
  std::size_t find(std::string_view token) const noexcept;
  /// How many specs hold term `t`.
  std::uint32_t document_frequency(std::size_t t) const noexcept {
    const std::uint8_t *p = postings_.get() + posting_offsets_[t];
    return read_varint(p) >> 1;
  }
  /// Tokens in spec `spec`'s body.
  std::uint32_t body_length(std::size_t spec) const noexcept { return body_lengths_[spec]; }
  double average_body_length() const noexcept { return average_body_length_; }
  /// Bytes held by the index (approximate).
  std::size_t memory_usage() const noexcept;

  /// Calls `f(const Posting &)` for each spec holding term `t`, by ascending spec index.
  template <class F> void for_each_posting(std::size_t t, F &&f) const {
    const std::uint8_t *p = postings_.get() + posting_offsets_[t];
    const std::uint8_t *end = postings_.get() + posting_offsets_[t + 1];
    const bool is_short = read_varint(p) & 1u; // after the document frequency
    Posting posting;
    std::uint32_t spec = 0;
    if (is_short) {
      while (p < end) {
        const std::uint32_t value = read_varint(p);
        spec += value >> 1;
        posting.spec = spec;
        if (value & 1u) {
          posting.fields = *p & 0x0fu;
          posting.body_tf = static_cast<std::uint8_t>(*p++ >> 4);
        } else {
          posting.fields = in_body;
          posting.body_tf = 1;
        }
        f(posting);
      }
    } else {
      while (p < end) {
        spec += read_varint(p);
        posting.spec = spec;
        posting.fields = *p & 0x0fu;
        posting.body_tf = static_cast<std::uint8_t>(*p++ >> 4);
        f(posting);
      }
    }
  }

  /// Decodes the LEB128 varint at `p` and moves `p` past it.
  static std::uint32_t read_varint(const std::uint8_t *&p) noexcept {
    std::uint32_t value = 0;
    int shift = 0;
    while (*p & 0x80u) {
      value |= static_cast<std::uint32_t>(*p++ & 0x7fu) << shift;
      shift += 7;
    }
    return value | static_cast<std::uint32_t>(*p++) << shift;
  }

private:
  friend class SearchIndexBuilder;
  std::string terms_;                          // sorted vocabulary, concatenated
  std::vector<std::uint32_t> term_offsets_{0}; // term t is terms_[off[t], off[t+1])
  std::unique_ptr<std::uint8_t[]> postings_;   // not a vector: written without zero-filling
  std::size_t postings_size_ = 0;
  std::vector<std::uint32_t> posting_offsets_{0}; // term t's list is postings_[off[t], off[t+1])
  std::vector<std::uint32_t> body_lengths_;
  double average_body_length_ = 0;
};

/// Builds a SearchIndex from specs' terms added in spec order (spec index = call order).
/// Holds the vocabulary and each added spec's term ids (coded like postings) until finish(),
/// which writes the index's arrays in place; at its peak it holds about 1.6 times what the
/// finished index does (23 MB against 15 MB for the 10,000-spec benchmark corpus).
/// Single-thread.
class SearchIndexBuilder {
public:
  SearchIndexBuilder();
  ~SearchIndexBuilder();
  SearchIndexBuilder(const SearchIndexBuilder &) = delete;
  SearchIndexBuilder &operator=(const SearchIndexBuilder &) = delete;

  /// Adds the next spec's terms.
  /// @throws leanspec::Error internal past 2^31 specs or a vocabulary of 4 GiB
  void add(const SpecTerms &terms);
  /// The index of everything added; the builder is empty afterwards.
  /// @throws leanspec::Error internal when the postings would exceed 4 GiB
  std::shared_ptr<const SearchIndex> finish();

private:
  struct State;
  std::unique_ptr<State> state_;
};

/// Builds the index over `specs` (the order is the snapshot's; hits refer to these indices).
/// Tokenizes on two threads (the calling one and a std::jthread) for more than a few specs.
/// @throws leanspec::Error internal when the postings would exceed 4 GiB
std::shared_ptr<const SearchIndex> build_search_index(const std::vector<SpecPtr> &specs);

/// About 160 bytes of `body` around byte `offset` (where a match starts), blanks collapsed to
/// single spaces, cut at UTF-8 boundaries, with "…" where text was cut off.
std::string make_snippet(std::string_view body, std::size_t offset);

/// Evaluates `query` (with `filter` on top), ranks title and tag matches above body matches,
/// and cuts to `limit` (0: all). Each hit carries a snippet. Ties: spec number, then id.
/// @throws leanspec::Error internal when `index` was built over another number of specs
SearchResult run_search(const std::vector<SpecPtr> &specs, const SearchIndex &index,
                        const Query &query, const Filter &filter, std::size_t limit);

} // namespace leanspec::detail
