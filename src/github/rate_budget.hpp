#pragma once
// Internal: RateBudget, one credential's share of GitHub's rate limits, used by every
// GithubClient (src/github/github_client.hpp) that sends requests with that credential, so
// that all the projects a GithubSync syncs with one token (or, later, one App installation)
// draw from one budget. It enforces GitHub's secondary limits before a request is sent (at
// most `concurrency` requests in flight, at most `points_per_minute` points in any 60 s, a
// GET or HEAD costing 1 point and any other method 5) and follows what GitHub answers: the
// primary limit's X-RateLimit-Remaining / X-RateLimit-Reset of every response (a `reserve` of
// requests is kept back: at or below it the credential pauses until the reset), and a
// rate-limited answer (429, or a primary or secondary 403, with Retry-After or
// X-RateLimit-Reset) pauses the whole credential, not just the project that met it.
// RateBudgets keys budgets by a credential key string, never the credential itself.
// Thread-safe. Times are unix milliseconds, passed in (tests drive the clock).
//
//   auto budget = budgets.get(token_budget_key(token)); // credential.hpp:   //
//   "token:3f2a9c0d1e4b" if (auto a = budget->try_start(1, unix_ms()); a.granted) { send;
//   budget->finish(&r, now); } else if (a.paused) ...        // rate-limited until a.retry_at: do
//   not send else ...                      // a slot or points free up at a.retry_at: ask again
//   then

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace leanspec::detail {

struct GithubResponse;

struct RateBudgetOptions {
  unsigned concurrency = 20;        ///< requests in flight at once (GitHub allows 100)
  unsigned points_per_minute = 600; ///< points in any 60 s (GitHub: 900 for the REST API)
  unsigned reserve = 100; ///< primary-limit requests kept back (at most a tenth of the limit)
};

/// GitHub's secondary-limit points of a request: 1 for GET, HEAD and OPTIONS, 5 for others.
unsigned request_points(std::string_view method) noexcept;

class RateBudget {
public:
  explicit RateBudget(RateBudgetOptions options);

  struct Admission {
    bool granted = false;
    /// Not granted: the credential is rate-limited (primary limit at its reserve, or a
    /// rate-limited answer) until retry_at; a request should not wait for that.
    bool paused = false;
    std::int64_t retry_at = 0; ///< not granted: when to ask again (unix ms)
  };

  /// Whether a request of `points` may be sent now; granted, it holds a concurrency slot
  /// (given back by finish()) and its points count for the next 60 s.
  Admission try_start(unsigned points, std::int64_t now_ms);
  /// A granted request ended: its slot back, and its response read (`response` null when none
  /// came): rate-limit headers followed, a rate-limited answer pauses the credential.
  void finish(const GithubResponse *response, std::int64_t now_ms);
  /// Unix ms until which the credential is paused at `now_ms`; 0 when it is not.
  std::int64_t paused_until(std::int64_t now_ms) const;

  struct Counters {
    std::uint64_t started = 0;  ///< requests granted
    std::uint64_t points = 0;   ///< their points
    std::uint64_t waits = 0;    ///< try_start answers "not yet" (slot or points)
    std::uint64_t refusals = 0; ///< try_start answers "paused"
    std::uint64_t limited = 0;  ///< rate-limited answers seen
    unsigned max_in_flight = 0; ///< most requests in flight at once
    int remaining = -1;         ///< the primary limit's remaining requests (-1: unknown)
    std::int64_t reset_at = 0;  ///< its reset (unix ms)
  };
  Counters counters() const;

private:
  std::int64_t reserve_pause(std::int64_t now_ms) const; // mutex_ held

  const RateBudgetOptions options_;
  mutable std::mutex mutex_;
  unsigned in_flight_ = 0;
  std::deque<std::pair<std::int64_t, unsigned>> window_; // (start, points) of the last 60 s
  unsigned window_points_ = 0;
  int limit_ = -1;
  std::int64_t paused_until_ = 0;
  Counters counters_;
};

/// Budgets by credential key, created on first use with the same options. Thread-safe.
class RateBudgets {
public:
  explicit RateBudgets(RateBudgetOptions options) : options_(options) {}
  std::shared_ptr<RateBudget> get(const std::string &key);

private:
  const RateBudgetOptions options_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<RateBudget>, std::less<>> budgets_;
};

} // namespace leanspec::detail
