// Tests CachingSource (src/cache): TTL through an injected clock, invalidation, counters and
// single-flight loading.
#include "support/scoped_env.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <doctest/doctest.h>
#include <leanspec/caching_source.hpp>
#include <leanspec/error.hpp>
#include <thread>

using namespace leanspec;
using leanspec::test::ScopedEnv;
using namespace std::chrono_literals;

namespace {

// An in-memory source that counts calls and can hold them until released.
class CountingSource : public SpecSource {
public:
  mutable std::atomic<int> calls{0};
  mutable std::mutex mutex;
  mutable std::condition_variable cv;
  bool gate_open = true;
  std::string title = "One";
  bool fail = false;

  void wait_gate() const {
    std::unique_lock lock(mutex);
    cv.wait(lock, [&] { return gate_open; });
  }
  SpecPtr spec() const {
    Spec s;
    s.id = "001-one";
    s.title = title;
    return std::make_shared<const Spec>(s);
  }
  std::vector<Project> projects() const override { return {{"p", "p", ""}}; }
  std::shared_ptr<const SpecList> list(const ListQuery &) const override {
    ++calls;
    wait_gate();
    if (fail)
      throw Error(ErrorCode::io, "disk on fire");
    auto l = std::make_shared<SpecList>();
    l->specs.push_back(spec());
    l->total = 1;
    return l;
  }
  SpecPtr get(std::string_view ref, std::string_view) const override {
    ++calls;
    return ref == "001-one" || ref == "1" ? spec() : nullptr;
  }
  std::shared_ptr<const SearchResult> search(const SearchQuery &) const override {
    ++calls;
    return std::make_shared<SearchResult>();
  }
  std::shared_ptr<const Stats> stats(std::string_view) const override {
    ++calls;
    return std::make_shared<Stats>();
  }
  std::shared_ptr<const Relationships> relationships(std::string_view,
                                                     std::string_view) const override {
    ++calls;
    return std::make_shared<Relationships>();
  }
  std::shared_ptr<const std::vector<Diagnostic>> validate(std::string_view) const override {
    ++calls;
    return std::make_shared<std::vector<Diagnostic>>();
  }
};

struct FakeClock {
  std::shared_ptr<std::chrono::steady_clock::time_point> now =
      std::make_shared<std::chrono::steady_clock::time_point>();
  Clock clock() const {
    return [n = now] { return *n; };
  }
  void advance(std::chrono::milliseconds d) const { *now += d; }
};

} // namespace

TEST_CASE("a result is served from the cache until its TTL passes") {
  auto inner = std::make_shared<CountingSource>();
  FakeClock clock;
  auto cache = make_caching_source(inner, {.ttl = 1000ms, .clock = clock.clock()});
  CHECK(cache->list()->specs[0]->title == "One");
  CHECK(cache->list()->specs[0]->title == "One");
  CHECK(inner->calls == 1);
  clock.advance(999ms);
  (void)cache->list();
  CHECK(inner->calls == 1);
  clock.advance(1ms);
  inner->title = "Two";
  CHECK(cache->list()->specs[0]->title == "Two");
  CHECK(inner->calls == 2);
  const auto c = cache->counters();
  CHECK(c.hits == 2);
  CHECK(c.misses == 2);
  CHECK(c.entries == 1);
}

TEST_CASE("different arguments are different entries") {
  auto inner = std::make_shared<CountingSource>();
  auto cache = make_caching_source(inner, {.ttl = 60s});
  ListQuery a, b;
  b.filter.statuses = {Status::draft};
  (void)cache->list(a);
  (void)cache->list(b);
  (void)cache->list(b);
  (void)cache->get("1");
  (void)cache->get("001-one");
  (void)cache->search({.text = "x"});
  (void)cache->search({.text = "y"});
  (void)cache->stats();
  (void)cache->stats();
  CHECK(inner->calls == 7);
}

TEST_CASE("project sets and search cursors are part of the key") {
  auto inner = std::make_shared<CountingSource>();
  auto cache = make_caching_source(inner, {.ttl = 60s});
  (void)cache->search({.project_id = "*", .text = "x"});
  (void)cache->search({.project_id = "*", .text = "x", .cursor = "page2"});
  (void)cache->search({.project_id = "*", .text = "x", .cursor = "page2"});
  (void)cache->search({.project_id = "a,b", .text = "x"});
  (void)cache->list({.project_id = "*"});
  (void)cache->list({.project_id = "a,b"});
  (void)cache->stats("*");
  (void)cache->stats("a,b");
  (void)cache->stats("*");
  CHECK(inner->calls == 7);
}

TEST_CASE("invalidate drops everything, or one spec and every result that may mention it") {
  auto inner = std::make_shared<CountingSource>();
  auto cache = make_caching_source(inner, {.ttl = 60s});
  (void)cache->get("1");
  (void)cache->get("404");
  (void)cache->list();
  (void)cache->stats();
  CHECK(inner->calls == 4);
  cache->invalidate("002-other");
  (void)cache->get("1"); // kept: it is about another spec
  CHECK(inner->calls == 4);
  (void)cache->get("404"); // a cached miss may now be found
  (void)cache->list();
  (void)cache->stats();
  CHECK(inner->calls == 7);
  cache->invalidate("001-one");
  (void)cache->get("1");
  CHECK(inner->calls == 8);
  cache->invalidate();
  CHECK(cache->counters().entries == 0);
}

TEST_CASE("invalidate takes a ref: the spec's id, number (any leading zeros), slug or path") {
  auto inner = std::make_shared<CountingSource>();
  auto cache = make_caching_source(inner, {.ttl = 60s});
  int calls = 0;
  for (const char *ref : {"001-one", "1", "001", "one", "archived/001-one"}) {
    (void)cache->get("1");
    cache->invalidate("2");   // another spec's number: get("1") stays
    cache->invalidate("two"); // ... and slug
    (void)cache->get("1");
    calls += 1;
    CHECK(inner->calls == calls);
    cache->invalidate(ref); // this one's: get("1") goes
    (void)cache->get("1");
    calls += 1;
    CHECK_MESSAGE(inner->calls == calls, ref);
    cache->invalidate();
  }
}

TEST_CASE("a TTL of zero passes every call through") {
  auto inner = std::make_shared<CountingSource>();
  auto cache = make_caching_source(inner, {.ttl = 0ms});
  (void)cache->list();
  (void)cache->list();
  CHECK(inner->calls == 2);
}

TEST_CASE("a failing load is not cached and reaches the caller") {
  auto inner = std::make_shared<CountingSource>();
  inner->fail = true;
  auto cache = make_caching_source(inner, {.ttl = 60s});
  CHECK_THROWS_AS((void)cache->list(), Error);
  inner->fail = false;
  CHECK(cache->list()->total == 1);
  CHECK(inner->calls == 2);
}

TEST_CASE("CACHE_TTL is read in milliseconds and bad values are config errors") {
  const ScopedEnv env({"CACHE_TTL"});
  env.set("CACHE_TTL", "2500");
  CHECK(cache_options_from_env().ttl == 2500ms);
  env.set("CACHE_TTL", "soon");
  CHECK_THROWS_WITH_AS(cache_options_from_env(), doctest::Contains("CACHE_TTL"), Error);
  env.set("CACHE_TTL", "-5");
  CHECK_THROWS_AS(cache_options_from_env(), Error);
  env.unset("CACHE_TTL");
  CHECK(cache_options_from_env().ttl == 60000ms);
}

TEST_SUITE("concurrency") {
  TEST_CASE("concurrent misses on one key load once") {
    auto inner = std::make_shared<CountingSource>();
    inner->gate_open = false;
    auto cache = make_caching_source(inner, {.ttl = 60s});
    std::atomic<int> done{0};
    std::vector<std::jthread> callers;
    for (int i = 0; i < 16; ++i)
      callers.emplace_back([&] {
        CHECK(cache->list()->total == 1);
        ++done;
      });
    // Wait until the first caller is inside the inner source, then let the others pile up.
    while (inner->calls.load() == 0)
      std::this_thread::yield();
    while (cache->counters().hits < 15)
      std::this_thread::yield();
    {
      std::lock_guard lock(inner->mutex);
      inner->gate_open = true;
    }
    inner->cv.notify_all();
    callers.clear();
    CHECK(done == 16);
    CHECK(inner->calls == 1);
  }
}
