// Implements the tokenizer, SpecTerms, SearchIndex and SearchIndexBuilder of search.hpp.
#include "query/search.hpp"

#include <algorithm>
#include <limits>
#include <numeric>
#include <unordered_map>

namespace leanspec::detail {

std::string fold(std::string_view text) {
  std::string out(text);
  for (char &c : out)
    c = fold_byte(c);
  return out;
}

bool equals_folded(std::string_view raw, std::string_view folded) noexcept {
  if (raw.size() != folded.size())
    return false;
  for (std::size_t i = 0; i < raw.size(); ++i)
    if (fold_byte(raw[i]) != folded[i])
      return false;
  return true;
}

bool starts_with_folded(std::string_view raw, std::string_view folded) noexcept {
  return raw.size() >= folded.size() && equals_folded(raw.substr(0, folded.size()), folded);
}

std::vector<std::string> tokenize(std::string_view text) {
  std::vector<std::string> out;
  for_each_token(text, [&](std::size_t begin, std::size_t size) {
    out.push_back(fold(text.substr(begin, size)));
  });
  return out;
}

// --- SpecTerms ------------------------------------------------------------------------------

namespace {

class TermCollector {
public:
  explicit TermCollector(std::size_t capacity) {
    // Reserved up front: the map keys are views into terms_.chars.
    terms_.chars.reserve(capacity);
    ids_.reserve(capacity / 8 + 16);
  }

  void add(std::string_view text, std::uint8_t field) {
    for_each_token(text, [&](std::size_t begin, std::size_t size) {
      const std::size_t offset = terms_.chars.size();
      for (std::size_t i = begin; i < begin + size; ++i)
        terms_.chars.push_back(fold_byte(text[i]));
      const std::string_view token(terms_.chars.data() + offset, size);
      auto [it, inserted] = ids_.try_emplace(token, static_cast<std::uint32_t>(terms_.entries.size()));
      if (inserted) {
        terms_.entries.push_back({static_cast<std::uint32_t>(offset),
                                  static_cast<std::uint32_t>(size), 0, 0});
      } else {
        terms_.chars.resize(offset);
      }
      SpecTerms::Entry &entry = terms_.entries[it->second];
      entry.fields |= field;
      if (field == SearchIndex::in_body) {
        if (entry.body_tf < 15)
          ++entry.body_tf;
        ++terms_.body_length;
      }
    });
  }

  SpecTerms take() { return std::move(terms_); }

private:
  SpecTerms terms_;
  std::unordered_map<std::string_view, std::uint32_t> ids_;
};

} // namespace

SpecTerms collect_spec_terms(const Spec &spec) {
  std::size_t capacity = spec.title.size() + spec.id.size() + spec.body.size();
  for (const auto &tag : spec.tags)
    capacity += tag.size();
  TermCollector collector(capacity);
  collector.add(spec.title, SearchIndex::in_title);
  for (const auto &tag : spec.tags)
    collector.add(tag, SearchIndex::in_tags);
  collector.add(spec.id, SearchIndex::in_id);
  collector.add(spec.body, SearchIndex::in_body);
  return collector.take();
}

// --- SearchIndex ----------------------------------------------------------------------------

std::pair<std::size_t, std::size_t> SearchIndex::prefix_range(std::string_view prefix) const noexcept {
  std::size_t lo = 0, hi = term_count();
  // First term >= prefix.
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (term(mid) < prefix)
      lo = mid + 1;
    else
      hi = mid;
  }
  const std::size_t first = lo;
  hi = term_count();
  // First term not starting with prefix (all terms in [first, end) are >= prefix).
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    if (term(mid).substr(0, prefix.size()) == prefix)
      lo = mid + 1;
    else
      hi = mid;
  }
  return {first, lo};
}

std::size_t SearchIndex::find(std::string_view token) const noexcept {
  const auto [first, last] = prefix_range(token);
  return first < last && term(first) == token ? first : term_count();
}

std::size_t SearchIndex::memory_usage() const noexcept {
  return sizeof(*this) + terms_.capacity() + term_offsets_.capacity() * sizeof(std::uint32_t) +
         postings_.capacity() + posting_offsets_.capacity() * sizeof(std::uint64_t) +
         document_frequencies_.capacity() * sizeof(std::uint32_t) +
         body_lengths_.capacity() * sizeof(std::uint32_t);
}

// --- SearchIndexBuilder ---------------------------------------------------------------------

struct SearchIndexBuilder::State {
  struct Term {
    std::vector<std::uint8_t> postings;
    std::uint32_t last_spec = 0;
    std::uint32_t document_frequency = 0;
  };
  // Term text lives in fixed chunks so the map's keys stay valid.
  std::vector<std::unique_ptr<char[]>> chunks;
  std::size_t chunk_used = 0, chunk_size = 0;
  std::unordered_map<std::string_view, std::uint32_t> ids;
  std::vector<Term> terms;
  std::vector<std::uint32_t> body_lengths;

  std::string_view store(std::string_view text) {
    constexpr std::size_t default_chunk = 1 << 20;
    if (chunk_size - chunk_used < text.size()) {
      chunk_size = std::max(default_chunk, text.size());
      chunks.push_back(std::make_unique<char[]>(chunk_size));
      chunk_used = 0;
    }
    char *out = chunks.back().get() + chunk_used;
    std::copy(text.begin(), text.end(), out);
    chunk_used += text.size();
    return {out, text.size()};
  }
};

SearchIndexBuilder::SearchIndexBuilder() : state_(std::make_unique<State>()) {}
SearchIndexBuilder::~SearchIndexBuilder() = default;

void SearchIndexBuilder::add(const SpecTerms &spec_terms) {
  State &s = *state_;
  const auto spec = static_cast<std::uint32_t>(s.body_lengths.size());
  s.body_lengths.push_back(spec_terms.body_length);
  for (const auto &entry : spec_terms.entries) {
    const std::string_view token = spec_terms.token(entry);
    auto it = s.ids.find(token);
    if (it == s.ids.end()) {
      it = s.ids.emplace(s.store(token), static_cast<std::uint32_t>(s.terms.size())).first;
      s.terms.emplace_back();
    }
    State::Term &term = s.terms[it->second];
    std::uint32_t delta = spec - term.last_spec;
    while (delta >= 0x80) {
      term.postings.push_back(static_cast<std::uint8_t>(delta | 0x80));
      delta >>= 7;
    }
    term.postings.push_back(static_cast<std::uint8_t>(delta));
    term.postings.push_back(static_cast<std::uint8_t>((entry.fields & 0x0f) | (entry.body_tf << 4)));
    term.last_spec = spec;
    ++term.document_frequency;
  }
}

std::shared_ptr<const SearchIndex> SearchIndexBuilder::finish() {
  State &s = *state_;
  std::vector<std::pair<std::string_view, std::uint32_t>> order(s.ids.begin(), s.ids.end());
  s.ids = {};
  std::sort(order.begin(), order.end());

  auto index = std::make_shared<SearchIndex>();
  std::size_t chars = 0, bytes = 0;
  for (const auto &[text, id] : order) {
    chars += text.size();
    bytes += s.terms[id].postings.size();
  }
  index->terms_.reserve(chars);
  index->term_offsets_.reserve(order.size() + 1);
  index->postings_.reserve(bytes);
  index->posting_offsets_.reserve(order.size() + 1);
  index->document_frequencies_.reserve(order.size());
  for (const auto &[text, id] : order) {
    State::Term &term = s.terms[id];
    index->terms_.append(text);
    index->term_offsets_.push_back(static_cast<std::uint32_t>(index->terms_.size()));
    index->postings_.insert(index->postings_.end(), term.postings.begin(), term.postings.end());
    index->posting_offsets_.push_back(index->postings_.size());
    index->document_frequencies_.push_back(term.document_frequency);
    term.postings = {};
  }
  index->body_lengths_ = std::move(s.body_lengths);
  if (!index->body_lengths_.empty())
    index->average_body_length_ =
        std::accumulate(index->body_lengths_.begin(), index->body_lengths_.end(), 0.0) /
        static_cast<double>(index->body_lengths_.size());
  state_ = std::make_unique<State>();
  return index;
}

std::shared_ptr<const SearchIndex> build_search_index(const std::vector<SpecPtr> &specs) {
  SearchIndexBuilder builder;
  for (const auto &spec : specs)
    builder.add(collect_spec_terms(*spec));
  return builder.finish();
}

} // namespace leanspec::detail
