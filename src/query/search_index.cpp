// Implements the tokenizer, SpecTerms, SearchIndex and SearchIndexBuilder of search.hpp.
#include "query/search.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <numeric>

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

std::uint64_t hash_bytes(std::string_view text) noexcept { // FNV-1a
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

// string_view -> dense id (insertion order), open addressing with linear probing. The caller
// keeps the viewed text alive and unmoved.
class TermTable {
public:
  explicit TermTable(std::size_t expected = 64) {
    std::size_t size = 64;
    while (size < expected * 2)
      size *= 2;
    slots_.assign(size, 0);
  }

  std::size_t size() const noexcept { return keys_.size(); }
  std::string_view key(std::uint32_t id) const noexcept { return keys_[id].text; }

  /// The id of `key`, and whether it was added (as id size() - 1).
  std::pair<std::uint32_t, bool> insert(std::string_view key) {
    if ((keys_.size() + 1) * 2 > slots_.size())
      grow();
    const std::uint64_t hash = hash_bytes(key);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const std::uint32_t slot = slots_[i];
      if (slot == 0) {
        keys_.push_back({key, hash});
        slots_[i] = static_cast<std::uint32_t>(keys_.size());
        return {slot_id(slots_[i]), true};
      }
      const Key &k = keys_[slot_id(slot)];
      if (k.hash == hash && k.text == key)
        return {slot_id(slot), false};
    }
  }

  /// Re-points key `id` (same text) at other storage.
  void rebind(std::uint32_t id, std::string_view text) noexcept { keys_[id].text = text; }

private:
  struct Key {
    std::string_view text;
    std::uint64_t hash;
  };
  static std::uint32_t slot_id(std::uint32_t slot) noexcept { return slot - 1; }

  void grow() {
    std::vector<std::uint32_t> slots(slots_.size() * 2, 0);
    const std::size_t mask = slots.size() - 1;
    for (std::uint32_t id = 0; id < keys_.size(); ++id) {
      std::size_t i = keys_[id].hash & mask;
      while (slots[i] != 0)
        i = (i + 1) & mask;
      slots[i] = id + 1;
    }
    slots_.swap(slots);
  }

  std::vector<std::uint32_t> slots_; // 0: empty, else id + 1
  std::vector<Key> keys_;
};

class TermCollector {
public:
  explicit TermCollector(std::size_t capacity) : ids_(capacity / 16) {
    // Reserved up front: the table's keys are views into terms_.chars.
    terms_.chars.reserve(capacity);
  }

  void add(std::string_view text, std::uint8_t field) {
    for_each_token(text, [&](std::size_t begin, std::size_t size) {
      const std::size_t offset = terms_.chars.size();
      terms_.chars.append(text.data() + begin, size);
      for (std::size_t i = offset; i < terms_.chars.size(); ++i)
        terms_.chars[i] = fold_byte(terms_.chars[i]);
      const auto [id, added] = ids_.insert({terms_.chars.data() + offset, size});
      if (added)
        terms_.entries.push_back(
            {static_cast<std::uint32_t>(offset), static_cast<std::uint32_t>(size), 0, 0});
      else
        terms_.chars.resize(offset);
      SpecTerms::Entry &entry = terms_.entries[id];
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
  TermTable ids_;
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

std::pair<std::size_t, std::size_t>
SearchIndex::prefix_range(std::string_view prefix) const noexcept {
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

// Postings grow in a pool of small linked blocks carved from large chunks, so building costs
// about the final size (not a vector with spare capacity per term) and the chunks go back to the
// system in one piece when the builder is done.
class PostingPool {
public:
  static constexpr std::size_t block_size = 32;
  static constexpr std::size_t data_size = block_size - sizeof(std::uint32_t); // then a link
  static constexpr std::uint32_t none = 0xffffffffu;

  struct List {
    std::uint32_t first = none, last = none;
    std::uint32_t bytes = 0;
  };

  void push(List &list, std::uint8_t byte) {
    const std::size_t fill = list.bytes % data_size;
    if (list.first == none || (fill == 0 && list.bytes > 0)) {
      const std::uint32_t block = allocate();
      if (list.first == none)
        list.first = block;
      else
        set_link(list.last, block);
      list.last = block;
    }
    data(list.last)[fill] = byte;
    ++list.bytes;
  }

  /// Appends the bytes of `list` to `out`.
  void copy(const List &list, std::vector<std::uint8_t> &out) const {
    std::size_t left = list.bytes;
    for (std::uint32_t block = list.first; left > 0; block = link(block)) {
      const std::size_t n = std::min(left, data_size);
      const std::uint8_t *d = data(block);
      out.insert(out.end(), d, d + n);
      left -= n;
    }
  }

private:
  static constexpr std::size_t chunk_blocks = (4u << 20) / block_size; // 4 MiB chunks

  std::uint32_t allocate() {
    if (used_ % chunk_blocks == 0)
      chunks_.push_back(std::make_unique_for_overwrite<std::uint8_t[]>(chunk_blocks * block_size));
    const auto block = static_cast<std::uint32_t>(used_++);
    set_link(block, none);
    return block;
  }
  std::uint8_t *data(std::uint32_t block) const noexcept {
    return chunks_[block / chunk_blocks].get() + (block % chunk_blocks) * block_size;
  }
  std::uint32_t link(std::uint32_t block) const noexcept {
    std::uint32_t next;
    std::memcpy(&next, data(block) + data_size, sizeof next);
    return next;
  }
  void set_link(std::uint32_t block, std::uint32_t next) noexcept {
    std::memcpy(data(block) + data_size, &next, sizeof next);
  }

  std::vector<std::unique_ptr<std::uint8_t[]>> chunks_;
  std::size_t used_ = 0;
};

struct SearchIndexBuilder::State {
  struct Term {
    PostingPool::List postings;
    std::uint32_t last_spec = 0;
    std::uint32_t document_frequency = 0;
  };
  // Term text lives in fixed chunks so the table's keys stay valid.
  std::vector<std::unique_ptr<char[]>> chunks;
  std::size_t chunk_used = 0, chunk_size = 0;
  TermTable ids{1 << 14};
  std::vector<Term> terms; // by id
  PostingPool pool;
  std::vector<std::uint32_t> body_lengths;

  std::string_view store(std::string_view text) {
    constexpr std::size_t default_chunk = 1 << 20;
    if (chunk_size - chunk_used < text.size()) {
      chunk_size = std::max(default_chunk, text.size());
      chunks.push_back(std::make_unique_for_overwrite<char[]>(chunk_size));
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
    const auto [id, added] = s.ids.insert(token);
    if (added) {
      s.ids.rebind(id, s.store(token)); // the key viewed spec_terms' storage until now
      s.terms.emplace_back();
    }
    State::Term &term = s.terms[id];
    std::uint32_t delta = spec - term.last_spec;
    while (delta >= 0x80) {
      s.pool.push(term.postings, static_cast<std::uint8_t>(delta | 0x80));
      delta >>= 7;
    }
    s.pool.push(term.postings, static_cast<std::uint8_t>(delta));
    s.pool.push(term.postings,
                static_cast<std::uint8_t>((entry.fields & 0x0f) | (entry.body_tf << 4)));
    term.last_spec = spec;
    ++term.document_frequency;
  }
}

std::shared_ptr<const SearchIndex> SearchIndexBuilder::finish() {
  State &s = *state_;
  std::vector<std::pair<std::string_view, std::uint32_t>> order; // views into s.chunks
  order.reserve(s.ids.size());
  for (std::uint32_t id = 0; id < s.ids.size(); ++id)
    order.emplace_back(s.ids.key(id), id);
  s.ids = TermTable();
  std::sort(order.begin(), order.end());

  auto index = std::make_shared<SearchIndex>();
  std::size_t chars = 0, bytes = 0;
  for (const auto &[text, id] : order) {
    chars += text.size();
    bytes += s.terms[id].postings.bytes;
  }
  index->terms_.reserve(chars);
  index->term_offsets_.reserve(order.size() + 1);
  index->postings_.reserve(bytes);
  index->posting_offsets_.reserve(order.size() + 1);
  index->document_frequencies_.reserve(order.size());
  for (const auto &[text, id] : order) {
    const State::Term &term = s.terms[id];
    index->terms_.append(text);
    index->term_offsets_.push_back(static_cast<std::uint32_t>(index->terms_.size()));
    s.pool.copy(term.postings, index->postings_);
    index->posting_offsets_.push_back(index->postings_.size());
    index->document_frequencies_.push_back(term.document_frequency);
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
