// Implements src/github/rate_budget.hpp: one credential's rate budget (a 60 s window of
// points, a count of requests in flight, the primary limit as GitHub last reported it and a
// pause), and the budgets by credential key.
#include "github/rate_budget.hpp"

#include "github/github_client.hpp"
#include "github/http_text.hpp"

#include <algorithm>
#include <leanspec/error.hpp>
#include <openssl/evp.h>

namespace leanspec::detail {

namespace {

constexpr std::int64_t minute_ms = 60'000;

} // namespace

unsigned request_points(std::string_view method) noexcept {
  return iequals(method, "GET") || iequals(method, "HEAD") || iequals(method, "OPTIONS") ? 1 : 5;
}

RateBudget::RateBudget(RateBudgetOptions options) : options_(options) {}

std::int64_t RateBudget::reserve_pause(std::int64_t now_ms) const {
  if (counters_.remaining < 0 || counters_.reset_at <= now_ms)
    return 0; // unknown, or the window has reset since
  const int reserve = static_cast<int>(
      limit_ > 0 ? std::min<unsigned>(options_.reserve, static_cast<unsigned>(limit_) / 10)
                 : options_.reserve);
  return counters_.remaining <= reserve ? counters_.reset_at : 0;
}

std::int64_t RateBudget::paused_until(std::int64_t now_ms) const {
  const std::lock_guard lock(mutex_);
  const std::int64_t until = std::max(paused_until_, reserve_pause(now_ms));
  return until > now_ms ? until : 0;
}

RateBudget::Admission RateBudget::try_start(unsigned points, std::int64_t now_ms) {
  const std::lock_guard lock(mutex_);
  Admission a;
  if (const std::int64_t until = std::max(paused_until_, reserve_pause(now_ms)); until > now_ms) {
    ++counters_.refusals;
    a.paused = true;
    a.retry_at = until;
    return a;
  }
  while (!window_.empty() && window_.front().first + minute_ms <= now_ms) {
    window_points_ -= window_.front().second;
    window_.pop_front();
  }
  if (in_flight_ >= std::max(1u, options_.concurrency)) {
    ++counters_.waits;
    a.retry_at = now_ms + 20; // a slot frees when another request ends: look again soon
    return a;
  }
  // A request of more points than the whole minute allows goes alone.
  if (!window_.empty() && window_points_ + points > options_.points_per_minute) {
    ++counters_.waits;
    a.retry_at = window_.front().first + minute_ms;
    return a;
  }
  window_.emplace_back(now_ms, points);
  window_points_ += points;
  ++in_flight_;
  ++counters_.started;
  counters_.points += points;
  counters_.max_in_flight = std::max(counters_.max_in_flight, in_flight_);
  a.granted = true;
  return a;
}

void RateBudget::finish(const GithubResponse *response, std::int64_t now_ms) {
  const std::lock_guard lock(mutex_);
  if (in_flight_ > 0)
    --in_flight_;
  if (!response)
    return;
  const RateLimit &rate = response->rate_limit;
  if (rate.remaining >= 0) {
    const std::int64_t reset_ms = rate.reset_at * 1000;
    // Answers arrive out of order: within one window the lowest count is the newest; a later
    // reset is a new window; an earlier one is an old answer.
    if (reset_ms > counters_.reset_at || counters_.remaining < 0) {
      counters_.remaining = rate.remaining;
      counters_.reset_at = reset_ms;
    } else if (reset_ms == counters_.reset_at) {
      counters_.remaining = std::min(counters_.remaining, rate.remaining);
    }
    if (rate.limit > 0)
      limit_ = rate.limit;
  }
  if (response->status != 0 && response->is_rate_limited()) {
    ++counters_.limited;
    paused_until_ = std::max(paused_until_, response->retry_at(now_ms / 1000) * 1000);
  }
}

RateBudget::Counters RateBudget::counters() const {
  const std::lock_guard lock(mutex_);
  return counters_;
}

std::shared_ptr<RateBudget> RateBudgets::get(const std::string &key) {
  const std::lock_guard lock(mutex_);
  auto &budget = budgets_[key];
  if (!budget)
    budget = std::make_shared<RateBudget>(options_);
  return budget;
}

} // namespace leanspec::detail
