// leanspec_bench: Google Benchmark suite for FilesystemSource and CachingSource.
//
// Corpora:
//   real   the LeanSpec project's own specs: $LEANSPEC_CORPUS (default
//          ../shared/corpus/lean-spec beside the checkout); its benchmarks are skipped, with a
//          message, when absent
//   gen1k  synthetic, 1,000 specs  } generated on first use (bench/corpus_generator.hpp) into
//   gen10k synthetic, 10,000 specs } $LEANSPEC_BENCH_CORPUS_ROOT (default <build>/bench/corpus)
//
// Targets (docs/BENCHMARKS.md): cached list/get hits <= 1 us; search on 10k specs <= 1 ms per
// query, the lazily built index excluded (benchmarked on its own as search_index_build).
// The figures are printed, never asserted.
//
// Extra mode for bench/memory.sh:
//   leanspec_bench --probe PROJECT_DIR QUERY...   load, run each search once, print counts
#include "corpus_generator.hpp"

#include <benchmark/benchmark.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <leanspec/caching_source.hpp>
#include <leanspec/error.hpp>
#include <leanspec/filesystem_source.hpp>
#include <memory>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

#ifndef LEANSPEC_BENCH_CORPUS_ROOT
#define LEANSPEC_BENCH_CORPUS_ROOT "bench-corpus"
#endif

std::string env_or(const char *name, const char *fallback) {
  const char *value = std::getenv(name);
  return value && *value ? value : fallback;
}

/// One project folder and its sources, opened on first use (outside any timed region).
struct Corpus {
  std::string name;
  fs::path project_dir;
  std::shared_ptr<leanspec::FilesystemSource> direct;
  std::shared_ptr<leanspec::CachingSource> cached;

  leanspec::FilesystemOptions options() const { return leanspec::discover_options(project_dir); }
  const leanspec::FilesystemSource &source() {
    if (!direct) {
      direct = leanspec::make_filesystem_source(options());
      // A long TTL so the cached benchmarks measure the hit path, not a periodic refill.
      cached = leanspec::make_caching_source(direct, {.ttl = std::chrono::hours(24)});
    }
    return *direct;
  }
  const leanspec::CachingSource &cache() {
    source();
    return *cached;
  }
};

std::vector<std::unique_ptr<Corpus>> &corpora() {
  static std::vector<std::unique_ptr<Corpus>> all;
  return all;
}

Corpus *add_corpus(std::string name, fs::path project_dir) {
  corpora().push_back(
      std::make_unique<Corpus>(Corpus{std::move(name), std::move(project_dir), {}, {}}));
  return corpora().back().get();
}

template <class T> void keep(const T &value) { benchmark::DoNotOptimize(value.get()); }

// --- Load ---------------------------------------------------------------------------------

/// FilesystemSource construction (read + parse every spec, build the snapshot), page cache
/// warm: one untimed load first. The destructor runs outside the timed region.
/// With `parse_cache`, FilesystemOptions::cache_dir points at a warm cache file (a new process
/// that has loaded this tree before, as the CLI does); without, every frontmatter is parsed.
void load(benchmark::State &state, Corpus *corpus, bool parse_cache) {
  auto options = corpus->options();
  if (parse_cache)
    options.cache_dir = std::filesystem::temp_directory_path() / "leanspec-bench-cache";
  { leanspec::FilesystemSource warm(options); }
  std::size_t specs = 0;
  for (auto _ : state) {
    const auto start = Clock::now();
    auto source = std::make_unique<leanspec::FilesystemSource>(options);
    const auto stop = Clock::now();
    state.SetIterationTime(std::chrono::duration<double>(stop - start).count());
    specs = source->stats()->total;
    source.reset();
  }
  state.counters["specs"] = static_cast<double>(specs);
}

// --- List ---------------------------------------------------------------------------------

leanspec::ListQuery all_query() { return {}; }

/// Non-archived, complete or in-progress, high or critical priority, tagged cli (real) / api.
leanspec::ListQuery filtered_query(const Corpus &corpus) {
  leanspec::ListQuery query;
  query.filter.statuses = {leanspec::Status::complete, leanspec::Status::in_progress,
                           leanspec::Status::planned};
  query.filter.priorities = {leanspec::Priority::high, leanspec::Priority::critical};
  query.filter.tags = {corpus.name == "real" ? "cli" : "api"};
  query.filter.archived = false;
  query.sort = {leanspec::Sort::Key::updated, true};
  return query;
}

template <bool Cached> void list(benchmark::State &state, Corpus *corpus, bool filtered) {
  const leanspec::SpecSource &source =
      Cached ? static_cast<const leanspec::SpecSource &>(corpus->cache()) : corpus->source();
  const auto query = filtered ? filtered_query(*corpus) : all_query();
  std::size_t total = source.list(query)->total; // fills the cache
  for (auto _ : state) {
    const auto page = source.list(query);
    keep(page);
  }
  state.counters["specs"] = static_cast<double>(total);
}

// --- Get ----------------------------------------------------------------------------------

/// A spec in the middle of the corpus: `by_number` looks it up by its bare number ("150"),
/// else by its id ("150-tag-management").
template <bool Cached> void get(benchmark::State &state, Corpus *corpus, bool by_number) {
  const leanspec::SpecSource &source =
      Cached ? static_cast<const leanspec::SpecSource &>(corpus->cache()) : corpus->source();
  const auto all = corpus->source().list({});
  const auto &middle = all->specs.at(all->specs.size() / 2);
  const std::string ref = by_number ? std::to_string(middle->number) : middle->id;
  if (source.get(ref) == nullptr) {
    state.SkipWithError(("ref " + ref + " not found").c_str());
    return;
  }
  for (auto _ : state) {
    const auto spec = source.get(ref);
    keep(spec);
  }
  state.SetLabel(ref);
}

// --- Search -------------------------------------------------------------------------------

/// The first search of a snapshot builds its inverted index; this times that first search on
/// a freshly loaded source (the load itself untimed).
void search_index_build(benchmark::State &state, Corpus *corpus) {
  const auto options = corpus->options();
  const leanspec::SearchQuery query{.text = "cache"};
  for (auto _ : state) {
    auto source = std::make_unique<leanspec::FilesystemSource>(options);
    const auto start = Clock::now();
    const auto result = source->search(query);
    const auto stop = Clock::now();
    state.SetIterationTime(std::chrono::duration<double>(stop - start).count());
    keep(result);
    source.reset();
  }
}

/// One query on a source whose index is built (one untimed search first). Uncached: every
/// iteration parses, evaluates and ranks.
template <bool Cached> void search(benchmark::State &state, Corpus *corpus, std::string text) {
  const leanspec::SpecSource &source =
      Cached ? static_cast<const leanspec::SpecSource &>(corpus->cache()) : corpus->source();
  const leanspec::SearchQuery query{.text = std::move(text)};
  const auto first = source.search(query); // builds the index (and fills the cache)
  for (auto _ : state) {
    const auto result = source.search(query);
    keep(result);
  }
  state.counters["hits"] = static_cast<double>(first->total);
}

// --- Stats, validate, relationships ---------------------------------------------------------

template <bool Cached> void stats(benchmark::State &state, Corpus *corpus) {
  const leanspec::SpecSource &source =
      Cached ? static_cast<const leanspec::SpecSource &>(corpus->cache()) : corpus->source();
  for (auto _ : state) {
    const auto result = source.stats();
    keep(result);
  }
}

template <bool Cached> void validate(benchmark::State &state, Corpus *corpus) {
  const leanspec::SpecSource &source =
      Cached ? static_cast<const leanspec::SpecSource &>(corpus->cache()) : corpus->source();
  std::size_t count = source.validate()->size();
  for (auto _ : state) {
    const auto result = source.validate();
    keep(result);
  }
  state.counters["diagnostics"] = static_cast<double>(count);
}

void relationships(benchmark::State &state, Corpus *corpus) {
  const auto &source = corpus->source();
  const auto all = source.list({});
  const std::string ref = all->specs.at(all->specs.size() / 2)->id;
  for (auto _ : state) {
    const auto result = source.relationships(ref);
    keep(result);
  }
}

// --- Registration ---------------------------------------------------------------------------

struct NamedQuery {
  const char *name;
  const char *text;
};
constexpr NamedQuery queries[] = {
    {"word", "cache"},
    {"prefix", "valid"},
    {"phrase", "\"search index\""},
    {"two_words", "dependency graph"},
    {"fielded", "status:planned tag:api cache"},
    {"fuzzy", "valdation~1"},
    {"boolean", "(watcher OR snapshot) -archived"},
};

void register_corpus(Corpus *corpus, bool full) {
  using benchmark::RegisterBenchmark;
  const std::string c = corpus->name;
  const bool big = corpus->name == "gen10k";
  for (const bool parse_cache : {false, true}) {
    auto *b = RegisterBenchmark(((parse_cache ? "load/parse_cache/" : "load/") + c).c_str(), load,
                                corpus, parse_cache)
                  ->UseManualTime()
                  ->Unit(benchmark::kMillisecond);
    if (big)
      b->Iterations(5);
  }

  RegisterBenchmark(("list_all/direct/" + c).c_str(), list<false>, corpus, false)
      ->Unit(benchmark::kMicrosecond);
  RegisterBenchmark(("list_filtered/direct/" + c).c_str(), list<false>, corpus, true)
      ->Unit(benchmark::kMicrosecond);
  RegisterBenchmark(("list_all/cached/" + c).c_str(), list<true>, corpus, false);
  RegisterBenchmark(("list_filtered/cached/" + c).c_str(), list<true>, corpus, true);
  RegisterBenchmark(("get_id/direct/" + c).c_str(), get<false>, corpus, false);
  RegisterBenchmark(("get_number/direct/" + c).c_str(), get<false>, corpus, true);
  RegisterBenchmark(("get_id/cached/" + c).c_str(), get<true>, corpus, false);
  RegisterBenchmark(("get_number/cached/" + c).c_str(), get<true>, corpus, true);
  if (full) {
    RegisterBenchmark(("search_index_build/" + c).c_str(), search_index_build, corpus)
        ->UseManualTime()
        ->Iterations(big ? 3 : 10)
        ->Unit(benchmark::kMillisecond);
    for (const auto &q : queries)
      RegisterBenchmark(("search/" + std::string(q.name) + "/direct/" + c).c_str(), search<false>,
                        corpus, std::string(q.text))
          ->Unit(benchmark::kMicrosecond);
    RegisterBenchmark(("search/fielded/cached/" + c).c_str(), search<true>, corpus,
                      std::string("status:planned tag:api cache"));
  }
  RegisterBenchmark(("stats/direct/" + c).c_str(), stats<false>, corpus);
  RegisterBenchmark(("stats/cached/" + c).c_str(), stats<true>, corpus);
  RegisterBenchmark(("validate/direct/" + c).c_str(), validate<false>, corpus)
      ->Unit(benchmark::kMicrosecond);
  RegisterBenchmark(("validate/cached/" + c).c_str(), validate<true>, corpus);
  RegisterBenchmark(("relationships/direct/" + c).c_str(), relationships, corpus)
      ->Unit(benchmark::kMicrosecond);
}

/// --probe PROJECT_DIR QUERY...: what bench/memory.sh measures the peak RSS of.
int probe(int argc, char **argv) {
  if (argc < 3) {
    std::fputs("usage: leanspec_bench --probe PROJECT_DIR [QUERY...]\n", stderr);
    return 2;
  }
  try {
    const auto start = Clock::now();
    auto source = leanspec::make_filesystem_source(leanspec::discover_options(argv[2]));
    const auto loaded = Clock::now();
    std::printf("loaded %zu specs in %.1f ms\n", source->stats()->total,
                std::chrono::duration<double, std::milli>(loaded - start).count());
    for (int i = 3; i < argc; ++i) {
      const auto t0 = Clock::now();
      const auto result = source->search({.text = argv[i]});
      std::printf("search %-40s %6zu hits in %8.3f ms\n", argv[i], result->total,
                  std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
  } catch (const leanspec::Error &e) {
    std::fprintf(stderr, "leanspec_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--probe") == 0)
    return probe(argc, argv);

  const fs::path real = env_or("LEANSPEC_CORPUS", LEANSPEC_DEFAULT_CORPUS);
  if (fs::is_directory(real / "specs") || fs::is_regular_file(real / ".lean-spec/config.json")) {
    register_corpus(add_corpus("real", real), true);
  } else {
    std::fprintf(stderr,
                 "leanspec_bench: real corpus not found at %s (set LEANSPEC_CORPUS to a LeanSpec "
                 "project folder); skipping the real-corpus benchmarks\n",
                 real.string().c_str());
  }

  const fs::path root = env_or("LEANSPEC_BENCH_CORPUS_ROOT", LEANSPEC_BENCH_CORPUS_ROOT);
  for (const std::size_t specs : {std::size_t{1000}, std::size_t{10000}}) {
    leanspec::bench::CorpusOptions options;
    options.root = root / ("generated-" + std::to_string(specs));
    options.specs = specs;
    try {
      const auto start = Clock::now();
      if (leanspec::bench::ensure_corpus(options))
        std::fprintf(stderr, "leanspec_bench: generated %zu specs into %s in %.1f s\n", specs,
                     options.root.string().c_str(),
                     std::chrono::duration<double>(Clock::now() - start).count());
    } catch (const std::exception &e) {
      std::fprintf(stderr, "leanspec_bench: cannot generate %s: %s\n",
                   options.root.string().c_str(), e.what());
      return 1;
    }
    register_corpus(add_corpus(specs == 1000 ? "gen1k" : "gen10k", options.root), specs == 10000);
  }

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
