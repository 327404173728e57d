// Tests of the search index and ranked search (src/query/search_index.cpp, search.cpp) on specs
// built in memory, plus a differential test against a deliberately naive reference matcher.
#include "query/byte_pair_scan.hpp"
#include "query/query_ast.hpp"
#include "query/query_parser.hpp"
#include "query/query_terms.hpp"
#include "query/search.hpp"
#include "query/search_index.hpp"
#include "query/tokens.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <doctest/doctest.h>
#include <leanspec/error.hpp>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <span>
#include <string>
#include <tuple>
#include <vector>

using namespace leanspec;
using namespace leanspec::detail;

namespace {

struct SpecText {
  int number = 1;
  std::string slug = "spec";
  std::string title = "Spec";
  std::string body = {};
  std::vector<std::string> tags = {};
  Status status = Status::planned;
  std::optional<Priority> priority = std::nullopt;
  std::string assignee = {};
  std::string created = {};
  std::string updated_at = {};
};

SpecPtr make_spec(const SpecText &t) {
  Spec spec;
  char number[16];
  std::snprintf(number, sizeof number, "%03d", t.number);
  spec.number_text = number;
  spec.number = t.number;
  spec.slug = t.slug;
  spec.id = spec.number_text + "-" + t.slug;
  spec.path = spec.id;
  spec.title = t.title;
  spec.body = t.body;
  spec.tags = t.tags;
  spec.status = t.status;
  spec.priority = t.priority;
  spec.assignee = t.assignee;
  spec.created = t.created;
  spec.updated_at = t.updated_at;
  return std::make_shared<const Spec>(std::move(spec));
}

class Corpus {
public:
  explicit Corpus(const std::vector<SpecText> &texts) {
    for (const auto &t : texts)
      specs_.push_back(make_spec(t));
    index_ = build_search_index(specs_);
  }

  SearchResult search(std::string_view text, std::size_t limit = 0,
                      const Filter &filter = {}) const {
    return run_search(specs_, *index_, *parse_query(text), filter, limit);
  }
  /// The ids of the hits, in rank order.
  std::vector<std::string> ids(std::string_view text, std::size_t limit = 0) const {
    std::vector<std::string> out;
    for (const auto &hit : search(text, limit).hits)
      out.push_back(hit.spec->id);
    return out;
  }
  /// The numbers of the hits, sorted.
  std::vector<int> numbers(std::string_view text) const {
    std::vector<int> out;
    for (const auto &hit : search(text).hits)
      out.push_back(hit.spec->number);
    std::sort(out.begin(), out.end());
    return out;
  }
  const std::vector<SpecPtr> &specs() const { return specs_; }
  const SearchIndex &index() const { return *index_; }

private:
  std::vector<SpecPtr> specs_;
  std::shared_ptr<const SearchIndex> index_;
};

using Numbers = std::vector<int>;

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t len = c < 0x80         ? 1
                            : (c >> 5) == 6  ? 2
                            : (c >> 4) == 14 ? 3
                            : (c >> 3) == 30 ? 4
                                             : 0;
    if (len == 0 || i + len > text.size())
      return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80)
        return false;
    i += len;
  }
  return true;
}

} // namespace

// --- Tokens and index -----------------------------------------------------------------------

TEST_CASE("tokens are lower-cased ASCII runs that keep multibyte characters whole") {
  CHECK(tokenize("Hello, World! foo_bar v1.2 C++") ==
        std::vector<std::string>{"hello", "world", "foo", "bar", "v1", "2", "c"});
  CHECK(tokenize("Naïve ÜBER 日本語-text") ==
        std::vector<std::string>{"naïve", "Über", "日本語", "text"});
  CHECK(tokenize("  ... ").empty());
}

TEST_CASE("the index keeps a sorted vocabulary with per-spec postings") {
  const Corpus corpus({
      {.number = 1,
       .slug = "alpha",
       .title = "Validation rules",
       .body = "validate the VALIDATION"},
      {.number = 2, .slug = "beta", .title = "Other", .body = "nothing", .tags = {"Validation"}},
  });
  const SearchIndex &index = corpus.index();
  CHECK(index.spec_count() == 2);
  for (std::size_t t = 1; t < index.term_count(); ++t)
    CHECK(index.term(t - 1) < index.term(t));
  const std::size_t term = index.find("validation");
  REQUIRE(term != index.term_count());
  CHECK(index.document_frequency(term) == 2);
  std::vector<SearchIndex::Posting> postings;
  index.for_each_posting(term, [&](const SearchIndex::Posting &p) { postings.push_back(p); });
  REQUIRE(postings.size() == 2);
  CHECK(postings[0].spec == 0);
  CHECK(postings[0].fields == (SearchIndex::in_title | SearchIndex::in_body));
  CHECK(postings[0].body_tf == 1);
  CHECK(postings[1].spec == 1);
  CHECK(postings[1].fields == SearchIndex::in_tags);
  const auto [first, last] = index.prefix_range("valid");
  CHECK(last - first == 2); // validate, validation
  CHECK(index.find("valid") == index.term_count());
  CHECK(index.body_length(0) == 3);
}

TEST_CASE("a spec's terms carry their hashes") {
  const Corpus corpus({{.number = 1, .slug = "s", .title = "Alpha beta", .body = "alpha GAMMA."}});
  const SpecTerms terms = collect_spec_terms(*corpus.specs()[0]);
  REQUIRE(terms.entries.size() == 5); // alpha, beta, 001, s, gamma
  for (const auto &entry : terms.entries)
    CHECK(entry.hash == term_hash(terms.token(entry)));
  CHECK(terms.token(terms.entries[0]) == "alpha");
  CHECK(terms.entries[0].fields == (SearchIndex::in_title | SearchIndex::in_body));
}

TEST_CASE("the two-thread build gives the index the sequential builder gives") {
  std::mt19937 random(7);
  const std::vector<std::string> words{"alpha", "beta", "gamma", "delta", "Über", "x1", "y"};
  std::vector<SpecPtr> specs;
  for (int i = 1; i <= 700; ++i) {
    std::string body;
    for (int k = static_cast<int>(random() % 40); k > 0; --k)
      body += words[random() % words.size()] + std::to_string(random() % (i % 7 == 0 ? 5000 : 30)) +
              (random() % 3 ? " " : ". ");
    specs.push_back(make_spec({.number = i, .slug = "s" + std::to_string(i), .body = body}));
  }
  const auto parallel = build_search_index(specs);
  SearchIndexBuilder builder;
  for (const auto &spec : specs)
    builder.add(collect_spec_terms(*spec));
  const auto sequential = builder.finish();
  REQUIRE(parallel->term_count() == sequential->term_count());
  REQUIRE(parallel->spec_count() == sequential->spec_count());
  CHECK(parallel->average_body_length() == sequential->average_body_length());
  for (std::size_t t = 0; t < parallel->term_count(); ++t) {
    REQUIRE(parallel->term(t) == sequential->term(t));
    REQUIRE(parallel->document_frequency(t) == sequential->document_frequency(t));
    std::vector<std::uint64_t> a, b;
    const auto pack = [](std::vector<std::uint64_t> &out) {
      return [&out](const SearchIndex::Posting &p) {
        out.push_back(std::uint64_t{p.spec} << 16 | std::uint64_t{p.fields} << 8 | p.body_tf);
      };
    };
    parallel->for_each_posting(t, pack(a));
    sequential->for_each_posting(t, pack(b));
    REQUIRE(a == b);
  }
}

TEST_CASE("the postings agree with each spec's own terms, past one- and two-byte gaps") {
  // 17,000 specs: spec gaps and term ids past the one- and two-byte varints (128, 16,384), body
  // counts past the saturation at 15, every field, and lists of both codings: all of the
  // commonest posting (once, in the body), mostly of it, and mostly not.
  std::vector<SpecPtr> specs;
  for (int i = 0; i < 17000; ++i) {
    SpecText t{.number = i + 1, .slug = "s", .title = "T", .body = "u" + std::to_string(i)};
    if (i == 0 || i == 200 || i == 16900)
      t.body += " rare Rare";
    if (i == 0 || i == 9000 || i == 16999)
      t.body += " far";
    t.body += i % 10 == 0 ? " mostly mostly" : " mostly";
    if (i % 150 == 0)
      t.body += i % 3000 == 0 ? " sparse sparse" : " sparse";
    if (i % 1000 == 7) {
      t.title = "Rare title";
      t.tags = {"rare", "x-" + std::to_string(i)};
    }
    for (int k = 0; k < i % 40; ++k)
      t.body += " common";
    specs.push_back(make_spec(t));
  }
  const auto index = build_search_index(specs);
  using Entry = std::tuple<std::uint32_t, int, int>; // spec, fields, body_tf
  std::map<std::string, std::vector<Entry>> expected;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const SpecTerms terms = collect_spec_terms(*specs[i]);
    for (const auto &e : terms.entries)
      expected[std::string(terms.token(e))].emplace_back(static_cast<std::uint32_t>(i), e.fields,
                                                         e.body_tf);
  }
  REQUIRE(index->term_count() == expected.size());
  std::size_t t = 0;
  for (const auto &term : expected) {
    const std::string &token = term.first;
    const std::vector<Entry> &postings = term.second;
    CAPTURE(token);
    REQUIRE(index->term(t) == token);
    CHECK(index->document_frequency(t) == postings.size());
    std::vector<Entry> got;
    index->for_each_posting(
        t, [&](const SearchIndex::Posting &p) { got.emplace_back(p.spec, p.fields, p.body_tf); });
    CHECK(got == postings);
    ++t;
  }
  const std::size_t common = index->find("common");
  REQUIRE(common != index->term_count());
  int saturated = 0;
  index->for_each_posting(
      common, [&](const SearchIndex::Posting &p) { saturated += p.body_tf == 15 ? 1 : 0; });
  CHECK(saturated > 0);
}

TEST_CASE("tokens longer than the builder's text chunks are indexed whole") {
  const std::string huge(3u << 20, 'q'); // 3 MiB: more than a chunk of term text
  const std::string long_word(300, 'w'); // a length of two varint bytes
  const Corpus corpus({
      {.number = 1, .body = "before " + huge + " after"},
      {.number = 2, .body = long_word + " after"},
      {.number = 3, .body = "after"},
  });
  const SearchIndex &index = corpus.index();
  REQUIRE(index.find(huge) != index.term_count());
  CHECK(index.term(index.find(huge)).size() == huge.size());
  CHECK(corpus.numbers(long_word) == Numbers{2});
  CHECK(corpus.numbers("after") == Numbers{1, 2, 3});
  CHECK(corpus.numbers("before") == Numbers{1});
  CHECK(corpus.numbers("qqq") == Numbers{1});
}

// --- Matching -------------------------------------------------------------------------------

TEST_CASE("a word matches the tokens it is a prefix of, whatever their case") {
  const Corpus corpus({
      {.number = 1, .body = "Input VALIDATION happens here."},
      {.number = 2, .body = "An invalid input."},
      {.number = 3, .body = "valid"},
  });
  CHECK(corpus.numbers("valid") == Numbers{1, 3});
  CHECK(corpus.numbers("VALIDATION") == Numbers{1});
  CHECK(corpus.numbers("input") == Numbers{1, 2});
  CHECK(corpus.numbers("nothing").empty());
}

TEST_CASE("a word matches the title, tags, id and body") {
  const Corpus corpus({
      {.number = 1, .slug = "cache-layer", .title = "One"},
      {.number = 2, .title = "Cache rules"},
      {.number = 3, .tags = {"cache"}},
      {.number = 4, .body = "the cache"},
      {.number = 5, .body = "no match"},
  });
  CHECK(corpus.numbers("cache") == Numbers{1, 2, 3, 4});
}

TEST_CASE("a quoted phrase matches only adjacent words") {
  const Corpus corpus({
      {.number = 1, .body = "We build the search index daily."},
      {.number = 2, .body = "The index of search results."},
      {.number = 3, .body = "search\n\n  INDEX, split by blanks"},
      {.number = 4, .title = "Search", .body = "index"}, // a phrase does not span fields
  });
  CHECK(corpus.numbers("\"search index\"") == Numbers{1, 3});
  CHECK(corpus.numbers("\"index search\"").empty());
  CHECK(corpus.numbers("search index") == Numbers{1, 2, 3, 4});
}

TEST_CASE("a phrase is found wherever its longest word stands, at either end of the text") {
  const Corpus corpus({
      {.number = 1, .body = "a validation b"},
      {.number = 2, .body = "Validation B"},
      {.number = 3, .body = "x a validation"},
      {.number = 4, .body = "a a validation b b"},
      {.number = 5, .body = "a validations b"},
      {.number = 6, .body = "avalidation b"},
      {.number = 7, .body = "a-validation—b"}, // the em dash is part of the token "validation—b"
  });
  CHECK(corpus.numbers("\"a validation b\"") == Numbers{1, 4});
  CHECK(corpus.numbers("\"a validation\"") == Numbers{1, 3, 4});
  CHECK(corpus.numbers("\"validation b\"") == Numbers{1, 2, 4});
  CHECK(corpus.numbers("\"a a validation b b\"") == Numbers{4});
}

TEST_CASE("a quoted single word matches that word exactly, not longer ones") {
  const Corpus corpus({{.number = 1, .body = "validation"}, {.number = 2, .body = "valid"}});
  CHECK(corpus.numbers("\"valid\"") == Numbers{2});
  CHECK(corpus.numbers("valid") == Numbers{1, 2});
}

TEST_CASE("a word with punctuation inside matches its parts adjacent") {
  const Corpus corpus({
      {.number = 18, .slug = "spec-validation"},
      {.number = 19, .slug = "validation-spec"},
      {.number = 20, .body = "see spec/validation"},
  });
  CHECK(corpus.numbers("spec-validation") == Numbers{18, 20});
}

TEST_CASE("a phrase is found at any offset, across any separators, in any ASCII case") {
  // Every offset from 0 to 69 puts the phrase at each position of a 16- and a 32-byte scanning
  // step, and of the scan's tail; near misses stand at the same offsets.
  const std::vector<std::string> separators{" ", "\n", "  \n\t", ", ", "-", "_", "/", "\r\n", ".."};
  const std::vector<std::string> misses{"searchindex",    "search indexes",       "research index",
                                        "search reindex", "search\xC3\xA9 index", "index search"};
  std::vector<SpecText> texts;
  Numbers expected;
  int number = 0;
  for (std::size_t offset = 0; offset < 70; ++offset) {
    const std::string lead(offset, offset % 2 ? '\n' : ' ');
    const std::string tail = offset % 3 ? "" : " and more text after it";
    const std::string &separator = separators[offset % separators.size()];
    const std::string phrase = offset % 4 == 0   ? "Search" + separator + "INDEX"
                               : offset % 4 == 1 ? "search" + separator + "index"
                               : offset % 4 == 2 ? "SEARCH" + separator + "Index"
                                                 : "sEaRcH" + separator + "iNdEx";
    texts.push_back({.number = ++number, .body = lead + phrase + tail});
    expected.push_back(number);
    texts.push_back({.number = ++number, .body = lead + misses[offset % misses.size()] + tail});
  }
  const Corpus corpus(texts);
  CHECK(corpus.numbers("\"search index\"") == expected);
  CHECK(corpus.numbers("\"SEARCH index\"") == expected);
  // The snippet starts at the phrase's first word, whatever joins the two.
  for (const auto &hit : corpus.search("\"search index\"").hits) {
    CAPTURE(hit.spec->body);
    std::string snippet = hit.snippet;
    for (char &c : snippet)
      c = fold_byte(c);
    CHECK(snippet.rfind("search", 0) == 0);
  }
}

TEST_CASE("a phrase counts in each field it stands in whole, and ranks by that field") {
  const Corpus corpus({
      {.number = 1, .title = "The search index", .body = "nothing"},
      {.number = 2, .tags = {"Search-Index"}},
      {.number = 3, .slug = "search-index"},
      {.number = 4, .body = "the\nsearch   index"},
      {.number = 5, .title = "search", .tags = {"index"}}, // split across fields
      {.number = 6, .tags = {"search", "index"}},          // split across two tags
      {.number = 7, .title = "Search", .body = "index"},
  });
  CHECK(corpus.ids("\"search index\"") ==
        std::vector<std::string>{"001-spec", "002-spec", "003-search-index", "004-spec"});
  CHECK(corpus.numbers("title:\"search index\"") == Numbers{1});
  CHECK(corpus.numbers("search index") == Numbers{1, 2, 3, 4, 5, 6, 7});
}

TEST_CASE("non-ASCII phrases match byte for byte, with only ASCII letters folded") {
  const Corpus corpus({
      {.number = 1, .body = "Über Alles ist gut"},
      {.number = 2, .body = "über alles"},
      {.number = 3, .body = "intro 日本語 テキスト outro"},
      {.number = 4, .body = "café-crème au lait"},
      {.number = 5, .body = "CAFÉ CRÈME"},
      {.number = 6, .body = "x日本語 テキスト"}, // the first token is "x日本語"
  });
  CHECK(corpus.numbers("\"über alles\"") == Numbers{2});
  CHECK(corpus.numbers("\"Über ALLES\"") == Numbers{1});
  CHECK(corpus.numbers("\"日本語 テキスト\"") == Numbers{3});
  CHECK(corpus.numbers("\"café crème\"") == Numbers{4});
  CHECK(corpus.numbers("\"CAFÉ crème\"").empty());
  CHECK(corpus.numbers("\"cafÉ crÈme\"") == Numbers{5});
}

TEST_CASE("a fuzzy word matches indexed tokens within its edit distance") {
  const Corpus corpus({
      {.number = 1, .body = "validation"},
      {.number = 2, .body = "valuation"},
      {.number = 3, .body = "other"},
  });
  CHECK(corpus.numbers("validaton~1") == Numbers{1});
  CHECK(corpus.numbers("validaton~") == Numbers{1});
  CHECK(corpus.numbers("valdaton~1").empty());
  CHECK(corpus.numbers("valdaton~2") == Numbers{1, 2}); // valuation: d->u, +i
  CHECK(corpus.numbers("validation~2") == Numbers{1, 2});
  CHECK(corpus.numbers("title:validaton~1").empty());
}

TEST_CASE("fuzzy distance counts code points, not bytes") {
  const Corpus corpus({{.number = 1, .body = "über alles"}, {.number = 2, .body = "日本語"}});
  CHECK(corpus.numbers("uber~1") == Numbers{1});
  CHECK(corpus.numbers("日本人~1") == Numbers{2});
}

TEST_CASE("non-ASCII words are indexed whole and matched as written") {
  const Corpus corpus({
      {.number = 1, .title = "Naïve Bayes", .body = "日本語のテキスト"},
      {.number = 2, .body = "Über", .tags = {"café"}},
  });
  CHECK(corpus.numbers("naïve") == Numbers{1});
  CHECK(corpus.numbers("NAïVE") == Numbers{1}); // the ASCII letters fold
  CHECK(corpus.numbers("日本") == Numbers{1});  // a prefix of the token
  CHECK(corpus.numbers("café") == Numbers{2});
  CHECK(corpus.numbers("über").empty()); // only ASCII is case-folded
  CHECK(corpus.numbers("Über") == Numbers{2});
}

TEST_CASE("title: restricts a word or phrase to the title") {
  const Corpus corpus({
      {.number = 1, .title = "Search index", .body = "words"},
      {.number = 2, .title = "Other", .body = "search index"},
  });
  CHECK(corpus.numbers("title:search") == Numbers{1});
  CHECK(corpus.numbers("title:\"search index\"") == Numbers{1});
  CHECK(corpus.numbers("title:\"index search\"").empty());
  CHECK(corpus.numbers("title:sea") == Numbers{1});
}

TEST_CASE("NOT and -word exclude the specs that match") {
  const Corpus corpus({
      {.number = 1, .body = "cache redis"},
      {.number = 2, .body = "cache memory"},
      {.number = 3, .body = "redis only"},
  });
  CHECK(corpus.numbers("cache -redis") == Numbers{2});
  CHECK(corpus.numbers("cache AND NOT redis") == Numbers{2});
  CHECK(corpus.numbers("-redis") == Numbers{2});
  CHECK(corpus.numbers("NOT \"cache redis\"") == Numbers{2, 3});
  CHECK(corpus.numbers("--redis") == Numbers{1, 3});
}

TEST_CASE("OR unites, AND intersects, and parentheses group") {
  const Corpus corpus({
      {.number = 1, .body = "alpha beta"},
      {.number = 2, .body = "alpha gamma"},
      {.number = 3, .body = "delta"},
  });
  CHECK(corpus.numbers("beta OR delta") == Numbers{1, 3});
  CHECK(corpus.numbers("alpha beta OR delta") == Numbers{1, 3});
  CHECK(corpus.numbers("alpha (beta OR delta)") == Numbers{1});
  CHECK(corpus.numbers("alpha AND gamma") == Numbers{2});
}

TEST_CASE("field filters test the spec's fields") {
  const Corpus corpus({
      {.number = 18,
       .slug = "spec-validation",
       .tags = {"API", "core"},
       .status = Status::in_progress,
       .priority = Priority::high,
       .assignee = "Ada"},
      {.number = 19,
       .slug = "other",
       .tags = {"api-v2"},
       .status = Status::planned,
       .priority = Priority::low,
       .assignee = "bob"},
      {.number = 20, .slug = "none", .status = Status::complete},
  });
  CHECK(corpus.numbers("status:wip") == Numbers{18});
  CHECK(corpus.numbers("status:\"In Progress\" OR status:done") == Numbers{18, 20});
  CHECK(corpus.numbers("priority:high") == Numbers{18});
  CHECK(corpus.numbers("-priority:low") == Numbers{18, 20});
  CHECK(corpus.numbers("tag:api") == Numbers{18}); // whole tags, case-insensitive
  CHECK(corpus.numbers("tag:API-V2") == Numbers{19});
  CHECK(corpus.numbers("assignee:ada") == Numbers{18});
  CHECK(corpus.numbers("id:18") == Numbers{18});
  CHECK(corpus.numbers("id:018") == Numbers{18});
  CHECK(corpus.numbers("id:spec-validation") == Numbers{18});
  CHECK(corpus.numbers("id:019-OTHER") == Numbers{19});
  CHECK(corpus.numbers("id:99999999999999999999").empty());
}

TEST_CASE("date comparisons and inclusive ranges use the created time") {
  const Corpus corpus({
      {.number = 1, .created = "2025-10-15"},
      {.number = 2, .created = "2025-11-01"},
      {.number = 3, .created = "2025-11-30T23:00:00Z"},
      {.number = 4, .created = "2025-12-01"},
      {.number = 5},                    // no date: never matches a date filter
      {.number = 6, .created = "soon"}, // not a date either
  });
  CHECK(corpus.numbers("created:>=2025-11-01") == Numbers{2, 3, 4});
  CHECK(corpus.numbers("created:>2025-11-01") == Numbers{3, 4});
  CHECK(corpus.numbers("created:<2025-11-01") == Numbers{1});
  CHECK(corpus.numbers("created:<=2025-11-30") == Numbers{1, 2, 3});
  CHECK(corpus.numbers("created:2025-11-30") == Numbers{3});
  CHECK(corpus.numbers("created:=2025-11-01") == Numbers{2});
  CHECK(corpus.numbers("created:2025-11-01..2025-11-30") == Numbers{2, 3});
  CHECK(corpus.numbers("created:>=\"2025-11-30 23:00\"") == Numbers{3, 4});
  CHECK(corpus.numbers("created:>2025-11-30T23:00:00Z") == Numbers{4});
  CHECK(corpus.numbers("-created:<2025-11-01") == Numbers{2, 3, 4, 5, 6});
}

TEST_CASE("created_at wins over created, and updated uses updated_at") {
  Spec spec;
  spec.id = "001-x";
  spec.number = 1;
  spec.created = "2025-01-01";
  spec.created_at = "2025-06-01T10:00:00Z";
  spec.updated_at = "2025-07-01T10:00:00Z";
  const std::vector<SpecPtr> specs{std::make_shared<const Spec>(spec)};
  const auto index = build_search_index(specs);
  const auto count = [&](std::string_view q) {
    return run_search(specs, *index, *parse_query(q), {}, 0).total;
  };
  CHECK(count("created:2025-06-01") == 1);
  CHECK(count("created:2025-01-01") == 0);
  CHECK(count("updated:2025-07-01..2025-07-31") == 1);
  CHECK(count("updated:<2025-07-01") == 0);
}

TEST_CASE("the extra Filter applies on top of the query") {
  const Corpus corpus({
      {.number = 1, .body = "cache", .status = Status::complete},
      {.number = 2, .body = "cache", .status = Status::planned},
  });
  Filter filter;
  filter.statuses = {Status::complete};
  const SearchResult result = corpus.search("cache", 0, filter);
  REQUIRE(result.hits.size() == 1);
  CHECK(result.hits[0].spec->number == 1);
  CHECK(result.total == 1);
}

// --- Ranking --------------------------------------------------------------------------------

TEST_CASE("a title match ranks above tag and id matches, which rank above body matches") {
  const Corpus corpus({
      {.number = 1, .body = "validation validation validation validation validation"},
      {.number = 2, .tags = {"validation"}},
      {.number = 3, .title = "Validation rules"},
      {.number = 4, .body = "unrelated"},
  });
  const SearchResult result = corpus.search("validation");
  REQUIRE(result.hits.size() == 3);
  CHECK(result.hits[0].spec->number == 3);
  CHECK(result.hits[1].spec->number == 2);
  CHECK(result.hits[2].spec->number == 1);
  CHECK(result.hits[0].score > result.hits[1].score);
  CHECK(result.hits[1].score > result.hits[2].score);
  CHECK(result.hits[2].score > 0);
}

TEST_CASE("body matches rank by a saturating term frequency") {
  const Corpus corpus({
      {.number = 1, .body = "cache one two three"},
      {.number = 2, .body = "cache cache cache one"},
  });
  CHECK(corpus.ids("cache") == std::vector<std::string>{"002-spec", "001-spec"});
}

TEST_CASE("an exact word ranks above a word it is only a prefix of") {
  const Corpus corpus({{.number = 1, .title = "Validation"}, {.number = 2, .title = "Valid"}});
  CHECK(corpus.ids("valid") == std::vector<std::string>{"002-spec", "001-spec"});
}

TEST_CASE("equal scores are ordered by number, then id") {
  const Corpus corpus({
      {.number = 3, .slug = "b", .body = "word"},
      {.number = 1, .slug = "z", .body = "word"},
      {.number = 3, .slug = "a", .body = "word"},
  });
  CHECK(corpus.ids("word") == std::vector<std::string>{"001-z", "003-a", "003-b"});
}

TEST_CASE("an empty query returns every spec, score 0, ordered by number") {
  const Corpus corpus({{.number = 2, .body = "b"}, {.number = 1, .body = "a"}});
  const SearchResult result = corpus.search("");
  REQUIRE(result.hits.size() == 2);
  CHECK(result.total == 2);
  CHECK(result.hits[0].spec->number == 1);
  CHECK(result.hits[0].score == 0);
  CHECK(result.hits[0].snippet == "a");
}

TEST_CASE("a filter-only query scores 0 and orders by number") {
  const Corpus corpus({{.number = 2}, {.number = 1}, {.number = 3, .status = Status::draft}});
  CHECK(corpus.ids("status:planned") == std::vector<std::string>{"001-spec", "002-spec"});
}

TEST_CASE("limit cuts the hits while total counts every match") {
  std::vector<SpecText> texts;
  for (int i = 1; i <= 30; ++i)
    texts.push_back({.number = i, .body = "common word"});
  const Corpus corpus(texts);
  const SearchResult five = corpus.search("common", 5);
  CHECK(five.total == 30);
  REQUIRE(five.hits.size() == 5);
  CHECK(five.hits[4].spec->number == 5);
  CHECK(corpus.search("common", 0).hits.size() == 30);
  CHECK(corpus.search("common", 100).hits.size() == 30);
}

TEST_CASE("find_byte_pair gives the naive answer at every scan level") {
  std::mt19937 random(11);
  const std::string alphabet = "aAbBqQzZ09 -_\n@`[{\x80\xC3\xA9\xFF";
  std::vector<ScanLevel> levels{ScanLevel::scalar};
  if (best_scan_level() >= ScanLevel::sse2)
    levels.push_back(ScanLevel::sse2);
  if (best_scan_level() >= ScanLevel::avx2)
    levels.push_back(ScanLevel::avx2);
  const auto same = [](char c, char lower) {
    return c == lower || (lower >= 'a' && lower <= 'z' && c == lower - 'a' + 'A');
  };
  for (int round = 0; round < 2000; ++round) {
    std::string text(random() % 150, ' ');
    for (char &c : text)
      c = alphabet[random() % alphabet.size()];
    const char first = fold_byte(alphabet[random() % alphabet.size()]);
    const char second = fold_byte(alphabet[random() % alphabet.size()]);
    const std::size_t gap = random() % 40;
    const std::size_t from = random() % 4 == 0 ? random() % 60 : 0;
    std::vector<std::size_t> expected;
    for (std::size_t i = from; i + gap < text.size(); ++i)
      if (same(text[i], first) && same(text[i + gap], second))
        expected.push_back(i);
    for (const ScanLevel level : levels) {
      CAPTURE(round);
      CAPTURE(static_cast<int>(level));
      std::vector<std::size_t> got;
      for (std::size_t i = find_byte_pair(text, from, first, second, gap, level);
           i != std::string_view::npos; i = find_byte_pair(text, i + 1, first, second, gap, level))
        got.push_back(i);
      CHECK(got == expected);
    }
  }
}

// --- Snippets -------------------------------------------------------------------------------

TEST_CASE("the snippet surrounds the first body match, collapsing whitespace") {
  std::string body = {};
  for (int i = 0; i < 40; ++i)
    body += "filler text\n\n";
  body += "The  needle\tis   here.\n";
  for (int i = 0; i < 40; ++i)
    body += "more filler ";
  const Corpus corpus({{.number = 1, .body = body}});
  const SearchResult result = corpus.search("needle");
  REQUIRE(result.hits.size() == 1);
  const std::string &snippet = result.hits[0].snippet;
  CAPTURE(snippet);
  CHECK(snippet.find("The needle is here. more filler") != std::string::npos);
  CHECK(snippet.rfind("\xE2\x80\xA6", 0) == 0);                // starts with …
  CHECK(snippet.substr(snippet.size() - 3) == "\xE2\x80\xA6"); // ends with …
  CHECK(snippet.find('\n') == std::string::npos);
  CHECK(snippet.find("  ") == std::string::npos);
  CHECK(snippet.size() <= 160 + 6);
  CHECK(snippet.size() >= 120);
}

TEST_CASE("the snippet is the start of the body when only the title matched") {
  const Corpus corpus({{.number = 1, .title = "Needle", .body = "Intro line.\nSecond line."}});
  CHECK(corpus.search("needle").hits.at(0).snippet == "Intro line. Second line.");
}

TEST_CASE("the snippet finds phrases and fuzzy matches in the body") {
  std::string body(400, 'x');
  body += " the search index is here";
  const Corpus corpus({{.number = 1, .body = body}});
  CHECK(corpus.search("\"search index\"").hits.at(0).snippet.find("the search index is here") !=
        std::string::npos);
  CHECK(corpus.search("serch~1").hits.at(0).snippet.find("search") != std::string::npos);
  // A negated word does not place the snippet.
  CHECK(corpus.search("index -nothing").hits.at(0).snippet.find("index") != std::string::npos);
}

TEST_CASE("snippets never split a multibyte character") {
  std::string body = {};
  for (int i = 0; i < 200; ++i)
    body += "é日";
  body += " target ";
  for (int i = 0; i < 200; ++i)
    body += "ü本";
  for (std::size_t offset = 0; offset < body.size(); offset += 7) {
    const std::string snippet = make_snippet(body, offset);
    CAPTURE(offset);
    CHECK(is_valid_utf8(snippet));
  }
  const Corpus corpus({{.number = 1, .body = body}});
  const std::string snippet = corpus.search("target").hits.at(0).snippet;
  CHECK(is_valid_utf8(snippet));
  CHECK(snippet.find("target") != std::string::npos);
}

TEST_CASE("make_snippet handles short, empty and blank bodies") {
  CHECK(make_snippet("", 0) == "");
  CHECK(make_snippet("  short  body \n", 0) == "short body");
  CHECK(make_snippet("short", 99) == "short");
  CHECK(make_snippet("\n\n\n", 1) == "");
}

// --- Differential ---------------------------------------------------------------------------

namespace {

// A deliberately naive reference: lower-cases whole fields, splits them into words and checks
// words, prefixes and adjacent runs by brute force.
struct Reference {
  static std::string lower(std::string_view s) {
    std::string out(s);
    for (char &c : out)
      if (c >= 'A' && c <= 'Z')
        c = static_cast<char>(c + 32);
    return out;
  }
  static std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    std::string current;
    for (const char c : lower(s)) {
      const auto u = static_cast<unsigned char>(c);
      if (std::isalnum(u) || u >= 0x80) {
        current += c;
      } else if (!current.empty()) {
        out.push_back(current);
        current.clear();
      }
    }
    if (!current.empty())
      out.push_back(current);
    return out;
  }
  static std::u32string points(std::string_view s) {
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
      const auto c = static_cast<unsigned char>(s[i]);
      const std::size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
      for (std::size_t k = 1; k < len && i + k < s.size(); ++k)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      out.push_back(cp);
      i += len;
    }
    return out;
  }
  static int levenshtein(std::string_view a, std::string_view b) {
    const std::u32string x = points(a), y = points(b);
    std::vector<int> d((x.size() + 1) * (y.size() + 1));
    const auto at = [&](std::size_t i, std::size_t j) -> int & {
      return d[i * (y.size() + 1) + j];
    };
    for (std::size_t i = 0; i <= x.size(); ++i)
      at(i, 0) = static_cast<int>(i);
    for (std::size_t j = 0; j <= y.size(); ++j)
      at(0, j) = static_cast<int>(j);
    for (std::size_t i = 1; i <= x.size(); ++i)
      for (std::size_t j = 1; j <= y.size(); ++j)
        at(i, j) = std::min(
            {at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + (x[i - 1] != y[j - 1])});
    return at(x.size(), y.size());
  }
  static bool run_in(const std::vector<std::string> &field, const std::vector<std::string> &run) {
    if (run.size() > field.size())
      return false;
    for (std::size_t i = 0; i + run.size() <= field.size(); ++i)
      if (std::equal(run.begin(), run.end(), field.begin() + static_cast<std::ptrdiff_t>(i)))
        return true;
    return false;
  }
  // One spec's fields split into words once: the title first, then tags, id and body.
  struct Entry {
    const Spec *spec;
    std::vector<std::vector<std::string>> fields;
  };
  static Entry entry(const Spec &spec) {
    Entry e{&spec, {words(spec.title)}};
    for (const auto &tag : spec.tags)
      e.fields.push_back(words(tag));
    e.fields.push_back(words(spec.id));
    e.fields.push_back(words(spec.body));
    return e;
  }
  static std::span<const std::vector<std::string>> fields(const Entry &e, bool title_only) {
    return {e.fields.data(), title_only ? 1 : e.fields.size()};
  }
  static bool in_date(const std::optional<Timestamp> &t, const QueryNode &node) {
    if (!t)
      return false;
    const auto end = [](const DateValue &v) {
      return v.whole_day ? v.at + std::chrono::hours(24) : v.at + std::chrono::milliseconds(1);
    };
    switch (node.op) {
    case DateOp::eq:
      return *t >= node.from.at && *t < end(node.from);
    case DateOp::lt:
      return *t < node.from.at;
    case DateOp::le:
      return *t < end(node.from);
    case DateOp::gt:
      return *t >= end(node.from);
    case DateOp::ge:
      return *t >= node.from.at;
    case DateOp::range:
      return *t >= node.from.at && *t < end(node.to);
    }
    return false;
  }

  static bool match(const Entry &e, const QueryNode &node) {
    const Spec &spec = *e.spec;
    switch (node.kind) {
    case NodeKind::word:
    case NodeKind::phrase: {
      const std::vector<std::string> run = words(node.text);
      if (run.empty())
        return true;
      for (const auto &field : fields(e, node.title_only)) {
        if (run.size() == 1 && node.kind == NodeKind::word) {
          for (const auto &w : field)
            if (w.rfind(run[0], 0) == 0)
              return true;
        } else if (run_in(field, run)) {
          return true;
        }
      }
      return false;
    }
    case NodeKind::fuzzy: {
      static std::map<std::pair<std::string, std::string>, int> memo; // brute force is slow
      for (const auto &field : fields(e, node.title_only))
        for (const auto &w : field) {
          auto [it, added] = memo.try_emplace({w, node.text}, 0);
          if (added)
            it->second = levenshtein(w, node.text);
          if (it->second <= node.distance)
            return true;
        }
      return false;
    }
    case NodeKind::status:
      return spec.status == node.status;
    case NodeKind::priority:
      return spec.priority == node.priority;
    case NodeKind::tag:
      for (const auto &tag : spec.tags)
        if (lower(tag) == node.text)
          return true;
      return false;
    case NodeKind::assignee:
      return lower(spec.assignee) == node.text;
    case NodeKind::id:
      return lower(spec.id) == node.text || lower(spec.slug) == node.text ||
             (node.text.find_first_not_of("0123456789") == std::string::npos &&
              node.text.size() < 9 && std::stoi(node.text) == spec.number);
    case NodeKind::created:
      return in_date(spec.created_time(), node);
    case NodeKind::updated:
      return in_date(spec.updated_time(), node);
    case NodeKind::not_op:
      return !match(e, node.children[0]);
    case NodeKind::and_op:
      for (const auto &child : node.children)
        if (!match(e, child))
          return false;
      return true;
    case NodeKind::or_op:
      for (const auto &child : node.children)
        if (match(e, child))
          return true;
      return false;
    }
    return false;
  }
};

class Generator {
public:
  explicit Generator(unsigned seed) : random_(seed) {}

  template <class T> const T &pick(const std::vector<T> &items) {
    return items[random_() % items.size()];
  }
  int below(int n) { return static_cast<int>(random_() % static_cast<unsigned>(n)); }

  std::string word() { return pick(words_); }
  std::string text(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) {
      out += word();
      out += pick(separators_);
    }
    return out;
  }
  std::string date() {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "2025-%02d-%02d", 10 + below(3), 1 + below(28));
    std::string out = buffer;
    if (below(3) == 0) {
      std::snprintf(buffer, sizeof buffer, "T%02d:%02d:00Z", below(24), below(60));
      out += buffer;
    }
    return out;
  }

  /// Specs numbered 1 to `count`.
  std::vector<SpecPtr> specs(int count) {
    std::vector<SpecPtr> out;
    for (int i = 1; i <= count; ++i)
      out.push_back(spec(i));
    return out;
  }

  SpecPtr spec(int number) {
    Spec spec;
    spec.number = number;
    spec.number_text = std::to_string(number);
    spec.slug = word() + "-" + word();
    spec.id = spec.number_text + "-" + spec.slug;
    spec.title = text(1 + below(4));
    for (int i = below(3); i > 0; --i)
      spec.tags.push_back(pick(tags_));
    spec.body = text(below(60));
    spec.status = static_cast<Status>(below(5));
    if (below(4))
      spec.priority = static_cast<Priority>(below(4));
    spec.assignee = pick(people_);
    if (below(5))
      spec.created = date();
    if (below(2))
      spec.updated_at = date();
    return std::make_shared<const Spec>(std::move(spec));
  }

  std::string term() {
    switch (below(14)) {
    case 0:
    case 1:
    case 2:
      return word();
    case 3: { // a prefix, in random case
      std::string w = word();
      w = w.substr(0, 1 + static_cast<std::size_t>(below(static_cast<int>(w.size()))));
      if (below(2))
        for (char &c : w)
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return w;
    }
    case 4:
      return "\"" + word() + " " + word() + (below(3) == 0 ? " " + word() : "") + "\"";
    case 5:
      return "\"" + word() + "\"";
    case 6: { // a typo, in a word of one token
      std::string w = word();
      while (tokenize(w).size() != 1 || tokenize(w)[0].size() != w.size())
        w = word();
      // Replace one whole character (never a byte of one) with 'q'.
      std::size_t at = static_cast<std::size_t>(below(static_cast<int>(w.size())));
      while (at > 0 && (static_cast<unsigned char>(w[at]) & 0xC0) == 0x80)
        --at;
      std::size_t end = at + 1;
      while (end < w.size() && (static_cast<unsigned char>(w[end]) & 0xC0) == 0x80)
        ++end;
      w.replace(at, end - at, "q");
      return w + (below(2) ? "~1" : "~2");
    }
    case 7:
      return "status:" + std::string(pick(statuses_));
    case 8:
      return "tag:" + pick(tags_);
    case 9:
      return below(2) ? "priority:" + std::string(pick(priorities_))
                      : "assignee:" + pick(assignees_);
    case 10:
      return "title:" + word();
    case 11:
      return "id:" + std::to_string(1 + below(300));
    case 12: {
      static const std::vector<std::string> ops{">=", ">", "<", "<=", "=", ""};
      return (below(2) ? "created:" : "updated:") + pick(ops) + date();
    }
    default: {
      std::string a = date(), b = date();
      if (b < a)
        std::swap(a, b);
      return "created:" + a.substr(0, 10) + ".." + b.substr(0, 10);
    }
    }
  }

  std::string query(int depth = 0) {
    std::string out;
    const int n = 1 + below(3);
    for (int i = 0; i < n; ++i) {
      if (i > 0)
        out += below(3) == 0 ? " OR " : below(2) ? " AND " : " ";
      if (below(5) == 0)
        out += below(2) ? "-" : "NOT ";
      out += depth < 2 && below(4) == 0 ? "(" + query(depth + 1) + ")" : term();
    }
    return out;
  }

private:
  std::mt19937 random_;
  std::vector<std::string> words_{
      "search", "index",  "indexing", "validation", "valid",  "invalid", "Spec",     "specs",
      "query",  "parser", "über",     "naïve",      "日本語", "cache",   "cached",   "caching",
      "API",    "design", "fuzzy",    "fuzz",       "token",  "tokens",  "snapshot", "watcher",
      "c++",    "v1.2",   "e-mail",   "foo_bar",    "the",    "a"};
  std::vector<std::string> separators_{" ", " ", " ", "\n", ", ", ". ", "-", "  ", "/"};
  std::vector<std::string> tags_{"api", "API-v2", "core", "search", "ux", "café"};
  std::vector<std::string> people_{"", "ada", "Bob", "carol"};
  std::vector<std::string> assignees_{"ada", "bob", "Carol", "dave"};
  std::vector<const char *> statuses_{"draft", "planned", "wip", "done", "archived"};
  std::vector<const char *> priorities_{"low", "medium", "high", "urgent"};
};

} // namespace

TEST_CASE("search agrees with a naive reference matcher on random specs and queries") {
  Generator generator(4242);
  const std::vector<SpecPtr> specs = generator.specs(300);
  const auto index = build_search_index(specs);
  std::vector<Reference::Entry> reference;
  for (const auto &spec : specs)
    reference.push_back(Reference::entry(*spec));

  int nonempty = 0;
  for (int q = 0; q < 1000; ++q) {
    const std::string text = generator.query();
    CAPTURE(text);
    std::shared_ptr<const Query> query;
    REQUIRE_NOTHROW(query = parse_query(text));
    const SearchResult result = run_search(specs, *index, *query, {}, 0);
    std::set<std::string> got, expected;
    for (const auto &hit : result.hits)
      got.insert(hit.spec->id);
    for (const auto &entry : reference)
      if (Reference::match(entry, *query->root))
        expected.insert(entry.spec->id);
    CHECK(got == expected);
    CHECK(result.total == expected.size());
    if (!expected.empty() && expected.size() < specs.size())
      ++nonempty;
    const bool descending =
        std::is_sorted(result.hits.begin(), result.hits.end(),
                       [](const SearchHit &a, const SearchHit &b) { return a.score > b.score; });
    CHECK(descending);
  }
  CHECK(nonempty > 300);
}

TEST_CASE("an index of only a query's terms answers that query as the whole index does") {
  Generator generator(5151);
  const std::vector<SpecPtr> specs = generator.specs(300);
  const auto whole = build_search_index(specs);
  int fuzzy = 0;
  for (int q = 0; q < 1000; ++q) {
    const std::string text = generator.query();
    CAPTURE(text);
    const auto query = parse_query(text);
    const QueryTerms terms(*query);
    const auto only = build_search_index(specs, &terms);
    if (text.find('~') == std::string::npos) // only a fuzzy word keeps every term
      CHECK(only->term_count() < whole->term_count());
    else
      ++fuzzy;
    for (const std::size_t limit : {std::size_t{0}, std::size_t{7}}) {
      const SearchResult expected = run_search(specs, *whole, *query, {}, limit, 2);
      const SearchResult got = run_search(specs, *only, *query, {}, limit, 2);
      REQUIRE(got.hits.size() == expected.hits.size());
      CHECK(got.total == expected.total);
      CHECK(got.next_cursor == expected.next_cursor);
      for (std::size_t i = 0; i < got.hits.size(); ++i) {
        CHECK(got.hits[i].spec == expected.hits[i].spec);
        CHECK(got.hits[i].score == expected.hits[i].score); // bit for bit: the same arithmetic
        CHECK(got.hits[i].snippet == expected.hits[i].snippet);
      }
    }
  }
  CHECK(fuzzy < 300);
}

TEST_CASE("fuzzy words and phrases agree with the naive reference on a large vocabulary") {
  // Many words over a small alphabet: long shared prefixes and many near neighbours (the fuzzy
  // walk's pruning) and phrases anchored on any of their bytes (the phrase matcher).
  std::mt19937 random(99);
  const auto below = [&](std::size_t n) { return static_cast<std::size_t>(random() % n); };
  static const std::vector<std::string> letters{"a", "b", "c", "d", "e", "é", "1", "ü"};
  std::vector<std::string> vocabulary;
  for (int i = 0; i < 1500; ++i) {
    std::string w;
    for (std::size_t k = 1 + below(8); k > 0; --k)
      w += letters[below(letters.size())];
    vocabulary.push_back(w);
  }
  std::vector<SpecPtr> specs;
  for (int i = 1; i <= 400; ++i) {
    std::string body, title;
    for (std::size_t k = below(120); k > 0; --k)
      body += vocabulary[below(vocabulary.size() / (k % 3 == 0 ? 20 : 1))] +
              (below(5) == 0 ? ", " : " ");
    for (std::size_t k = 1 + below(3); k > 0; --k)
      title += vocabulary[below(vocabulary.size())] + " ";
    std::vector<std::string> tags;
    if (below(2))
      tags.push_back(vocabulary[below(50)] + "-" + vocabulary[below(50)]);
    specs.push_back(make_spec({.number = i,
                               .slug = "s" + std::to_string(i),
                               .title = title,
                               .body = body,
                               .tags = tags}));
  }
  const auto index = build_search_index(specs);
  std::vector<Reference::Entry> reference;
  for (const auto &spec : specs)
    reference.push_back(Reference::entry(*spec));

  int matched = 0;
  for (int q = 0; q < 400; ++q) {
    std::string text;
    if (q % 2 == 0) {
      std::string w = vocabulary[below(vocabulary.size())];
      if (below(2))
        w += letters[below(letters.size())];
      text = w + (below(2) ? "~1" : "~2");
    } else {
      // A run of words from some spec's body (so it often matches), or random words.
      const auto words = Reference::words(specs[below(specs.size())]->body);
      const std::size_t n = 2 + below(2);
      if (words.size() >= n && below(4)) {
        const std::size_t at = below(words.size() - n + 1);
        for (std::size_t k = 0; k < n; ++k)
          text += (k ? " " : "") + words[at + k];
      } else {
        for (std::size_t k = 0; k < n; ++k)
          text += (k ? " " : "") + vocabulary[below(40)];
      }
      text = (below(4) == 0 ? "title:\"" : "\"") + text + "\"";
    }
    CAPTURE(text);
    const auto query = parse_query(text);
    const SearchResult result = run_search(specs, *index, *query, {}, 0);
    std::set<std::string> got, expected;
    for (const auto &hit : result.hits)
      got.insert(hit.spec->id);
    for (const auto &entry : reference)
      if (Reference::match(entry, *query->root))
        expected.insert(entry.spec->id);
    CHECK(got == expected);
    matched += expected.empty() ? 0 : 1;
  }
  CHECK(matched > 200);
}

TEST_CASE("a search over specs the index was not built for is an internal error") {
  const Corpus corpus(std::vector<SpecText>{{.number = 1}});
  const std::vector<SpecPtr> other;
  CHECK_THROWS_AS(run_search(other, corpus.index(), *parse_query("x"), {}, 0), Error);
}
