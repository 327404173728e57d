// Tests RateBudget (src/github/rate_budget.cpp) and the spread of scheduled syncs
// (src/github/sync_spread.cpp) with the clock passed in: GitHub's secondary limits
// (concurrency, points per minute), the primary limit's reserve, pauses after a rate-limited
// answer, out-of-order answers, the credential key, and where 1,000 projects' first syncs fall.
#include "github/credential.hpp"
#include "github/github_client.hpp"
#include "github/rate_budget.hpp"
#include "github/sync_spread.hpp"

#include <doctest/doctest.h>
#include <string>
#include <vector>

using namespace leanspec::detail;

namespace {

constexpr std::int64_t t0 = 1'800'000'000'000; // unix ms

GithubResponse answer(long status, int remaining, std::int64_t reset_s, std::string body = "{}") {
  GithubResponse r;
  r.status = status;
  r.rate_limit.limit = 5000;
  r.rate_limit.remaining = remaining;
  r.rate_limit.reset_at = reset_s;
  r.body = std::move(body);
  return r;
}

} // namespace

TEST_SUITE("rate budget") {
  TEST_CASE("rate budget: a credential key names the token by 12 hex digits of its SHA-256") {
    CHECK(token_budget_key("abc") == "token:ba7816bf8f01"); // SHA-256("abc") = ba7816bf8f01cf...
    const std::string token = "ghp_fakeTestToken0123456789";
    const std::string key = token_budget_key(token);
    CHECK(key.size() == 6 + 12);
    CHECK(key.find(token) == std::string::npos);
    CHECK(key == token_budget_key(token));
    CHECK(key != token_budget_key(token + "x"));
    CHECK(token_budget_key("") == "anonymous");
    CHECK(request_points("GET") == 1);
    CHECK(request_points("head") == 1);
    CHECK(request_points("POST") == 5);
    CHECK(request_points("DELETE") == 5);
  }

  TEST_CASE("rate budget: at most `concurrency` requests in flight") {
    RateBudget budget({.concurrency = 2, .points_per_minute = 900, .reserve = 0});
    CHECK(budget.try_start(1, t0).granted);
    CHECK(budget.try_start(1, t0).granted);
    const auto third = budget.try_start(1, t0);
    CHECK_FALSE(third.granted);
    CHECK_FALSE(third.paused);
    CHECK(third.retry_at > t0);
    budget.finish(nullptr, t0 + 5);
    CHECK(budget.try_start(1, t0 + 5).granted);
    CHECK(budget.counters().max_in_flight == 2);
    CHECK(budget.counters().waits == 1);
  }

  TEST_CASE("rate budget: points in any 60 s stay within points_per_minute") {
    RateBudget budget({.concurrency = 100, .points_per_minute = 7, .reserve = 0});
    CHECK(budget.try_start(request_points("GET"), t0).granted);
    CHECK(budget.try_start(request_points("POST"), t0 + 1000).granted); // 6 points
    budget.finish(nullptr, t0 + 1000);
    budget.finish(nullptr, t0 + 1000);
    const auto over = budget.try_start(request_points("POST"), t0 + 2000);
    CHECK_FALSE(over.granted);
    CHECK_FALSE(over.paused);
    CHECK(over.retry_at == t0 + 60'000); // when the first request's point leaves the window
    CHECK(budget.try_start(1, t0 + 2000).granted); // 7 points: one GET still fits
    CHECK_FALSE(budget.try_start(1, t0 + 59'999).granted);
    CHECK(budget.try_start(1, t0 + 60'000).granted); // the first point has left
    CHECK(budget.counters().points == 8);
  }

  TEST_CASE("rate budget: at the primary limit's reserve the credential pauses until the reset") {
    RateBudget budget({.concurrency = 10, .points_per_minute = 900, .reserve = 20});
    const std::int64_t reset_s = t0 / 1000 + 600;
    REQUIRE(budget.try_start(1, t0).granted);
    auto ok = answer(200, 21, reset_s);
    budget.finish(&ok, t0);
    CHECK(budget.paused_until(t0) == 0);
    REQUIRE(budget.try_start(1, t0).granted);
    auto low = answer(200, 20, reset_s);
    budget.finish(&low, t0);
    CHECK(budget.paused_until(t0) == reset_s * 1000);
    const auto refused = budget.try_start(1, t0 + 1);
    CHECK(refused.paused);
    CHECK(refused.retry_at == reset_s * 1000);
    CHECK(budget.paused_until(reset_s * 1000) == 0); // the window has reset
    CHECK(budget.try_start(1, reset_s * 1000).granted);
  }

  TEST_CASE("rate budget: the reserve is at most a tenth of the limit") {
    RateBudget budget({.concurrency = 10, .points_per_minute = 900, .reserve = 100});
    REQUIRE(budget.try_start(1, t0).granted);
    auto anonymous = answer(200, 7, t0 / 1000 + 600);
    anonymous.rate_limit.limit = 60; // unauthenticated: a reserve of 6
    budget.finish(&anonymous, t0);
    CHECK(budget.try_start(1, t0).granted);
  }

  TEST_CASE("rate budget: answers arriving out of order keep the lowest count of a window") {
    RateBudget budget({.concurrency = 10, .points_per_minute = 900, .reserve = 0});
    const std::int64_t reset_s = t0 / 1000 + 600;
    for (int i = 0; i < 3; ++i)
      REQUIRE(budget.try_start(1, t0).granted);
    auto newer = answer(200, 50, reset_s), older = answer(200, 60, reset_s);
    budget.finish(&newer, t0);
    budget.finish(&older, t0);
    CHECK(budget.counters().remaining == 50);
    auto next_window = answer(200, 4999, reset_s + 3600);
    budget.finish(&next_window, t0);
    CHECK(budget.counters().remaining == 4999);
  }

  TEST_CASE("rate budget: a secondary-limit 403 or a 429 pauses the credential") {
    RateBudget budget({.concurrency = 10, .points_per_minute = 900, .reserve = 0});
    REQUIRE(budget.try_start(1, t0).granted);
    auto secondary = answer(403, -1, 0,
                            R"({"message":"You have exceeded a secondary rate limit. Please )"
                            R"(wait a few minutes before you try again."})");
    secondary.retry_after = std::chrono::seconds(30);
    budget.finish(&secondary, t0);
    CHECK(budget.paused_until(t0) == t0 + 30'000);
    CHECK(budget.try_start(1, t0 + 29'000).paused);
    CHECK(budget.try_start(1, t0 + 30'000).granted);
    auto too_many = answer(429, -1, 0);
    budget.finish(&too_many, t0 + 31'000);
    CHECK(budget.paused_until(t0 + 31'000) == t0 + 31'000 + 60'000); // none said: a minute
    auto forbidden = answer(403, 4000, t0 / 1000 + 600, R"({"message":"Resource not accessible"})");
    RateBudget other({});
    REQUIRE(other.try_start(1, t0).granted);
    other.finish(&forbidden, t0);
    CHECK(other.paused_until(t0) == 0); // a 403 that is no limit pauses nothing
    CHECK(budget.counters().limited == 2);
  }

  TEST_CASE("rate budget: budgets are shared by key") {
    RateBudgets budgets({});
    CHECK(budgets.get("token:aaaaaaaaaaaa") == budgets.get("token:aaaaaaaaaaaa"));
    CHECK(budgets.get("token:aaaaaaaaaaaa") != budgets.get("installation:42"));
  }

  TEST_CASE("sync spread: first syncs fall on each project's slot, spread over the interval") {
    constexpr std::int64_t interval = 3'600'000;
    std::vector<int> tenths(10, 0);
    for (int i = 0; i < 1000; ++i) {
      const std::string id = "fleet/project-" + std::to_string(i);
      const std::int64_t due = spread_due(id, interval, t0);
      REQUIRE(due >= t0);
      REQUIRE(due < t0 + interval);
      CHECK(spread_due(id, interval, due) == due); // on its slot
      CHECK(spread_due(id, interval, due + 1) == due + interval);
      CHECK(sync_phase(id, interval) == (due % interval));
      ++tenths[static_cast<std::size_t>((due - t0) * 10 / interval)];
    }
    for (const int n : tenths) { // 100 expected in each tenth
      CHECK(n >= 60);
      CHECK(n <= 140);
    }
    CHECK(spread_due("acme/web", 0, t0) == t0);
  }
}
