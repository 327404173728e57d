// Implements the tokenizer, SpecTerms, SearchIndex and SearchIndexBuilder of search.hpp.
#include "query/search.hpp"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <leanspec/error.hpp>
#include <limits>
#include <mutex>
#include <numeric>
#include <stop_token>
#include <thread>

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

std::uint64_t load_bytes(const char *p, std::size_t n) noexcept { // n <= 8, little-endian
  std::uint64_t v = 0;
  std::memcpy(&v, p, n);
  return v;
}

std::uint64_t mix(std::uint64_t h, std::uint64_t v) noexcept {
  h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
  return h ^ (h >> 29);
}

// Tokens are short: comparing them inline beats calling memcmp.
bool same_text(std::string_view a, std::string_view b) noexcept {
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

  /// The index into `entries` of `token` (hash `hash`), inserting `make()` when absent.
  template <class Make>
  std::uint32_t find_or_add(std::string_view token, std::uint32_t hash, const SpecTerms &terms,
                            Make &&make) {
    if ((used_.size() + 1) * 2 > slots_.size())
      grow(terms);
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const std::uint32_t slot = slots_[i];
      if (slot == 0) {
        const auto id = static_cast<std::uint32_t>(terms.entries.size());
        make();
        slots_[i] = id + 1;
        used_.push_back(static_cast<std::uint32_t>(i));
        return id;
      }
      const SpecTerms::Entry &e = terms.entries[slot - 1];
      if (e.hash == hash && same_text(terms.token(e), token))
        return slot - 1;
    }
  }

  void clear() noexcept {
    for (const std::uint32_t i : used_)
      slots_[i] = 0;
    used_.clear();
  }

private:
  void grow(const SpecTerms &terms) {
    slots_.assign(slots_.size() * 2, 0);
    const std::size_t mask = slots_.size() - 1;
    used_.clear();
    for (std::uint32_t id = 0; id < terms.entries.size(); ++id) {
      std::size_t i = terms.entries[id].hash & mask;
      while (slots_[i] != 0)
        i = (i + 1) & mask;
      slots_[i] = id + 1;
      used_.push_back(static_cast<std::uint32_t>(i));
    }
  }

  std::vector<std::uint32_t> slots_; // 0: empty, else entry + 1
  std::vector<std::uint32_t> used_;  // the non-empty slots
};

// A token byte's lower-cased value, or 0 for a separator (0 itself separates).
constexpr std::array<unsigned char, 256> fold_table = [] {
  std::array<unsigned char, 256> table{};
  for (std::size_t c = 0; c < table.size(); ++c)
    if (is_token_byte(static_cast<unsigned char>(c)))
      table[c] = static_cast<unsigned char>(fold_byte(static_cast<char>(c)));
  return table;
}();

// Tokenizes a spec's fields into `terms` (cleared first, capacity kept). The same tokens as
// for_each_token(), found and folded in one pass over the text.
class TermCollector {
public:
  void collect(const Spec &spec, SpecTerms &terms) {
    terms.entries.clear();
    terms.body_length = 0;
    table_.clear();
    std::size_t capacity = spec.title.size() + spec.id.size() + spec.body.size();
    for (const auto &tag : spec.tags)
      capacity += tag.size();
    // Sized up front: tokens are folded straight into it; cut to what was used at the end.
    terms.chars.resize(capacity);
    used_ = 0;
    add(spec.title, SearchIndex::in_title, terms);
    for (const auto &tag : spec.tags)
      add(tag, SearchIndex::in_tags, terms);
    add(spec.id, SearchIndex::in_id, terms);
    add(spec.body, SearchIndex::in_body, terms);
    terms.chars.resize(used_);
  }

private:
  void add(std::string_view text, std::uint8_t field, SpecTerms &terms) {
    const auto *p = reinterpret_cast<const unsigned char *>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    for (;;) {
      while (i < n && fold_table[p[i]] == 0)
        ++i;
      if (i == n)
        return;
      char *out = terms.chars.data() + used_;
      std::size_t size = 0;
      for (unsigned char c; i < n && (c = fold_table[p[i]]) != 0; ++i)
        out[size++] = static_cast<char>(c);
      const std::string_view token(out, size);
      const std::uint32_t hash = term_hash(token);
      const std::uint32_t id = table_.find_or_add(token, hash, terms, [&] {
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

  std::size_t used_ = 0; // bytes of terms.chars holding tokens
  SpecTable table_;
};

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
         postings_.capacity() + posting_offsets_.capacity() * sizeof(std::uint32_t) +
         document_frequencies_.capacity() * sizeof(std::uint32_t) +
         body_lengths_.capacity() * sizeof(std::uint32_t);
}

// --- SearchIndexBuilder ---------------------------------------------------------------------

namespace {

// A vector in fixed segments: growing never moves what is there, so it never holds the old and
// the new copy at once (a std::vector of the vocabulary's size would, at each doubling).
template <class T> class Segmented {
public:
  std::size_t size() const noexcept { return size_; }
  T &operator[](std::size_t i) noexcept { return segments_[i >> shift][i & (segment - 1)]; }
  const T &operator[](std::size_t i) const noexcept {
    return segments_[i >> shift][i & (segment - 1)];
  }
  T &emplace_back() {
    if (size_ == segments_.size() * segment)
      segments_.push_back(std::make_unique<T[]>(segment));
    return (*this)[size_++];
  }

private:
  static constexpr std::size_t shift = 14, segment = std::size_t{1} << shift;
  std::vector<std::unique_ptr<T[]>> segments_;
  std::size_t size_ = 0;
};

} // namespace

// Postings grow in a pool of small linked blocks carved from large chunks, so building costs
// about the final size (not a vector with spare capacity per term) and the chunks go back to the
// system in one piece when the builder is done. A list's first bytes live in its term (most
// terms occur in one or two specs and never take a block).
class PostingPool {
public:
  static constexpr std::size_t block_size = 32;
  static constexpr std::size_t data_size = block_size - sizeof(std::uint32_t); // then a link
  static constexpr std::size_t head_size = 8;
  static constexpr std::uint32_t none = 0xffffffffu;

  struct List {
    std::uint8_t head[head_size];
    std::uint32_t last = none; // the block being filled
    std::uint32_t first = none;
    std::uint32_t bytes = 0;
  };

  void push(List &list, std::uint8_t byte) {
    if (list.bytes < head_size) {
      list.head[list.bytes++] = byte;
      return;
    }
    const std::size_t fill = (list.bytes - head_size) % data_size;
    if (fill == 0) {
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

  /// Asks the cache for the block `list` writes next.
  void prefetch(const List &list) const noexcept {
    if (list.last != none)
      __builtin_prefetch(data(list.last));
  }

  /// Copies the bytes of `list` to `out`, which has room for them; returns the end.
  std::uint8_t *copy(const List &list, std::uint8_t *out) const {
    const std::size_t head = std::min<std::size_t>(list.bytes, head_size);
    out = std::copy(list.head, list.head + head, out);
    std::size_t left = list.bytes - head;
    for (std::uint32_t block = list.first; left > 0; block = link(block)) {
      const std::size_t n = std::min(left, data_size);
      const std::uint8_t *d = data(block);
      out = std::copy(d, d + n, out);
      left -= n;
    }
    return out;
  }

private:
  static constexpr std::size_t chunk_blocks = (1u << 20) / block_size; // 1 MiB chunks

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
    const char *text = nullptr; // in `chunks`
    std::uint32_t size = 0;
    std::uint32_t hash = 0;
    PostingPool::List postings;
    std::uint32_t last_spec = 0;
    std::uint32_t document_frequency = 0;
    std::string_view token() const noexcept { return {text, size}; }
  };
  // Term text lives in fixed chunks so the terms' views stay valid.
  std::vector<std::unique_ptr<char[]>> chunks;
  std::size_t chunk_used = 0, chunk_size = 0;
  std::vector<std::uint32_t> slots = std::vector<std::uint32_t>(1 << 14, 0); // 0 or id + 1
  Segmented<Term> terms;                                                     // by id
  PostingPool pool;
  std::vector<std::uint32_t> body_lengths;

  const char *store(std::string_view text) {
    constexpr std::size_t default_chunk = 1 << 20;
    if (chunk_size - chunk_used < text.size()) {
      chunk_size = std::max(default_chunk, text.size());
      chunks.push_back(std::make_unique_for_overwrite<char[]>(chunk_size));
      chunk_used = 0;
    }
    char *out = chunks.back().get() + chunk_used;
    std::copy(text.begin(), text.end(), out);
    chunk_used += text.size();
    return out;
  }

  Term &find_or_add(std::string_view token, std::uint32_t hash) {
    if ((terms.size() + 1) * 2 > slots.size())
      grow();
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const std::uint32_t slot = slots[i];
      if (slot == 0) {
        slots[i] = static_cast<std::uint32_t>(terms.size()) + 1;
        Term &term = terms.emplace_back();
        term.text = store(token);
        term.size = static_cast<std::uint32_t>(token.size());
        term.hash = hash;
        return term;
      }
      Term &term = terms[slot - 1];
      if (term.hash == hash && same_text(term.token(), token))
        return term;
    }
  }

  void grow() {
    slots.assign(slots.size() * 2, 0);
    const std::size_t mask = slots.size() - 1;
    for (std::size_t id = 0; id < terms.size(); ++id) {
      std::size_t i = terms[id].hash & mask;
      while (slots[i] != 0)
        i = (i + 1) & mask;
      slots[i] = static_cast<std::uint32_t>(id) + 1;
    }
  }
};

SearchIndexBuilder::SearchIndexBuilder() : state_(std::make_unique<State>()) {}
SearchIndexBuilder::~SearchIndexBuilder() = default;

void SearchIndexBuilder::add(const SpecTerms &spec_terms) {
  State &s = *state_;
  const auto spec = static_cast<std::uint32_t>(s.body_lengths.size());
  s.body_lengths.push_back(spec_terms.body_length);
  const auto &entries = spec_terms.entries;
  const std::size_t n = entries.size();
  while ((s.terms.size() + n + 1) * 2 > s.slots.size())
    s.grow(); // so the table does not move while its slots are prefetched
  // The vocabulary is far larger than the caches: fetch the slots, then the terms, of the
  // entries a few steps ahead, so their misses overlap.
  constexpr std::size_t slot_ahead = 16, term_ahead = 8;
  const std::size_t mask = s.slots.size() - 1;
  for (std::size_t k = 0; k < std::min(n, slot_ahead); ++k)
    __builtin_prefetch(&s.slots[entries[k].hash & mask]);
  for (std::size_t k = 0; k < n; ++k) {
    if (k + slot_ahead < n)
      __builtin_prefetch(&s.slots[entries[k + slot_ahead].hash & mask]);
    if (k + term_ahead < n) {
      const std::uint32_t slot = s.slots[entries[k + term_ahead].hash & mask];
      if (slot != 0) {
        const State::Term &ahead = s.terms[slot - 1];
        __builtin_prefetch(&ahead);
        __builtin_prefetch(ahead.text);
        s.pool.prefetch(ahead.postings); // reads the term: a miss unless it has arrived
      }
    }
    const SpecTerms::Entry &entry = entries[k];
    State::Term &term = s.find_or_add(spec_terms.token(entry), entry.hash);
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
  s.slots = {}; // not needed any more: free it before the index is allocated
  const std::size_t count = s.terms.size();
  // Sorted by the first 4 bytes (big-endian, so integer order is byte order) and then, for
  // equal prefixes, by the whole text: most comparisons never leave this array.
  struct Key {
    std::uint32_t prefix;
    std::uint32_t id;
  };
  std::vector<Key> order(count);
  for (std::size_t id = 0; id < count; ++id) {
    const State::Term &term = s.terms[id];
    std::uint32_t prefix = 0;
    for (std::size_t k = 0; k < 4; ++k)
      prefix = (prefix << 8) | (k < term.size ? static_cast<unsigned char>(term.text[k]) : 0u);
    order[id] = {prefix, static_cast<std::uint32_t>(id)};
  }
  const auto less = [&](const Key &a, const Key &b) {
    if (a.prefix != b.prefix)
      return a.prefix < b.prefix;
    return s.terms[a.id].token() < s.terms[b.id].token();
  };
  if (count >= 1 << 14) { // sort the halves on two threads, then merge
    const auto middle = order.begin() + static_cast<std::ptrdiff_t>(count / 2);
    {
      const std::jthread other([&] { std::sort(order.begin(), middle, less); });
      std::sort(middle, order.end(), less);
    }
    std::inplace_merge(order.begin(), middle, order.end(), less);
  } else {
    std::sort(order.begin(), order.end(), less);
  }

  auto index = std::make_shared<SearchIndex>();
  std::size_t chars = 0, bytes = 0;
  for (std::size_t id = 0; id < count; ++id) {
    chars += s.terms[id].size;
    bytes += s.terms[id].postings.bytes;
  }
  if (chars > std::numeric_limits<std::uint32_t>::max() ||
      bytes > std::numeric_limits<std::uint32_t>::max())
    throw Error(ErrorCode::internal, "search: the index would exceed 4 GiB");
  index->terms_.resize(chars);
  index->term_offsets_.resize(count + 1);
  index->postings_.resize(bytes);
  index->posting_offsets_.resize(count + 1);
  index->document_frequencies_.resize(count);
  char *text = index->terms_.data();
  std::uint8_t *postings = index->postings_.data();
  for (std::size_t t = 0; t < count; ++t) {
    const State::Term &term = s.terms[order[t].id];
    text = std::copy(term.text, term.text + term.size, text);
    index->term_offsets_[t + 1] = static_cast<std::uint32_t>(text - index->terms_.data());
    postings = s.pool.copy(term.postings, postings);
    index->posting_offsets_[t + 1] = static_cast<std::uint32_t>(postings - index->postings_.data());
    index->document_frequencies_[t] = term.document_frequency;
  }
  index->body_lengths_ = std::move(s.body_lengths);
  index->body_lengths_.shrink_to_fit();
  if (!index->body_lengths_.empty())
    index->average_body_length_ =
        std::accumulate(index->body_lengths_.begin(), index->body_lengths_.end(), 0.0) /
        static_cast<double>(index->body_lengths_.size());
  state_ = std::make_unique<State>();
  return index;
}

std::shared_ptr<const SearchIndex> build_search_index(const std::vector<SpecPtr> &specs) {
  // Tokenizing is most of the work and each spec's is independent: the calling thread and one
  // more tokenize blocks of specs into a ring of `window` blocks, and the calling thread adds
  // them to the builder in spec order (first, whenever the next block is ready).
  constexpr std::size_t block = 16, window = 8;
  SearchIndexBuilder builder;
  TermCollector collector;
  const std::size_t n = specs.size();
  const std::size_t blocks = (n + block - 1) / block;
  if (blocks < 4) {
    SpecTerms terms;
    for (const auto &spec : specs) {
      collector.collect(*spec, terms);
      builder.add(terms);
    }
    return builder.finish();
  }

  std::vector<SpecTerms> ring(window * block);
  const auto collect_block = [&](TermCollector &c, std::size_t b) {
    for (std::size_t i = b * block; i < std::min(n, (b + 1) * block); ++i)
      c.collect(*specs[i], ring[(b % window) * block + i % block]);
  };
  std::mutex mutex;
  std::condition_variable_any changed;
  std::vector<char> ready(blocks, 0); // guarded by mutex
  std::size_t next = 0, merged = 0;   // blocks claimed / added; guarded by mutex
  std::exception_ptr failure;         // the helper's; guarded by mutex
  const auto claimable = [&] { return next < blocks && next < merged + window; };

  std::jthread helper([&](const std::stop_token &stop) {
    TermCollector own;
    try {
      for (;;) {
        std::size_t b = 0;
        {
          std::unique_lock lock(mutex);
          if (!changed.wait(lock, stop, [&] { return next >= blocks || claimable(); }) ||
              next >= blocks)
            return;
          b = next++;
        }
        collect_block(own, b);
        {
          const std::lock_guard lock(mutex);
          ready[b] = 1;
        }
        changed.notify_all();
      }
    } catch (...) {
      {
        const std::lock_guard lock(mutex);
        failure = std::current_exception();
        next = blocks; // nothing more is claimed; the caller rethrows
      }
      changed.notify_all();
    }
  });

  while (merged < blocks) {
    std::size_t b = 0;
    bool add = false;
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return failure || ready[merged] || claimable(); });
      if (failure)
        std::rethrow_exception(failure);
      add = ready[merged] != 0;
      b = add ? merged : next++;
    }
    if (add) {
      for (std::size_t i = b * block; i < std::min(n, (b + 1) * block); ++i)
        builder.add(ring[(b % window) * block + i % block]);
      const std::lock_guard lock(mutex);
      ++merged;
    } else {
      collect_block(collector, b);
      const std::lock_guard lock(mutex);
      ready[b] = 1;
    }
    changed.notify_all();
  }
  helper.join();
  ring = {};
  return builder.finish();
}

} // namespace leanspec::detail
