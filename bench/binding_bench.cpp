// The cost of the binding layer per call (issue 7): the same cached calls made directly in C++
// and through the C API (libleanspec_c), on the real LeanSpec corpus (~300 specs) behind a
// CachingSource, so the C++ side is the cache's hit path. bench/binding_bench.py measures the
// Python module the same way. Results and command: docs/BENCHMARKS.md, "Binding cost".
//
//   <build>/bench/leanspec_binding_bench [--benchmark_filter=...]
//   LEANSPEC_CORPUS: the project folder whose specs/ is read (default ../shared/corpus/lean-spec
//   beside the checkout)
#include "leanspec.h"

#include <benchmark/benchmark.h>
#include <cstdlib>
#include <leanspec/leanspec.hpp>
#include <stdexcept>
#include <string>

namespace {

std::string corpus() {
  const char *dir = std::getenv("LEANSPEC_CORPUS");
  return std::string(dir != nullptr ? dir : LEANSPEC_DEFAULT_CORPUS) + "/specs";
}

const std::shared_ptr<leanspec::CachingSource> &cpp_source() {
  static const auto source = leanspec::make_caching_source(
      leanspec::make_filesystem_source({.specs_dir = corpus(), .project_id = "lean-spec"}));
  return source;
}

leanspec_source *c_source() {
  static leanspec_source *source = [] {
    leanspec_fs_options opts = LEANSPEC_FS_OPTIONS_INIT;
    const auto dir = corpus();
    opts.specs_dir = dir.c_str();
    opts.project_id = "lean-spec";
    leanspec_source *fs = nullptr, *cache = nullptr;
    if (leanspec_source_open_filesystem(&fs, &opts) != LEANSPEC_OK ||
        leanspec_source_open_caching(&cache, fs, nullptr) != LEANSPEC_OK)
      throw std::runtime_error(leanspec_last_error());
    leanspec_source_free(fs); // the caching source keeps it
    return cache;
  }();
  return source;
}

// A ref in the middle of the corpus, by number.
const std::string &ref() {
  static const std::string r = [] {
    const auto page = cpp_source()->list();
    return page->specs.at(page->specs.size() / 2)->id;
  }();
  return r;
}

constexpr const char *query = "cache";

void cpp_list(benchmark::State &state) {
  for (auto _ : state) {
    auto page = cpp_source()->list();
    benchmark::DoNotOptimize(page);
  }
  state.counters["specs"] = static_cast<double>(cpp_source()->list()->specs.size());
}
// What a host that reads every spec does: the list plus one field of each spec.
void cpp_list_touch(benchmark::State &state) {
  for (auto _ : state) {
    const auto page = cpp_source()->list();
    std::size_t bytes = 0;
    for (const auto &spec : page->specs)
      bytes += spec->id.size() + spec->title.size();
    benchmark::DoNotOptimize(bytes);
  }
}
void cpp_list_json(benchmark::State &state) {
  for (auto _ : state) {
    auto json = leanspec::to_json(*cpp_source()->list());
    benchmark::DoNotOptimize(json);
  }
}
void c_list(benchmark::State &state) {
  leanspec_source *src = c_source();
  for (auto _ : state) {
    leanspec_string out;
    if (leanspec_source_list(&out, src, nullptr) != LEANSPEC_OK)
      state.SkipWithError(leanspec_last_error());
    benchmark::DoNotOptimize(out.data);
    leanspec_string_free(&out);
  }
}

void cpp_get(benchmark::State &state) {
  for (auto _ : state) {
    auto spec = cpp_source()->get(ref());
    benchmark::DoNotOptimize(spec);
  }
}
void cpp_get_json(benchmark::State &state) {
  for (auto _ : state) {
    auto json = leanspec::to_json(*cpp_source()->get(ref()));
    benchmark::DoNotOptimize(json);
  }
}
void c_get(benchmark::State &state) {
  leanspec_source *src = c_source();
  for (auto _ : state) {
    leanspec_string out;
    if (leanspec_source_get(&out, src, ref().c_str(), nullptr) != LEANSPEC_OK)
      state.SkipWithError(leanspec_last_error());
    benchmark::DoNotOptimize(out.data);
    leanspec_string_free(&out);
  }
}

void cpp_search(benchmark::State &state) {
  for (auto _ : state) {
    auto hits = cpp_source()->search({.text = query});
    benchmark::DoNotOptimize(hits);
  }
}
void cpp_search_json(benchmark::State &state) {
  for (auto _ : state) {
    auto json = leanspec::to_json(*cpp_source()->search({.text = query}));
    benchmark::DoNotOptimize(json);
  }
}
void c_search(benchmark::State &state) {
  leanspec_source *src = c_source();
  for (auto _ : state) {
    leanspec_string out;
    if (leanspec_source_search(&out, src, query, nullptr) != LEANSPEC_OK)
      state.SkipWithError(leanspec_last_error());
    benchmark::DoNotOptimize(out.data);
    leanspec_string_free(&out);
  }
}

} // namespace

BENCHMARK(cpp_list);
BENCHMARK(cpp_list_touch);
BENCHMARK(cpp_list_json);
BENCHMARK(c_list);
BENCHMARK(cpp_get);
BENCHMARK(cpp_get_json);
BENCHMARK(c_get);
BENCHMARK(cpp_search);
BENCHMARK(cpp_search_json);
BENCHMARK(c_search);
BENCHMARK_MAIN();
