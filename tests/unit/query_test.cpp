// Tests of the query language (src/query/query_parser.cpp): every construct, precedence,
// errors with their positions, and the parse(to_string(q)) == q round trip.
#include "query/query_ast.hpp"
#include "query/query_parser.hpp"

#include <doctest/doctest.h>
#include <leanspec/error.hpp>
#include <leanspec/query.hpp>
#include <random>
#include <string>
#include <vector>

using namespace leanspec;
using namespace leanspec::detail;

namespace {

const QueryNode &root(const std::shared_ptr<const Query> &query) {
  REQUIRE(query->root.has_value());
  return *query->root;
}

std::string canonical(std::string_view text) { return to_string(*parse_query(text)); }

// The message of the Error parse_query throws (empty when it does not throw).
std::string parse_error(std::string_view text) {
  try {
    parse_query(text);
  } catch (const Error &e) {
    CHECK(e.code() == ErrorCode::invalid_argument);
    return e.what();
  }
  return {};
}

Timestamp date(std::string_view text) {
  const auto t = parse_timestamp(text);
  REQUIRE(t.has_value());
  return *t;
}

} // namespace

TEST_CASE("an empty or blank query parses to an empty root that prints as nothing") {
  for (const char *text : {"", "   ", "\t\n"}) {
    const auto query = parse_query(text);
    CHECK_FALSE(query->root.has_value());
    CHECK(to_string(*query) == "");
  }
}

TEST_CASE("words are lower-cased and joined by an implicit AND") {
  const auto query = parse_query("Search INDEX");
  const QueryNode &node = root(query);
  CHECK(node.kind == NodeKind::and_op);
  REQUIRE(node.children.size() == 2);
  CHECK(node.children[0].kind == NodeKind::word);
  CHECK(node.children[0].text == "search");
  CHECK(node.children[1].text == "index");
  CHECK(to_string(*query) == "search index");
}

TEST_CASE("an explicit AND is the same as the implicit one") {
  CHECK(*parse_query("a AND b") == *parse_query("a b"));
  CHECK(*parse_query("a AND b AND c") == *parse_query("a b c"));
}

TEST_CASE("keywords are upper-case only; lower-case and/or/not are words") {
  const QueryNode node = root(parse_query("a and b or not c"));
  CHECK(node.kind == NodeKind::and_op);
  CHECK(node.children.size() == 6);
  CHECK(canonical("x Or y") == "x or y");
}

TEST_CASE("NOT binds tighter than AND, which binds tighter than OR") {
  SUBCASE("AND inside OR") {
    const QueryNode node = root(parse_query("a b OR c"));
    CHECK(node.kind == NodeKind::or_op);
    REQUIRE(node.children.size() == 2);
    CHECK(node.children[0].kind == NodeKind::and_op);
    CHECK(node.children[1].text == "c");
  }
  SUBCASE("OR then AND") {
    const QueryNode node = root(parse_query("a OR b AND c"));
    CHECK(node.kind == NodeKind::or_op);
    CHECK(node.children[1].kind == NodeKind::and_op);
  }
  SUBCASE("NOT takes one term") {
    const QueryNode node = root(parse_query("NOT a b"));
    CHECK(node.kind == NodeKind::and_op);
    CHECK(node.children[0].kind == NodeKind::not_op);
    CHECK(node.children[0].children[0].text == "a");
    CHECK(node.children[1].text == "b");
  }
  SUBCASE("NOT before OR") {
    const QueryNode node = root(parse_query("-a OR b"));
    CHECK(node.kind == NodeKind::or_op);
    CHECK(node.children[0].kind == NodeKind::not_op);
  }
  CHECK(canonical("a OR b c OR d") == "a OR b c OR d");
}

TEST_CASE("parentheses group, and nested groups of one operator flatten") {
  CHECK(*parse_query("(a b) c") == *parse_query("a b c"));
  CHECK(*parse_query("a OR (b OR c)") == *parse_query("a OR b OR c"));
  CHECK(*parse_query("((a))") == *parse_query("a"));
  const QueryNode node = root(parse_query("a (b OR c)"));
  CHECK(node.kind == NodeKind::and_op);
  CHECK(node.children[1].kind == NodeKind::or_op);
  CHECK(canonical("a (b OR c)") == "a (b OR c)");
  CHECK(canonical("NOT (a OR b)") == "-(a OR b)");
  CHECK(canonical("NOT(a b)") == "-(a b)");
}

TEST_CASE("-word and NOT word are the same negation") {
  CHECK(*parse_query("-draft") == *parse_query("NOT draft"));
  CHECK(*parse_query("-\"a b\"") == *parse_query("NOT \"a b\""));
  CHECK(*parse_query("--a") == *parse_query("NOT NOT a"));
  CHECK(canonical("NOT a") == "-a");
  // A dash inside a word is part of the word.
  const QueryNode node = root(parse_query("spec-validation"));
  CHECK(node.kind == NodeKind::word);
  CHECK(node.tokens == std::vector<std::string>{"spec", "validation"});
}

TEST_CASE("a quoted phrase keeps its text, with \\\" and \\\\ as escapes") {
  const QueryNode node = root(parse_query(R"q("Say \"Hi\" C:\\ (now)")q"));
  CHECK(node.kind == NodeKind::phrase);
  CHECK(node.text == R"q(say "hi" c:\ (now))q");
  CHECK(node.tokens == std::vector<std::string>{"say", "hi", "c", "now"});
  CHECK(to_string(node) == R"q("say \"hi\" c:\\ (now)")q");
  // A backslash before another character is kept.
  CHECK(root(parse_query(R"("a\b")")).text == R"(a\b)");
}

TEST_CASE("field filters parse their values") {
  SUBCASE("status through parse_status, aliases included") {
    CHECK(root(parse_query("status:planned")).status == Status::planned);
    const QueryNode node = root(parse_query("status:wip"));
    CHECK(node.kind == NodeKind::status);
    CHECK(node.status == Status::in_progress);
    CHECK(root(parse_query("status:\"In Progress\"")).status == Status::in_progress);
    CHECK(canonical("Status:done") == "status:complete");
  }
  SUBCASE("priority") {
    const QueryNode node = root(parse_query("priority:urgent"));
    CHECK(node.kind == NodeKind::priority);
    CHECK(node.priority == Priority::critical);
  }
  SUBCASE("tag, assignee and id keep their text, lower-cased") {
    const QueryNode tag = root(parse_query("tag:API"));
    CHECK(tag.kind == NodeKind::tag);
    CHECK(tag.text == "api");
    CHECK(root(parse_query("assignee:\"Ada L\"")).text == "ada l");
    CHECK(canonical("assignee:\"Ada L\"") == "assignee:\"ada l\"");
    const QueryNode id = root(parse_query("id:018-spec-validation"));
    CHECK(id.kind == NodeKind::id);
    CHECK(id.text == "018-spec-validation");
    CHECK(root(parse_query("tag:a:b")).text == "a:b");
  }
  SUBCASE("title takes a word, a fuzzy word or a phrase") {
    const QueryNode word = root(parse_query("title:Search"));
    CHECK(word.kind == NodeKind::word);
    CHECK(word.title_only);
    CHECK(word.text == "search");
    const QueryNode phrase = root(parse_query("title:\"search index\""));
    CHECK(phrase.kind == NodeKind::phrase);
    CHECK(phrase.title_only);
    const QueryNode fuzzy = root(parse_query("title:serch~"));
    CHECK(fuzzy.kind == NodeKind::fuzzy);
    CHECK(fuzzy.title_only);
    CHECK(to_string(fuzzy) == "title:serch~1");
  }
}

TEST_CASE("date filters parse comparisons, equality and inclusive ranges") {
  struct Case {
    const char *text;
    DateOp op;
    const char *canonical;
  };
  for (const Case &c : {
           Case{"created:>=2025-11-01", DateOp::ge, "created:>=2025-11-01"},
           Case{"created:>2025-11-01", DateOp::gt, "created:>2025-11-01"},
           Case{"created:<2025-12-01", DateOp::lt, "created:<2025-12-01"},
           Case{"created:<=2025-12-01", DateOp::le, "created:<=2025-12-01"},
           Case{"created:=2025-11-01", DateOp::eq, "created:2025-11-01"},
           Case{"created:2025-11-01", DateOp::eq, "created:2025-11-01"},
           Case{"updated:2025-11-01..2025-11-30", DateOp::range, "updated:2025-11-01..2025-11-30"},
       }) {
    CAPTURE(c.text);
    const QueryNode node = root(parse_query(c.text));
    CHECK(node.op == c.op);
    CHECK(node.from.whole_day);
    CHECK(to_string(node) == c.canonical);
  }
  const QueryNode range = root(parse_query("created:2025-11-01..2025-11-30"));
  CHECK(range.kind == NodeKind::created);
  CHECK(range.from.at == date("2025-11-01"));
  CHECK(range.to.at == date("2025-11-30"));
  CHECK(range.to.end() == date("2025-12-01"));

  const QueryNode stamp = root(parse_query("updated:>=\"2025-11-14 07:50:48.5+02:00\""));
  CHECK(stamp.kind == NodeKind::updated);
  CHECK_FALSE(stamp.from.whole_day);
  CHECK(stamp.from.at == date("2025-11-14T05:50:48.500Z"));
  CHECK(to_string(stamp) == "updated:>=2025-11-14T05:50:48.500Z");
  CHECK(canonical("created:\"2025-11-14T05:50:00Z\"") == "created:2025-11-14T05:50:00Z");
}

TEST_CASE("fuzzy words take a distance of 1 or 2, and a bare ~ means 1") {
  const QueryNode one = root(parse_query("Serch~"));
  CHECK(one.kind == NodeKind::fuzzy);
  CHECK(one.text == "serch");
  CHECK(one.distance == 1);
  CHECK(root(parse_query("serch~1")) == one);
  CHECK(root(parse_query("serch~2")).distance == 2);
  CHECK(canonical("serch~") == "serch~1");
  // A tilde not followed by digits only is part of a plain word.
  CHECK(root(parse_query("a~b")).kind == NodeKind::word);
}

TEST_CASE("each parse error names its problem and position") {
  struct Case {
    std::string text;
    const char *message;
  };
  for (const Case &c : {
           Case{"(a b", "query: unbalanced parenthesis at position 0"},
           Case{"a b)", "query: unbalanced parenthesis at position 3"},
           Case{"(", "query: unbalanced parenthesis at position 0"},
           Case{"a (b (c)", "query: unbalanced parenthesis at position 2"},
           Case{"say \"hi", "query: unterminated quote at position 4"},
           Case{"tag:\"x", "query: unterminated quote at position 4"},
           Case{"a foo:bar", "query: unknown field 'foo' at position 2"},
           Case{"http://x", "query: unknown field 'http' at position 0"},
           Case{"a status:bogus", "query: bad status 'bogus' at position 9"},
           Case{"priority:whenever", "query: bad priority 'whenever' at position 9"},
           Case{"created:>=2025-13-01", "query: bad date '2025-13-01' at position 10"},
           Case{"created:2025-11-01..soon", "query: bad date 'soon' at position 20"},
           Case{"updated:yesterday", "query: bad date 'yesterday' at position 8"},
           Case{"created:2025-12-01..2025-11-01",
                "query: date range ends before it starts at position 8"},
           Case{"a AND", "query: empty operand after AND at position 5"},
           Case{"AND a", "query: empty operand before AND at position 0"},
           Case{"OR b", "query: empty operand before OR at position 0"},
           Case{"a OR OR b", "query: empty operand after OR at position 5"},
           Case{"a OR", "query: empty operand after OR at position 4"},
           Case{"NOT", "query: empty operand after NOT at position 3"},
           Case{"a - b", "query: empty operand after '-' at position 3"},
           Case{"a -", "query: empty operand after '-' at position 3"},
           Case{"(-)", "query: empty operand after '-' at position 2"},
           Case{"()", "query: empty parentheses at position 0"},
           Case{"tag:", "query: empty value for tag at position 4"},
           Case{"title:\"\"", "query: empty value for title at position 6"},
           Case{"\"\"", "query: empty phrase at position 0"},
           Case{"word~3", "query: fuzzy distance must be 1 or 2 at position 4"},
           Case{"word~12", "query: fuzzy distance must be 1 or 2 at position 4"},
           Case{"a-b~1", "query: a fuzzy term must be one word at position 0"},
           Case{"~", "query: a fuzzy term must be one word at position 0"},
           Case{std::string(300, '(') + "a" + std::string(300, ')'),
                "query: query nested too deeply"},
           Case{std::string(300, '-') + "a", "query: query nested too deeply"},
       }) {
    CAPTURE(c.text);
    CHECK(parse_error(c.text).rfind(c.message, 0) == 0);
  }
}

TEST_CASE("to_string round-trips every construct") {
  for (const char *text : {
           "search",
           "Search Index",
           "a AND b OR c AND NOT d",
           "(a OR b) (c OR -d)",
           "-(a b) OR -(c OR d)",
           "\"quoted \\\"phrase\\\"\" word",
           "\"a\\\\\" \"(x)\" \" \"",
           "status:in_progress priority:HIGH tag:\"two words\" assignee:bob id:7",
           "title:valid title:\"a b\" title:val~2 title:-x title:a:b",
           "created:>=2025-11-01 created:<2025-12-01T10:00:00Z updated:2025-01-01..2025-02-01",
           "created:\"2025-11-01 10:30\"..2025-11-30",
           "created:\"2025-11-01 10:30..2025-11-30\"",
           "created:>\"0000-01-01T00:00+01:00\"",
           "naïve 日本語 über~1",
           "c++ v1.2 e-mail ~tilde a~b",
           "tag:\"(x)\" tag:\"\\\"\"",
           "x\\y",
           "--a NOT -b",
       }) {
    CAPTURE(text);
    const auto query = parse_query(text);
    const std::string printed = to_string(*query);
    CAPTURE(printed);
    const auto again = parse_query(printed);
    CHECK(*again == *query);
    CHECK(to_string(*again) == printed);
  }
}

TEST_CASE("to_string round-trips randomly generated queries") {
  // Fragments chosen to hit the lexer's corners; most combinations parse, the rest must throw
  // leanspec::Error.
  const std::vector<std::string> fragments{
      "a",         "B",          "\"",   "(",       ")",        " ",        "-",
      ":",         "~",          "1",    "2",       "\\",       "AND",      "OR",
      "NOT",       "status:",    "tag:", "title:",  "id:",      "created:", ">=",
      "<",         "2025-11-01", "..",   "é",       "日",       "\t",       "wip",
      "assignee:", "priority:",  "high", "'",       "updated:", "=",        "T10:00Z",
      "\xff",      "x-y",        "~2",   "\"a b\"", "--"};
  std::mt19937 random(20251114);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    const int n = 1 + static_cast<int>(random() % 8);
    for (int k = 0; k < n; ++k)
      text += fragments[random() % fragments.size()];
    std::shared_ptr<const Query> query;
    try {
      query = parse_query(text);
    } catch (const Error &e) {
      CHECK(e.code() == ErrorCode::invalid_argument);
      continue;
    }
    ++parsed;
    const std::string printed = to_string(*query);
    std::shared_ptr<const Query> again;
    try {
      again = parse_query(printed);
    } catch (const Error &e) {
      FAIL("re-parse failed: '" << text << "' printed as '" << printed << "': " << e.what());
    }
    if (!(*again == *query) || to_string(*again) != printed)
      FAIL("round trip broke: '" << text << "' printed as '" << printed << "' then '"
                                 << to_string(*again) << "'");
  }
  CHECK(parsed > 2000);
}

TEST_CASE("a query over the byte, term or fuzzy-term limit is refused before any work") {
  // Under each limit parses; one over is invalid_argument naming the limit.
  std::string words;
  for (std::size_t i = 0; i < max_query_terms; ++i)
    words += (i ? " w" : "w") + std::to_string(i);
  CHECK(root(parse_query(words)).children.size() == max_query_terms);
  CHECK(parse_error(words + " one-more").find("more than 64 terms") != std::string::npos);
  // Field filters and phrases are terms too.
  std::string filters;
  for (std::size_t i = 0; i <= max_query_terms; ++i)
    filters += i % 2 ? " tag:t" : " \"p q\"";
  CHECK(parse_error(filters).find("more than 64 terms") != std::string::npos);

  std::string fuzzy;
  for (std::size_t i = 0; i < max_query_fuzzy_terms; ++i)
    fuzzy += " fuzz" + std::to_string(i) + "~2";
  CHECK(root(parse_query(fuzzy)).children.size() == max_query_fuzzy_terms);
  CHECK(parse_error(fuzzy + " title:more~1").find("more than 8 fuzzy terms") != std::string::npos);

  const std::string longest = "\"" + std::string(max_query_bytes - 2, 'a') + "\"";
  CHECK(root(parse_query(longest)).kind == NodeKind::phrase);
  CHECK(parse_error(longest + " ") == "query: 4097 bytes is longer than the limit of 4096 bytes");
  const std::string megabyte(1 << 20, 'x');
  CHECK(parse_error(megabyte).find("longer than the limit of 4096 bytes") != std::string::npos);
}
