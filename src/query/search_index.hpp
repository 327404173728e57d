#pragma once
// Internal: the inverted index search runs on. SpecTerms are one spec's tokens (spec_terms.cpp),
// SearchIndexBuilder turns them into a SearchIndex (search_index_builder.cpp), and
// build_search_index() does both for a snapshot's specs on two threads (build_search_index.cpp);
// SearchIndex's lookups are in search_index.cpp. Thread-safe: a built index is immutable.

#include <cstddef>
#include <cstdint>
#include <leanspec/spec.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leanspec::detail {

class QueryTerms; // query_terms.hpp

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

/// Builds the index over `specs` (the order is the snapshot's; hits refer to these indices):
/// of every term, or of only the terms `only` wants (query_terms.hpp: for one query).
/// Tokenizes on two threads (the calling one and a std::jthread) for more than a few specs.
/// @throws leanspec::Error internal when the postings would exceed 4 GiB
std::shared_ptr<const SearchIndex> build_search_index(const std::vector<SpecPtr> &specs,
                                                      const QueryTerms *only = nullptr);

} // namespace leanspec::detail
