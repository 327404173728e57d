// leanspec_generate_corpus: writes a synthetic LeanSpec project for benchmarks.
//
//   leanspec_generate_corpus --out DIR [--specs N] [--seed S] [--average-bytes B] [--force]
//
// DIR gets .lean-spec/config.json and specs/NNN-slug/{README.md,...}; the same arguments
// always give the same bytes. Without --force an existing DIR generated with the same
// arguments is kept.
#include "corpus_generator.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

namespace {

int usage() {
  std::fputs("usage: leanspec_generate_corpus --out DIR [--specs N] [--seed S] "
             "[--average-bytes B] [--force]\n",
             stderr);
  return 2;
}

bool parse_count(const char *text, std::uint64_t &out) {
  char *end = nullptr;
  out = std::strtoull(text, &end, 10);
  return end != text && *end == '\0';
}

} // namespace

int main(int argc, char **argv) {
  leanspec::bench::CorpusOptions options;
  bool force = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    std::uint64_t value = 0;
    if (arg == "--force") {
      force = true;
    } else if (i + 1 >= argc) {
      return usage();
    } else if (arg == "--out") {
      options.root = argv[++i];
    } else if (arg == "--specs" && parse_count(argv[i + 1], value)) {
      options.specs = static_cast<std::size_t>(value);
      ++i;
    } else if (arg == "--seed" && parse_count(argv[i + 1], value)) {
      options.seed = value;
      ++i;
    } else if (arg == "--average-bytes" && parse_count(argv[i + 1], value) && value > 0) {
      options.average_readme_bytes = static_cast<std::size_t>(value);
      ++i;
    } else {
      return usage();
    }
  }
  if (options.root.empty())
    return usage();
  try {
    const auto start = std::chrono::steady_clock::now();
    if (force) {
      const auto summary = leanspec::bench::generate_corpus(options);
      std::printf("generated %zu specs, %zu files, %zu bytes", summary.specs, summary.files,
                  summary.bytes);
    } else if (leanspec::bench::ensure_corpus(options)) {
      std::printf("generated %zu specs", options.specs);
    } else {
      std::printf("kept %s (same options)\n", options.root.string().c_str());
      return 0;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf(" in %.2f s into %s\n", seconds, options.root.string().c_str());
  } catch (const std::exception &e) {
    std::fprintf(stderr, "leanspec_generate_corpus: %s\n", e.what());
    return 1;
  }
  return 0;
}
