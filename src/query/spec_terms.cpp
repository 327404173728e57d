// Implements term_hash() and collect_spec_terms() of src/query/search_index.hpp and the
// TermCollector of src/query/spec_terms.hpp.
#include "query/spec_terms.hpp"

#include "query/tokens.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace leanspec::detail {
namespace {

std::uint64_t load_bytes(const char *p, std::size_t n) noexcept { // n <= 8, little-endian
  std::uint64_t v = 0;
  std::memcpy(&v, p, n);
  return v;
}

std::uint64_t mix(std::uint64_t h, std::uint64_t v) noexcept {
  h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
  return h ^ (h >> 29);
}

// A token byte's lower-cased value, or 0 for a separator (0 itself separates).
constexpr std::array<unsigned char, 256> fold_table = [] {
  std::array<unsigned char, 256> table{};
  for (std::size_t c = 0; c < table.size(); ++c)
    if (is_token_byte(static_cast<unsigned char>(c)))
      table[c] = static_cast<unsigned char>(fold_byte(static_cast<char>(c)));
  return table;
}();

} // namespace

std::uint32_t term_hash(std::string_view token) noexcept {
  std::uint64_t h = 0xa0761d6478bd642fULL ^ token.size();
  const char *p = token.data();
  std::size_t n = token.size();
  for (; n > 8; n -= 8, p += 8)
    h = mix(h, load_bytes(p, 8));
  h = mix(h, load_bytes(p, n));
  h *= 0xe7037ed1a0b428dbULL;
  return static_cast<std::uint32_t>(h >> 32);
}

SpecTerms collect_spec_terms(const Spec &spec) {
  SpecTerms terms;
  TermCollector().collect(spec, terms);
  return terms;
}

void TermCollector::collect(const Spec &spec, SpecTerms &terms) {
  terms.entries.clear();
  terms.body_length = 0;
  table_.clear();
  std::size_t capacity = spec.title.size() + spec.id.size() + spec.body.size();
  for (const auto &tag : spec.tags)
    capacity += tag.size();
  // Tokens are folded straight into the scratch buffer, which is as long as the text; a
  // token stays there only when new, so the distinct tokens are its first used_ bytes. Only
  // those are copied to `terms`, which may wait in a queue (build_search_index).
  if (scratch_size_ < capacity) {
    scratch_size_ = std::max(capacity, 2 * scratch_size_);
    scratch_ = std::make_unique_for_overwrite<char[]>(scratch_size_);
  }
  used_ = 0;
  add(spec.title, SearchIndex::in_title, terms);
  for (const auto &tag : spec.tags)
    add(tag, SearchIndex::in_tags, terms);
  add(spec.id, SearchIndex::in_id, terms);
  add(spec.body, SearchIndex::in_body, terms);
  terms.chars.assign(scratch_.get(), scratch_.get() + used_);
}

void TermCollector::add(std::string_view text, std::uint8_t field, SpecTerms &terms) {
  const auto *p = reinterpret_cast<const unsigned char *>(text.data());
  const std::size_t n = text.size();
  std::size_t i = 0;
  for (;;) {
    while (i < n && fold_table[p[i]] == 0)
      ++i;
    if (i == n)
      return;
    if (only_ && !only_->may_start(fold_table[p[i]])) { // skipped unread: most tokens are
      while (i < n && fold_table[p[i]] != 0)
        ++i;
      if (field == SearchIndex::in_body)
        ++terms.body_length;
      continue;
    }
    char *out = scratch_.get() + used_;
    std::size_t size = 0;
    for (unsigned char c; i < n && (c = fold_table[p[i]]) != 0; ++i)
      out[size++] = static_cast<char>(c);
    const std::string_view token(out, size);
    if (only_ && !only_->wants(token)) {
      if (field == SearchIndex::in_body)
        ++terms.body_length;
      continue;
    }
    const std::uint32_t hash = term_hash(token);
    const std::uint32_t id = table_.find_or_add(token, hash, terms.entries, scratch_.get(), [&] {
      terms.entries.push_back(
          {static_cast<std::uint32_t>(used_), static_cast<std::uint32_t>(size), hash, 0, 0});
      used_ += size;
    });
    SpecTerms::Entry &entry = terms.entries[id];
    entry.fields |= field;
    if (field == SearchIndex::in_body) {
      if (entry.body_tf < 15)
        ++entry.body_tf;
      ++terms.body_length;
    }
  }
}

} // namespace leanspec::detail
