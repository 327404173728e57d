// libFuzzer target: arbitrary text as a query in LeanSpec's query language.
// Properties: parse_query() either returns a query or throws leanspec::Error (any other
// exception or a crash is a bug); the canonical text round-trips,
// parse_query(to_string(q)) == q, and to_string is stable on it; evaluating the query over a
// few specs neither throws nor crashes, and gives the same page over an index of only the
// query's terms (query_terms.hpp) as over the whole index.
// Seeds: corpus/query. Replayed under gcc by replay_main.cpp (ctest -L fuzz-replay).

#include "fuzz_check.hpp"
#include "query/query_parser.hpp"
#include "query/query_terms.hpp"
#include "query/search.hpp"
#include "query/search_index.hpp"

#include <cstddef>
#include <cstdint>
#include <leanspec/error.hpp>
#include <leanspec/query.hpp>
#include <leanspec/spec.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

using leanspec::detail::Query;

struct Corpus {
  std::vector<leanspec::SpecPtr> specs;
  std::shared_ptr<const leanspec::detail::SearchIndex> index;
};

const Corpus &corpus() {
  static const Corpus c = [] {
    Corpus made;
    const char *readmes[][2] = {
        {"001-cache-layer", "---\nstatus: in-progress\npriority: high\ntags: [cache, perf]\n"
                            "assignee: ada\ncreated: 2025-11-01\n---\n\n# Cache layer\n\n"
                            "A TTL cache with single flight.\n"},
        {"002-query-language", "---\nstatus: planned\npriority: medium\ntags: [search]\n"
                               "created: 2025-11-15\ndepends_on: [001]\n---\n\n# Query language\n\n"
                               "Phrases, AND/OR/NOT, fields and fuzzy words.\n"},
        {"003-archive", "---\nstatus: complete\ncreated: 2025-10-30\n---\n\n# Archive\n\nDone.\n"},
    };
    for (const auto &r : readmes)
      made.specs.push_back(
          std::make_shared<const leanspec::Spec>(leanspec::parse_spec(r[0], std::string(r[1]))));
    made.index = leanspec::detail::build_search_index(made.specs);
    return made;
  }();
  return c;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  const std::string shown(text);

  std::shared_ptr<const Query> query;
  try {
    query = leanspec::detail::parse_query(text);
  } catch (const leanspec::Error &) {
    return 0; // rejected with a message: fine. Any other exception escapes and terminates.
  }
  if (!query)
    leanspec::fuzz::fail("parse_query returned null", shown);

  // The canonical form of a query near the byte cap may be longer (full date-times, escapes)
  // and so be refused: the round trip is checked below the cap.
  if (const std::string canonical = leanspec::detail::to_string(*query);
      canonical.size() <= leanspec::max_query_bytes) {
    std::shared_ptr<const Query> again;
    try {
      again = leanspec::detail::parse_query(canonical);
    } catch (const leanspec::Error &e) {
      leanspec::fuzz::fail("the canonical text does not parse: " + std::string(e.what()),
                           shown + "  ->  " + canonical);
    }
    if (!again || !(*again == *query))
      leanspec::fuzz::fail("parse_query(to_string(q)) != q", shown + "  ->  " + canonical);
    if (const std::string twice = leanspec::detail::to_string(*again); twice != canonical)
      leanspec::fuzz::fail("to_string is not stable", canonical + "  ->  " + twice);
  }

  const Corpus &c = corpus();
  const auto whole = leanspec::detail::run_search(c.specs, *c.index, *query, {}, 10);
  const leanspec::detail::QueryTerms terms(*query);
  const auto only = leanspec::detail::run_search(
      c.specs, *leanspec::detail::build_search_index(c.specs, &terms), *query, {}, 10);
  bool same = only.total == whole.total && only.hits.size() == whole.hits.size();
  for (std::size_t i = 0; same && i < only.hits.size(); ++i)
    same = only.hits[i].spec == whole.hits[i].spec && only.hits[i].score == whole.hits[i].score &&
           only.hits[i].snippet == whole.hits[i].snippet;
  if (!same)
    leanspec::fuzz::fail("an index of the query's terms answers otherwise", shown);
  return 0;
}
