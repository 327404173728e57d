// Implements build_search_index() of src/query/search_index.hpp: the specs tokenized on two threads
// and added to a SearchIndexBuilder in spec order.
#include "query/search_index.hpp"
#include "query/spec_terms.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <stop_token>
#include <thread>

namespace leanspec::detail {
namespace {

constexpr std::size_t block = 16, window = 4;

// Blocks of `block` specs, tokenized by two threads into a ring of `window` blocks and added to
// the builder by the calling thread in spec order (first, whenever the next block is ready).
// help() runs on the other thread; the members under mutex_ are what the two share.
class TokenizingRing {
public:
  TokenizingRing(const std::vector<SpecPtr> &specs, const QueryTerms *only)
      : specs_(specs), only_(only), blocks_((specs.size() + block - 1) / block),
        ring_(window * block), ready_(blocks_, 0) {}

  /// The helper thread: tokenizes the blocks it claims until none is left or `stop` is
  /// requested. An exception is handed to add_all(), which rethrows it.
  void help(const std::stop_token &stop) {
    TermCollector own(only_);
    try {
      for (;;) {
        std::size_t b = 0;
        {
          std::unique_lock lock(mutex_);
          if (!changed_.wait(lock, stop, [&] { return next_ >= blocks_ || claimable(); }) ||
              next_ >= blocks_)
            return;
          b = next_++;
        }
        collect_block(own, b);
        {
          const std::lock_guard lock(mutex_);
          ready_[b] = 1;
        }
        changed_.notify_all();
      }
    } catch (...) {
      {
        const std::lock_guard lock(mutex_);
        failure_ = std::current_exception();
        next_ = blocks_; // nothing more is claimed; the caller rethrows
      }
      changed_.notify_all();
    }
  }

  /// The calling thread: adds every block to `builder` in order, and tokenizes one itself with
  /// `collector` whenever the next is not ready but one can be claimed.
  void add_all(SearchIndexBuilder &builder, TermCollector &collector) {
    while (merged_ < blocks_) {
      std::size_t b = 0;
      bool add = false;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return failure_ || ready_[merged_] || claimable(); });
        if (failure_)
          std::rethrow_exception(failure_);
        add = ready_[merged_] != 0;
        b = add ? merged_ : next_++;
      }
      if (add) {
        for (std::size_t i = b * block; i < std::min(specs_.size(), (b + 1) * block); ++i)
          builder.add(ring_[(b % window) * block + i % block]);
        const std::lock_guard lock(mutex_);
        ++merged_;
      } else {
        collect_block(collector, b);
        const std::lock_guard lock(mutex_);
        ready_[b] = 1;
      }
      changed_.notify_all();
    }
  }

private:
  bool claimable() const noexcept { return next_ < blocks_ && next_ < merged_ + window; }

  void collect_block(TermCollector &c, std::size_t b) {
    for (std::size_t i = b * block; i < std::min(specs_.size(), (b + 1) * block); ++i)
      c.collect(*specs_[i], ring_[(b % window) * block + i % block]);
  }

  const std::vector<SpecPtr> &specs_;
  const QueryTerms *const only_;
  const std::size_t blocks_;
  std::vector<SpecTerms> ring_;
  std::mutex mutex_;
  std::condition_variable_any changed_;
  std::vector<char> ready_;           // guarded by mutex_
  std::size_t next_ = 0, merged_ = 0; // blocks claimed / added; guarded by mutex_
  std::exception_ptr failure_;        // the helper's; guarded by mutex_
};

} // namespace

std::shared_ptr<const SearchIndex> build_search_index(const std::vector<SpecPtr> &specs,
                                                      const QueryTerms *only) {
  // Tokenizing is most of the work and each spec's is independent: for more than a few blocks,
  // the calling thread and one more tokenize them (TokenizingRing).
  SearchIndexBuilder builder;
  TermCollector collector(only);
  if ((specs.size() + block - 1) / block < 4) {
    SpecTerms terms;
    for (const auto &spec : specs) {
      collector.collect(*spec, terms);
      builder.add(terms);
    }
    return builder.finish();
  }
  {
    TokenizingRing ring(specs, only);
    std::jthread helper([&](const std::stop_token &stop) { ring.help(stop); });
    ring.add_all(builder, collector);
    helper.join();
  } // the ring goes before the builder's peak
  return builder.finish();
}

} // namespace leanspec::detail
