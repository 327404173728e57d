#pragma once
// Internal: tokenizing a spec into its SpecTerms (search_index.hpp) for the index. TermCollector
// finds and folds a spec's tokens in one pass and counts them in a hash table it reuses from
// spec to spec; build_search_index() runs one per thread. Implemented in spec_terms.cpp.
// Single-thread: one TermCollector per thread.

#include "query/query_terms.hpp"
#include "query/search_index.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

namespace leanspec::detail {

// Tokens are short: comparing them inline beats calling memcmp.
inline bool same_text(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i])
      return false;
  return true;
}

// Open addressing with linear probing from term ids to their entries, reused from spec to spec
// (clear() forgets only the slots it used), so tokenizing allocates nothing once warm.
class SpecTable {
public:
  SpecTable() : slots_(1024, 0) {}

  /// The index into `entries` of `token` (hash `hash`), inserting `make()` when absent. Entry
  /// offsets are into `chars`.
  template <class Make>
  std::uint32_t find_or_add(std::string_view token, std::uint32_t hash,
                            const std::vector<SpecTerms::Entry> &entries, const char *chars,
                            Make &&make) {
    if ((used_.size() + 1) * 2 > slots_.size())
      grow(entries);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const std::uint32_t slot = slots_[i];
      if (slot == 0) {
        const auto id = static_cast<std::uint32_t>(entries.size());
        make();
        slots_[i] = id + 1;
        used_.push_back(static_cast<std::uint32_t>(i));
        return id;
      }
      const SpecTerms::Entry &e = entries[slot - 1];
      if (e.hash == hash && same_text({chars + e.offset, e.size}, token))
        return slot - 1;
    }
  }

  void clear() noexcept {
    for (const std::uint32_t i : used_)
      slots_[i] = 0;
    used_.clear();
  }

private:
  void grow(const std::vector<SpecTerms::Entry> &entries) {
    slots_.assign(slots_.size() * 2, 0);
    const std::size_t mask = slots_.size() - 1;
    used_.clear();
    for (std::uint32_t id = 0; id < entries.size(); ++id) {
      std::size_t i = entries[id].hash & mask;
      while (slots_[i] != 0)
        i = (i + 1) & mask;
      slots_[i] = id + 1;
      used_.push_back(static_cast<std::uint32_t>(i));
    }
  }

  std::vector<std::uint32_t> slots_; // 0: empty, else entry + 1
  std::vector<std::uint32_t> used_;  // the non-empty slots
};

// Tokenizes a spec's fields into `terms` (cleared first, capacity kept). The same tokens as
// for_each_token(), found and folded in one pass over the text. With `only`, the tokens it
// does not want are left out (the body length still counts them).
class TermCollector {
public:
  explicit TermCollector(const QueryTerms *only = nullptr) noexcept : only_(only) {}
  void collect(const Spec &spec, SpecTerms &terms);

private:
  void add(std::string_view text, std::uint8_t field, SpecTerms &terms);

  const QueryTerms *only_;
  std::unique_ptr<char[]> scratch_;
  std::size_t scratch_size_ = 0;
  std::size_t used_ = 0; // bytes of scratch_ holding distinct tokens
  SpecTable table_;
};

} // namespace leanspec::detail
