// Implements SearchIndexBuilder of src/query/search_index.hpp.
//
// The builder keeps as little as it can, because its peak, not the index, sets the memory a
// search costs. While specs are added it holds the vocabulary (a table of 4-byte slots, an 8-byte
// record per term and the term text) and a forward stream: each spec's term ids, sorted and coded
// the way postings code spec indices, which is about as small as the postings themselves.
// finish() sorts the vocabulary and writes terms_ (then drops the text and records), reads the
// stream once to size every list and once more to write each posting in its place (unmapping
// the stream as it goes), so the postings never exist as per-term lists. The large buffers are
// Pages, so what is freed goes back to the system at once.
#include "query/page_buffers.hpp"
#include "query/posting_coding.hpp"
#include "query/search_index.hpp"
#include "query/spec_terms.hpp"

#include <algorithm>
#include <leanspec/error.hpp>
#include <limits>
#include <numeric>
#include <string>
#include <thread>

namespace leanspec::detail {
namespace {

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

// A term of the vocabulary while specs are added.
struct TermRecord {
  std::uint32_t text; // a TermText reference
  std::uint32_t hash;
};

// A term in the sorting of the vocabulary: its first 8 bytes (big-endian, so integer order is
// byte order) and its id.
struct SortKey {
  std::uint32_t high, low; // bytes 0-3 and 4-7, zero-padded (no token holds a 0 byte)
  std::uint32_t id;
};

// Where a term's list is written next and the spec of its latest posting (which the next delta
// is from); until the list's header is written, `last` holds its document frequency.
struct Cursor {
  std::uint32_t at;
  std::uint32_t last : 31, is_short : 1; // last: a spec index, below 2^31
};

// 1. The vocabulary's term ids in sorted order: by the first 8 bytes and then, for equal
// prefixes, by the whole text, so most comparisons never leave this array. `chars` gets the
// vocabulary's bytes.
Pages<SortKey> sort_vocabulary(const Segmented<TermRecord> &terms, const TermText &text,
                               std::size_t &chars) {
  const std::size_t count = terms.size();
  Pages<SortKey> order(count);
  chars = 0;
  for (std::size_t id = 0; id < count; ++id) {
    const std::string_view token = text.get(terms[id].text);
    std::uint32_t prefix[2] = {0, 0};
    for (std::size_t k = 0; k < 8; ++k)
      prefix[k / 4] =
          (prefix[k / 4] << 8) | (k < token.size() ? static_cast<unsigned char>(token[k]) : 0u);
    order[id] = {prefix[0], prefix[1], static_cast<std::uint32_t>(id)};
    chars += token.size();
  }
  if (chars > std::numeric_limits<std::uint32_t>::max())
    throw Error(ErrorCode::internal, "search: the index would exceed 4 GiB");
  const auto less = [&](const SortKey &a, const SortKey &b) {
    if (a.high != b.high)
      return a.high < b.high;
    if (a.low != b.low)
      return a.low < b.low;
    return text.get(terms[a.id].text) < text.get(terms[b.id].text);
  };
  SortKey *const first = order.data(), *const last_key = first + count;
  if (count >= 1 << 14) { // sort the halves on two threads, then merge
    SortKey *const middle = first + count / 2;
    {
      const std::jthread other([&] { std::sort(first, middle, less); });
      std::sort(middle, last_key, less);
    }
    std::inplace_merge(first, middle, last_key, less);
  } else {
    std::sort(first, last_key, less);
  }
  return order;
}

// 2. Each term's place in the vocabulary (by term id), returned, and the vocabulary in that
// order, written to `vocabulary` and `offsets`; `order` goes before the text is copied.
Pages<std::uint32_t> write_vocabulary(Pages<SortKey> order, const Segmented<TermRecord> &terms,
                                      const TermText &text, std::size_t chars,
                                      std::string &vocabulary,
                                      std::vector<std::uint32_t> &offsets) {
  const std::size_t count = terms.size();
  Pages<std::uint32_t> rank(count); // by term id
  offsets.resize(count + 1);
  for (std::size_t t = 0; t < count; ++t) {
    const std::uint32_t id = order[t].id;
    rank[id] = static_cast<std::uint32_t>(t);
    offsets[t + 1] = offsets[t] + static_cast<std::uint32_t>(text.get(terms[id].text).size());
  }
  order = {};
  vocabulary.resize(chars);
  for (std::size_t id = 0; id < count; ++id) {
    const std::string_view token = text.get(terms[id].text);
    std::copy(token.begin(), token.end(), vocabulary.data() + offsets[rank[id]]);
  }
  return rank;
}

// 3. Each list's place and coding, by term: first each term's document frequency and list bytes
// in either coding, next to the spec of its latest posting, so counting a posting touches one
// cache line. `bytes` gets the size of all lists.
Pages<Cursor> plan_lists(ForwardStream &forward, const Pages<std::uint32_t> &rank,
                         std::uint64_t &bytes) {
  const std::size_t count = rank.size();
  struct Count {
    std::uint32_t frequency, last, full_bytes, short_bytes;
  };
  Pages<Count> counts(count);   // by term
  std::uint64_t most_bytes = 0; // the lists' bytes if all were short or full, whichever is more
  forward.for_each(
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
  Pages<Cursor> cursors(count); // by term
  bytes = 0;
  for (std::size_t t = 0; t < count; ++t) {
    const Count &c = counts[t];
    const bool is_short =
        c.short_bytes <= c.full_bytes &&
        5 * std::uint64_t{c.full_bytes - c.short_bytes} >= 4 * std::uint64_t{c.frequency};
    const std::uint32_t header = c.frequency << 1 | (is_short ? 1u : 0u);
    cursors[t] = {static_cast<std::uint32_t>(bytes), c.frequency, is_short};
    bytes += varint_size(header) + (is_short ? c.short_bytes : c.full_bytes);
  }
  return cursors;
}

// 4. The lists, written in place: each one's header, then the postings, spec by spec, so each
// list comes out ascending. `postings` is not zero-filled first, and the stream is unmapped as
// it is read. Each cursor ends where its list does.
void write_lists(ForwardStream &forward, const Pages<std::uint32_t> &rank, Pages<Cursor> &cursors,
                 std::uint8_t *const postings) {
  for (std::size_t t = 0; t < cursors.size(); ++t) {
    Cursor &c = cursors[t];
    const std::uint32_t header = std::uint32_t{c.last} << 1 | c.is_short;
    c.at = static_cast<std::uint32_t>(put_varint(postings + c.at, header) - postings);
    c.last = 0;
  }
  forward.for_each(
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
}

} // namespace

struct SearchIndexBuilder::State {
  Pages<std::uint32_t> slots = Pages<std::uint32_t>(1 << 14); // 0 or id + 1
  Segmented<TermRecord> terms;                                // by id
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
      const TermRecord &term = terms[slot - 1];
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

  std::size_t chars = 0;
  Pages<SortKey> order = sort_vocabulary(s.terms, s.text, chars);
  auto index = std::make_shared<SearchIndex>();
  Pages<std::uint32_t> rank = write_vocabulary(std::move(order), s.terms, s.text, chars,
                                               index->terms_, index->term_offsets_);
  s.terms = {}; // the records and the text go
  s.text = {};

  std::uint64_t bytes = 0;
  Pages<Cursor> cursors = plan_lists(s.forward, rank, bytes);
  index->postings_ = std::make_unique_for_overwrite<std::uint8_t[]>(bytes);
  index->postings_size_ = bytes;
  write_lists(s.forward, rank, cursors, index->postings_.get());
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

} // namespace leanspec::detail
