#pragma once
// Bench-only: writes a synthetic LeanSpec project (a specs tree plus .lean-spec/config.json)
// shaped like the real LeanSpec corpus: YAML frontmatter with status, priority, tags, dates,
// transitions, depends_on and parent; Markdown bodies of headings, paragraphs, lists, code
// fences and tables (~12 KB README on average); sub-spec files on some specs. The output is a
// pure function of (specs, seed, average size): the same arguments give the same bytes on any
// machine. Single-thread. Used by leanspec_generate_corpus and leanspec_bench.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace leanspec::bench {

struct CorpusOptions {
  std::filesystem::path root;                   ///< the project folder to create
  std::size_t specs = 1000;                     ///< how many spec folders
  std::uint64_t seed = 20251125;                ///< every byte follows from it
  std::size_t average_readme_bytes = 12 * 1024; ///< mean README.md size (log-normal spread)
};

struct CorpusSummary {
  std::size_t specs = 0;
  std::size_t files = 0; ///< README.md and sub-spec files
  std::size_t bytes = 0; ///< bytes of those files
};

/// Writes `options.root` from scratch (an existing folder is replaced). The specs go to
/// `<root>/specs`, named `NNN-slug`.
/// @throws std::filesystem::filesystem_error or std::runtime_error on I/O failure
CorpusSummary generate_corpus(const CorpusOptions &options);

/// Generates the corpus unless `<root>/.leanspec-bench-corpus` records the same options (so a
/// second run reuses the tree). Returns true when it generated.
bool ensure_corpus(const CorpusOptions &options);

/// The text the marker file holds for these options.
std::string corpus_fingerprint(const CorpusOptions &options);

} // namespace leanspec::bench
