// SpecsService under a web app's request mix (issue 6: cache hit rate > 90% after warm-up).
// A generated 1,000-spec corpus is served twice, from its directory (filesystem project) and
// from a SQLite file it was imported into (project acme/web), by one service in `both` mode.
// Requests are drawn from a fixed seed: 60% get(ref) and 10% relationships(ref) with refs
// Zipf-distributed (s = 1: a few specs are popular, every one is asked for now and then), 15%
// list with one of 6 filters, 10% search with one of 10 queries, 5% stats; each for one of the
// two projects at random. Prints the hit rate and mean time per request after `warmup`
// requests, over `requests` more.
//
//   leanspec_service_bench [corpus_root] [warmup=2000] [requests=20000]
#include "corpus_generator.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <leanspec/specs_service.hpp>
#include <random>
#include <string>
#include <vector>

using namespace leanspec;

namespace {

struct Mix {
  std::mt19937_64 rng{20261202};
  std::vector<double> zipf; // cumulative weights over spec numbers 1..n
  explicit Mix(std::size_t n) {
    double total = 0;
    for (std::size_t i = 1; i <= n; ++i)
      zipf.push_back(total += 1.0 / static_cast<double>(i));
    for (auto &w : zipf)
      w /= total;
  }
  double uniform() { return std::uniform_real_distribution<double>(0, 1)(rng); }
  std::string ref() {
    const auto it = std::lower_bound(zipf.begin(), zipf.end(), uniform());
    return std::to_string(1 + (it - zipf.begin()));
  }
  std::size_t pick(std::size_t n) { return static_cast<std::size_t>(uniform() * n) % n; }
};

void one_request(SpecsService &service, Mix &mix) {
  static const std::vector<Filter> filters = [] {
    std::vector<Filter> f(6);
    f[1].statuses = {Status::planned};
    f[2].statuses = {Status::in_progress};
    f[3].priorities = {Priority::high, Priority::critical};
    f[4].archived = false;
    f[5].statuses = {Status::complete};
    return f;
  }();
  static const char *queries[] = {
      "cache",           "search index",  "status:planned api", "tag:core", "watcher",
      "\"sync engine\"", "priority:high", "database OR store",  "config~1", "created:>=2025-06-01"};
  const std::string project = mix.uniform() < 0.5 ? std::string() : std::string("acme/web");
  const double kind = mix.uniform();
  if (kind < 0.60) {
    (void)service.get(mix.ref(), project);
  } else if (kind < 0.70) {
    try {
      (void)service.relationships(mix.ref(), project);
    } catch (const Error &) { // an ambiguous number in the generated corpus
    }
  } else if (kind < 0.85) {
    ListQuery query;
    query.project_id = project;
    query.filter = filters[mix.pick(filters.size())];
    query.limit = 50;
    (void)service.list(query);
  } else if (kind < 0.95) {
    SearchQuery query;
    query.project_id = project;
    query.text = queries[mix.pick(std::size(queries))];
    (void)service.search(query);
  } else {
    (void)service.stats(project);
  }
}

} // namespace

int main(int argc, char **argv) {
  const std::filesystem::path root =
      argc > 1 ? std::filesystem::path(argv[1])
               : std::filesystem::temp_directory_path() / "leanspec-service-bench";
  const long warmup = argc > 2 ? std::atol(argv[2]) : 2000;
  const long requests = argc > 3 ? std::atol(argv[3]) : 20000;
  bench::CorpusOptions corpus;
  corpus.root = root / "corpus";
  corpus.specs = 1000;
  bench::ensure_corpus(corpus);

  const std::filesystem::path db_file = root / "service-bench.db";
  std::filesystem::remove(db_file);
  {
    DatabaseSource db({.database_url = "sqlite:" + db_file.string()});
    db.add_project({.id = "acme/web"});
    db.import_directory("acme/web", corpus.root / "specs");
  }
  ServiceConfig config;
  config.mode = SpecsMode::both;
  config.specs_dir = corpus.root / "specs";
  config.database_url = "sqlite:" + db_file.string();
  SpecsService service(config);

  Mix mix(corpus.specs);
  for (long i = 0; i < warmup; ++i)
    one_request(service, mix);
  const CacheStats before = service.cache_stats();
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < requests; ++i)
    one_request(service, mix);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const CacheStats after = service.cache_stats();

  const auto hits = after.total.hits - before.total.hits;
  const auto misses = after.total.misses - before.total.misses;
  std::printf("requests after warm-up: %ld (warm-up %ld)\n", requests, warmup);
  std::printf("hits %llu, misses %llu, hit rate %.2f%%, entries %llu\n",
              static_cast<unsigned long long>(hits), static_cast<unsigned long long>(misses),
              100.0 * static_cast<double>(hits) / static_cast<double>(hits + misses),
              static_cast<unsigned long long>(after.total.entries));
  for (const auto &s : after.sources)
    std::printf("  %s: hits %llu, misses %llu (since start)\n",
                std::string(to_string(s.source)).c_str(),
                static_cast<unsigned long long>(s.counters.hits),
                static_cast<unsigned long long>(s.counters.misses));
  std::printf("mean time per request: %.2f us\n",
              std::chrono::duration<double, std::micro>(elapsed).count() /
                  static_cast<double>(requests));
  return 0;
}
