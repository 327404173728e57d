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
#include <sys/mman.h>
#include <thread>
#include <type_traits>

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
      char *out = scratch_.get() + used_;
      std::size_t size = 0;
      for (unsigned char c; i < n && (c = fold_table[p[i]]) != 0; ++i)
        out[size++] = static_cast<char>(c);
      const std::string_view token(out, size);
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

  std::unique_ptr<char[]> scratch_;
  std::size_t scratch_size_ = 0;
  std::size_t used_ = 0; // bytes of scratch_ holding distinct tokens
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
         postings_size_ + posting_offsets_.capacity() * sizeof(std::uint32_t) +
         body_lengths_.capacity() * sizeof(std::uint32_t);
}

// --- SearchIndexBuilder ---------------------------------------------------------------------
//
// The builder keeps as little as it can, because its peak, not the index, sets the memory a
// search costs. While specs are added it holds the vocabulary (a table of 4-byte slots, an 8-byte
// record per term and the term text) and a forward stream: each spec's term ids, sorted and coded
// the way postings code spec indices, which is about as small as the postings themselves.
// finish() sorts the vocabulary and writes terms_ (then drops the text and records), reads the
// stream once to size every list and once more to write each posting in its place (unmapping
// the stream as it goes), so the postings never exist as per-term lists. The large buffers are
// Pages, so what is freed goes back to the system at once.

namespace {

// An array of `size` zero-filled T (trivial types) in pages mapped for it alone, for the
// builder's large short-lived buffers. Freed malloc memory stays in malloc's free lists, where
// the index's arrays, allocated later, often do not fit (so the process grows by both);
// unmapped pages go back to the system at once. The pages are mapped in one call
// (MAP_POPULATE) rather than one fault at a time, which costs ~4 times less on a VM.
template <class T> class Pages {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

public:
  Pages() noexcept = default;
  explicit Pages(std::size_t size) : size_(size) {
    if (size == 0)
      return;
    void *p = ::mmap(nullptr, bytes(), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p == MAP_FAILED)
      throw std::bad_alloc();
    data_ = static_cast<T *>(p);
  }
  Pages(Pages &&other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  Pages &operator=(Pages &&other) noexcept {
    Pages(std::move(other)).swap(*this);
    return *this;
  }
  ~Pages() {
    if (data_)
      ::munmap(data_, bytes());
  }
  void swap(Pages &other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
  }

  std::size_t size() const noexcept { return size_; }
  T *data() const noexcept { return data_; }
  T &operator[](std::size_t i) const noexcept { return data_[i]; }

private:
  std::size_t bytes() const noexcept { return size_ * sizeof(T); }
  T *data_ = nullptr;
  std::size_t size_ = 0;
};

// A growing array in fixed segments: growing never moves what is there, so it never holds the
// old and the new copy at once (a std::vector of the vocabulary's size would, at each doubling).
template <class T> class Segmented {
public:
  std::size_t size() const noexcept { return size_; }
  T &operator[](std::size_t i) const noexcept { return segments_[i >> shift][i & (segment - 1)]; }
  T &emplace_back() {
    if (size_ == segments_.size() * segment)
      segments_.emplace_back(segment);
    return (*this)[size_++];
  }

private:
  static constexpr std::size_t shift = 14, segment = std::size_t{1} << shift;
  std::vector<Pages<T>> segments_;
  std::size_t size_ = 0;
};

constexpr std::size_t max_varint = 5; // bytes of a 32-bit varint

std::size_t varint_size(std::uint32_t v) noexcept {
  std::size_t n = 1;
  for (; v >= 0x80; v >>= 7)
    ++n;
  return n;
}

std::uint8_t *put_varint(std::uint8_t *out, std::uint32_t v) noexcept {
  for (; v >= 0x80; v >>= 7)
    *out++ = static_cast<std::uint8_t>(v | 0x80);
  *out++ = static_cast<std::uint8_t>(v);
  return out;
}

// A posting's field byte (fields | body_tf << 4) and its two codings (see SearchIndex): short,
// where the commonest field byte is left out, and full. `delta` must be below 2^31. The forward
// stream codes (term id delta, field byte) pairs the short way.
constexpr std::uint8_t plain_field_byte = SearchIndex::in_body | 1u << 4;

std::size_t short_posting_size(std::uint32_t delta, std::uint8_t field_byte) noexcept {
  return field_byte == plain_field_byte ? varint_size(delta << 1) : varint_size(delta << 1 | 1) + 1;
}

std::uint8_t *put_short_posting(std::uint8_t *out, std::uint32_t delta,
                                std::uint8_t field_byte) noexcept {
  if (field_byte == plain_field_byte)
    return put_varint(out, delta << 1);
  out = put_varint(out, delta << 1 | 1);
  *out++ = field_byte;
  return out;
}

std::size_t full_posting_size(std::uint32_t delta) noexcept { return varint_size(delta) + 1; }

std::uint8_t *put_full_posting(std::uint8_t *out, std::uint32_t delta,
                               std::uint8_t field_byte) noexcept {
  out = put_varint(out, delta);
  *out++ = field_byte;
  return out;
}

// Term text, each token stored as varint(size) and its bytes in 256 KiB chunks. A reference
// packs the chunk (high 14 bits) and the offset in it (low 18 bits); a token too long for a chunk
// gets one of its own.
class TermText {
public:
  std::uint32_t store(std::string_view token) {
    const std::size_t need = max_varint + token.size();
    const bool own = need > chunk_size;
    if (own || chunks_.empty() || used_ + need > chunk_size) {
      if (chunks_.size() == max_chunks)
        throw Error(ErrorCode::internal, "search: the vocabulary would exceed 4 GiB");
      chunks_.emplace_back(own ? need : chunk_size);
      used_ = own ? chunk_size : 0; // the next token starts a new chunk after a long one
    }
    const std::size_t chunk = chunks_.size() - 1, offset = own ? 0 : used_;
    std::uint8_t *out =
        put_varint(chunks_[chunk].data() + offset, static_cast<std::uint32_t>(token.size()));
    out = std::copy(token.begin(), token.end(), out);
    if (!own)
      used_ = static_cast<std::size_t>(out - chunks_[chunk].data());
    return static_cast<std::uint32_t>(chunk << offset_bits | offset);
  }

  /// Where `ref`'s bytes are, to prefetch them.
  const void *address(std::uint32_t ref) const noexcept {
    return chunks_[ref >> offset_bits].data() + (ref & (chunk_size - 1));
  }
  std::string_view get(std::uint32_t ref) const noexcept {
    const auto *p = static_cast<const std::uint8_t *>(address(ref));
    const std::uint32_t size = SearchIndex::read_varint(p);
    return {reinterpret_cast<const char *>(p), size};
  }

private:
  static constexpr unsigned offset_bits = 18;
  static constexpr std::size_t chunk_size = std::size_t{1} << offset_bits;
  static constexpr std::size_t max_chunks = std::size_t{1} << (32 - offset_bits);
  std::vector<Pages<std::uint8_t>> chunks_;
  std::size_t used_ = 0; // bytes in use of the last chunk
};

// Each added spec's (term id, field byte) pairs, sorted by id and coded like postings, preceded
// by their count, in 256 KiB chunks (a spec's run never straddles two).
class ForwardStream {
public:
  /// Appends one spec's pairs: `pairs` holds id << 8 | field byte, sorted.
  void append(const std::vector<std::uint64_t> &pairs) {
    const std::size_t need = max_varint + pairs.size() * (max_varint + 1);
    if (chunks_.empty() || chunks_.back().pages.size() - chunks_.back().used < need)
      chunks_.push_back({Pages<std::uint8_t>(std::max(chunk_size, need)), 0});
    Chunk &chunk = chunks_.back();
    std::uint8_t *out =
        put_varint(chunk.pages.data() + chunk.used, static_cast<std::uint32_t>(pairs.size()));
    std::uint32_t previous = 0;
    for (const std::uint64_t pair : pairs) {
      const auto id = static_cast<std::uint32_t>(pair >> 8);
      out = put_short_posting(out, id - previous, static_cast<std::uint8_t>(pair));
      previous = id;
    }
    chunk.used = static_cast<std::size_t>(out - chunk.pages.data());
  }

  /// Calls `f(spec, id, field_byte)` for every pair, in the order appended. With `drain`, each
  /// chunk is freed once read, and the stream is empty afterwards.
  template <class F> void for_each(F &&f, bool drain) {
    std::uint32_t spec = 0;
    for (Chunk &chunk : chunks_) {
      const std::uint8_t *p = chunk.pages.data();
      const std::uint8_t *const end = p + chunk.used;
      for (; p < end; ++spec) {
        std::uint32_t id = 0;
        for (std::uint32_t n = SearchIndex::read_varint(p); n > 0; --n) {
          const std::uint32_t value = SearchIndex::read_varint(p);
          id += value >> 1;
          f(spec, id, (value & 1u) ? *p++ : plain_field_byte);
        }
      }
      if (drain)
        chunk.pages = {};
    }
    if (drain)
      chunks_.clear();
  }

private:
  // Small, as the last chunk is mostly unused but mapped whole.
  static constexpr std::size_t chunk_size = std::size_t{1} << 18;
  struct Chunk {
    Pages<std::uint8_t> pages;
    std::size_t used = 0;
  };
  std::vector<Chunk> chunks_;
};

// The most specs and terms the 31-bit deltas of postings and the stream can count.
constexpr std::size_t max_ids = std::size_t{1} << 31;

} // namespace

struct SearchIndexBuilder::State {
  struct Term {
    std::uint32_t text; // a TermText reference
    std::uint32_t hash;
  };
  Pages<std::uint32_t> slots = Pages<std::uint32_t>(1 << 14); // 0 or id + 1
  Segmented<Term> terms;                                      // by id
  TermText text;
  ForwardStream forward;
  std::vector<std::uint32_t> body_lengths;
  std::vector<std::uint64_t> pairs; // add(): the spec's id << 8 | field byte

  std::uint32_t find_or_add(std::string_view token, std::uint32_t hash) {
    if ((terms.size() + 1) * 2 > slots.size())
      grow();
    const std::size_t mask = slots.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const std::uint32_t slot = slots[i];
      if (slot == 0) {
        const std::size_t id = terms.size();
        if (id + 1 >= max_ids)
          throw Error(ErrorCode::internal, "search: too many distinct tokens to index");
        const std::uint32_t ref = text.store(token);
        terms.emplace_back() = {ref, hash};
        slots[i] = static_cast<std::uint32_t>(id) + 1;
        return static_cast<std::uint32_t>(id);
      }
      const Term &term = terms[slot - 1];
      if (term.hash == hash && same_text(text.get(term.text), token))
        return slot - 1;
    }
  }

  void grow() {
    slots = Pages<std::uint32_t>(slots.size() * 2);
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
  if (s.body_lengths.size() + 1 >= max_ids)
    throw Error(ErrorCode::internal, "search: too many specs to index");
  s.body_lengths.push_back(spec_terms.body_length);
  const auto &entries = spec_terms.entries;
  const std::size_t n = entries.size();
  while ((s.terms.size() + n + 1) * 2 > s.slots.size())
    s.grow(); // so the table does not move while its slots are prefetched
  // The vocabulary is far larger than the caches: fetch the slots, the records and then the
  // text of the entries a few steps ahead, so their misses overlap.
  constexpr std::size_t slot_ahead = 16, term_ahead = 8, text_ahead = 4;
  const std::size_t mask = s.slots.size() - 1;
  const auto slot_of = [&](std::size_t k) -> std::uint32_t & {
    return s.slots[entries[k].hash & mask];
  };
  for (std::size_t k = 0; k < std::min(n, slot_ahead); ++k)
    __builtin_prefetch(&slot_of(k));
  s.pairs.clear();
  for (std::size_t k = 0; k < n; ++k) {
    if (k + slot_ahead < n)
      __builtin_prefetch(&slot_of(k + slot_ahead));
    if (k + term_ahead < n)
      if (const std::uint32_t slot = slot_of(k + term_ahead); slot != 0)
        __builtin_prefetch(&s.terms[slot - 1]);
    if (k + text_ahead < n)
      if (const std::uint32_t slot = slot_of(k + text_ahead); slot != 0)
        __builtin_prefetch(s.text.address(s.terms[slot - 1].text));
    const SpecTerms::Entry &entry = entries[k];
    const std::uint32_t id = s.find_or_add(spec_terms.token(entry), entry.hash);
    const auto field_byte = static_cast<std::uint8_t>((entry.fields & 0x0f) | entry.body_tf << 4);
    s.pairs.push_back(std::uint64_t{id} << 8 | field_byte);
  }
  std::sort(s.pairs.begin(), s.pairs.end());
  s.forward.append(s.pairs);
}

std::shared_ptr<const SearchIndex> SearchIndexBuilder::finish() {
  State &s = *state_;
  s.slots = {}; // not needed any more: free it before the index is allocated
  std::vector<std::uint64_t>().swap(s.pairs);
  const std::size_t count = s.terms.size();

  // 1. Sort the vocabulary: by the first 8 bytes (big-endian, so integer order is byte order)
  // and then, for equal prefixes, by the whole text: most comparisons never leave this array.
  struct Key {
    std::uint32_t high, low; // bytes 0-3 and 4-7, zero-padded (no token holds a 0 byte)
    std::uint32_t id;
  };
  Pages<Key> order(count);
  std::size_t chars = 0;
  for (std::size_t id = 0; id < count; ++id) {
    const std::string_view token = s.text.get(s.terms[id].text);
    std::uint32_t prefix[2] = {0, 0};
    for (std::size_t k = 0; k < 8; ++k)
      prefix[k / 4] =
          (prefix[k / 4] << 8) | (k < token.size() ? static_cast<unsigned char>(token[k]) : 0u);
    order[id] = {prefix[0], prefix[1], static_cast<std::uint32_t>(id)};
    chars += token.size();
  }
  if (chars > std::numeric_limits<std::uint32_t>::max())
    throw Error(ErrorCode::internal, "search: the index would exceed 4 GiB");
  const auto less = [&](const Key &a, const Key &b) {
    if (a.high != b.high)
      return a.high < b.high;
    if (a.low != b.low)
      return a.low < b.low;
    return s.text.get(s.terms[a.id].text) < s.text.get(s.terms[b.id].text);
  };
  Key *const first = order.data(), *const last_key = first + count;
  if (count >= 1 << 14) { // sort the halves on two threads, then merge
    Key *const middle = first + count / 2;
    {
      const std::jthread other([&] { std::sort(first, middle, less); });
      std::sort(middle, last_key, less);
    }
    std::inplace_merge(first, middle, last_key, less);
  } else {
    std::sort(first, last_key, less);
  }

  // 2. Each term's place in the vocabulary, and the vocabulary in that order; then the order,
  // the records and the text go.
  auto index = std::make_shared<SearchIndex>();
  Pages<std::uint32_t> rank(count); // by term id
  index->term_offsets_.resize(count + 1);
  for (std::size_t t = 0; t < count; ++t) {
    const std::uint32_t id = order[t].id;
    rank[id] = static_cast<std::uint32_t>(t);
    index->term_offsets_[t + 1] =
        index->term_offsets_[t] + static_cast<std::uint32_t>(s.text.get(s.terms[id].text).size());
  }
  order = {};
  index->terms_.resize(chars);
  for (std::size_t id = 0; id < count; ++id) {
    const std::string_view token = s.text.get(s.terms[id].text);
    std::copy(token.begin(), token.end(), index->terms_.data() + index->term_offsets_[rank[id]]);
  }
  s.terms = {};
  s.text = {};

  // 3. Each term's document frequency and list bytes in either coding, next to the spec of its
  // latest posting (which the next delta is from), so counting a posting touches one cache line.
  struct Count {
    std::uint32_t frequency, last, full_bytes, short_bytes;
  };
  Pages<Count> counts(count);   // by term
  std::uint64_t most_bytes = 0; // the lists' bytes if all were short or full, whichever is more
  s.forward.for_each(
      [&](std::uint32_t spec, std::uint32_t id, std::uint8_t field_byte) {
        Count &c = counts[rank[id]];
        const std::size_t full = full_posting_size(spec - c.last);
        c.full_bytes += static_cast<std::uint32_t>(full);
        c.short_bytes += static_cast<std::uint32_t>(short_posting_size(spec - c.last, field_byte));
        c.last = spec;
        ++c.frequency;
        most_bytes += full + 1; // a short posting is at most a byte longer
      },
      false);
  if (most_bytes + count * max_varint > std::numeric_limits<std::uint32_t>::max())
    throw Error(ErrorCode::internal, "search: the index would exceed 4 GiB");
  // A list is short when that saves 0.8 bytes a posting or more: then at least ~80% of its
  // postings are the commonest kind, and the branch that decodes them mostly predicts right.
  // Each cursor holds where its list starts and (until it is written there) its header.
  struct Cursor {
    std::uint32_t at;
    std::uint32_t last : 31, is_short : 1; // last: a spec index, below 2^31
  };
  Pages<Cursor> cursors(count); // by term
  std::uint64_t bytes = 0;
  for (std::size_t t = 0; t < count; ++t) {
    const Count &c = counts[t];
    const bool is_short =
        c.short_bytes <= c.full_bytes &&
        5 * std::uint64_t{c.full_bytes - c.short_bytes} >= 4 * std::uint64_t{c.frequency};
    const std::uint32_t header = c.frequency << 1 | (is_short ? 1u : 0u);
    cursors[t] = {static_cast<std::uint32_t>(bytes), c.frequency, is_short};
    bytes += varint_size(header) + (is_short ? c.short_bytes : c.full_bytes);
  }
  counts = {};

  // 4. The lists, written in place: each one's header, then the postings, spec by spec, so each
  // list comes out ascending. postings_ is not zero-filled first, and the stream is unmapped as
  // it is read.
  index->postings_ = std::make_unique_for_overwrite<std::uint8_t[]>(bytes);
  index->postings_size_ = bytes;
  std::uint8_t *const postings = index->postings_.get();
  for (std::size_t t = 0; t < count; ++t) {
    Cursor &c = cursors[t];
    const std::uint32_t header = std::uint32_t{c.last} << 1 | c.is_short;
    c.at = static_cast<std::uint32_t>(put_varint(postings + c.at, header) - postings);
    c.last = 0;
  }
  s.forward.for_each(
      [&](std::uint32_t spec, std::uint32_t id, std::uint8_t field_byte) {
        Cursor &c = cursors[rank[id]];
        std::uint8_t *const out = postings + c.at;
        c.at = static_cast<std::uint32_t>((c.is_short
                                               ? put_short_posting(out, spec - c.last, field_byte)
                                               : put_full_posting(out, spec - c.last, field_byte)) -
                                          postings);
        c.last = spec;
      },
      true);
  rank = {};
  // Term t's list ends where its cursor stopped, which is where t + 1's starts.
  index->posting_offsets_.resize(count + 1);
  for (std::size_t t = 0; t < count; ++t)
    index->posting_offsets_[t + 1] = cursors[t].at;

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
  constexpr std::size_t block = 16, window = 4;
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
  std::vector<SpecTerms>().swap(ring); // frees it (`ring = {}` would keep the capacity)
  return builder.finish();
}

} // namespace leanspec::detail
