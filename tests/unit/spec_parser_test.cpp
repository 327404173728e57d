// Tests parse_spec() (src/model): frontmatter split, text-preserving YAML, fields, defects.
#include <algorithm>
#include <doctest/doctest.h>
#include <leanspec/spec.hpp>

using namespace leanspec;

namespace {

Spec parse(std::string_view readme, std::string_view path = "018-spec-validation") {
  return parse_spec(path, std::string(readme));
}

const Diagnostic *find_diag(const Spec &s, std::string_view code) {
  for (const auto &d : s.diagnostics)
    if (d.code == code)
      return &d;
  return nullptr;
}

} // namespace

TEST_CASE("a folder name gives id, number and slug") {
  const Spec s = parse("---\nstatus: planned\n---\n# T\n", "archived/018-spec-validation");
  CHECK(s.id == "018-spec-validation");
  CHECK(s.number_text == "018");
  CHECK(s.number == 18);
  CHECK(s.slug == "spec-validation");
  CHECK(s.path == "archived/018-spec-validation");
  CHECK(s.archived);
  CHECK(s.status == Status::archived);
}

TEST_CASE("a bare 049 stays the text \"049\" and a bare date stays its text") {
  const Spec s =
      parse("---\nstatus: planned\ncreated: 2025-11-14\nparent: 049\nowner_id: 007\n---\n");
  CHECK(s.created == "2025-11-14");
  CHECK(s.parent == "049");
  REQUIRE(s.custom_fields.size() == 1);
  CHECK(s.custom_fields[0].key == "owner_id");
  CHECK(s.custom_fields[0].value.text == "007");
  CHECK(s.frontmatter.find("created")->text == "2025-11-14");
}

TEST_CASE("frontmatter is found after a BOM, CRLF line ends and leading blank lines") {
  SUBCASE("BOM") {
    const Spec s =
        parse("\xEF\xBB\xBF---\nstatus: complete\ncompleted: 2025-01-02\n---\n# Title\n");
    CHECK(s.status == Status::complete);
    CHECK(s.title == "Title");
  }
  SUBCASE("CRLF") {
    const Spec s =
        parse("---\r\nstatus: in-progress\r\ntags: [a, b]\r\n---\r\n\r\n# Crlf title\r\nbody\r\n");
    CHECK(s.status == Status::in_progress);
    CHECK(s.tags == std::vector<std::string>{"a", "b"});
    CHECK(s.title == "Crlf title");
    CHECK(s.body.find('\r') == std::string::npos);
  }
  SUBCASE("leading blank lines") {
    const Spec s = parse("\n  \n---\nstatus: draft\n---\n# X\n");
    CHECK(s.status == Status::draft);
    CHECK(s.diagnostics.empty());
  }
}

TEST_CASE("status and priority accept aliases") {
  CHECK(parse("---\nstatus: in_progress\n---\n").status == Status::in_progress);
  CHECK(parse("---\nstatus: completed\ncompleted: 2025-01-01\n---\n").status == Status::complete);
  CHECK(parse("---\nstatus: In Progress\n---\n").status == Status::in_progress);
  CHECK(parse("---\nstatus: planned\npriority: Critical\n---\n").priority == Priority::critical);
  CHECK(parse_status("bogus") == std::nullopt);
  CHECK(parse_priority("urgent") == Priority::critical);
}

TEST_CASE("tags come from a block list, a flow list or a comma string") {
  CHECK(parse("---\ntags:\n  - a\n  - b\n---\n").tags == std::vector<std::string>{"a", "b"});
  CHECK(parse("---\ntags: [a, 'b c']\n---\n").tags == std::vector<std::string>{"a", "b c"});
  CHECK(parse("---\ntags: a, b ,c\n---\n").tags == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("every known field is read") {
  const Spec s = parse(R"(---
status: complete
priority: high
tags: [x]
created: '2025-11-02'
created_at: '2025-11-02T00:00:00Z'
updated_at: 2025-12-04T06:45:54.057Z
completed_at: 2025-11-06T07:00:00.000Z
completed: '2025-11-06'
assignee: alice
depends_on:
  - 012-sub-spec-files
  - 13
parent: 010-parent
related: [020-x, 021-y]
transitions:
  - status: in-progress
    at: '2025-11-05T13:35:26.669Z'
  - status: complete
    at: '2025-11-06T07:00:00.000Z'
custom_thing:
  nested: [1, 2]
---

# Comprehensive Spec Validation

Body text.
)");
  CHECK(s.status == Status::complete);
  CHECK(s.priority == Priority::high);
  CHECK(s.created == "2025-11-02");
  CHECK(s.created_at == "2025-11-02T00:00:00Z");
  CHECK(s.updated_at == "2025-12-04T06:45:54.057Z");
  CHECK(s.completed_at == "2025-11-06T07:00:00.000Z");
  CHECK(s.completed == "2025-11-06");
  CHECK(s.assignee == "alice");
  CHECK(s.depends_on == std::vector<std::string>{"012-sub-spec-files", "13"});
  CHECK(s.parent == "010-parent");
  CHECK(s.related == std::vector<std::string>{"020-x", "021-y"});
  REQUIRE(s.transitions.size() == 2);
  CHECK(s.transitions[1].status == Status::complete);
  CHECK(s.transitions[0].at == "2025-11-05T13:35:26.669Z");
  REQUIRE(s.custom_fields.size() == 1);
  CHECK(s.custom_fields[0].value.find("nested")->items[1].text == "2");
  CHECK(s.title == "Comprehensive Spec Validation");
  CHECK(s.body.find("Body text.") != std::string::npos);
  CHECK(s.diagnostics.empty());
  CHECK(s.created_time().has_value());
  CHECK(*s.created_time() == *parse_timestamp("2025-11-02"));
  CHECK(*s.completed_time() == *parse_timestamp("2025-11-06T07:00:00Z"));
}

TEST_CASE("the title is the first # heading outside code fences, else the folder name") {
  CHECK(parse("---\nstatus: planned\n---\n```\n# not this\n```\n## sub\n# Real\n").title == "Real");
  CHECK(parse("---\nstatus: planned\n---\n~~~~\n# no\n~~~~\n# Yes #\n").title == "Yes");
  CHECK(parse("---\nstatus: planned\n---\nno heading\n").title == "018-spec-validation");
}

TEST_CASE("timestamps parse dates, times, fractions and offsets") {
  using namespace std::chrono;
  const auto base = *parse_timestamp("2025-11-14");
  CHECK(*parse_timestamp("2025-11-14T01:02:03Z") - base == hours(1) + minutes(2) + seconds(3));
  CHECK(*parse_timestamp("2025-11-14T01:02:03.5Z") - base ==
        hours(1) + minutes(2) + milliseconds(3500));
  CHECK(*parse_timestamp("2025-11-14T02:00:00+01:00") - base == hours(1));
  CHECK(*parse_timestamp("2025-11-14 05:50:48.128893Z") > base);
  CHECK_FALSE(parse_timestamp("2025-13-01"));
  CHECK_FALSE(parse_timestamp("2025-02-30"));
  CHECK_FALSE(parse_timestamp("yesterday"));
}

TEST_CASE("the content hash is the git blob SHA-1") {
  // `printf 'hello\n' | git hash-object --stdin`
  CHECK(git_blob_sha1("hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a");
  CHECK(git_blob_sha1("") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  CHECK(parse("hello\n").content_hash == "ce013625030ba8dba906f756967f9e9ca394464a");
}

TEST_CASE("sub-spec files get display names from their heading or file name") {
  const Spec s =
      parse_spec("001-x", std::string("---\nstatus: planned\n---\n# X\n"),
                 {{"IMPLEMENTATION.md", "no heading"}, {"CLI-DESIGN.md", "# CLI Design\n"}});
  REQUIRE(s.sub_specs.size() == 2);
  CHECK(s.sub_specs[0].file == "CLI-DESIGN.md");
  CHECK(s.sub_specs[0].name == "CLI Design");
  CHECK(s.sub_specs[1].name == "Implementation");
  CHECK(s.sub_specs[1].content_hash == git_blob_sha1("no heading"));
}

TEST_CASE("bad input becomes diagnostics naming the file and line, never an exception") {
  SUBCASE("broken YAML") {
    const Spec s = parse("---\nstatus: planned\ntags: [a, b\n---\n# T\n");
    const Diagnostic *d = find_diag(s, "yaml-syntax");
    REQUIRE(d);
    CHECK(d->file == "018-spec-validation/README.md");
    CHECK(d->line >= 3);
    CHECK(d->severity == Diagnostic::Severity::error);
    CHECK(s.title == "T");
  }
  SUBCASE("no frontmatter") {
    const Spec s = parse("# Just markdown\n");
    REQUIRE(find_diag(s, "missing-frontmatter"));
    CHECK(s.title == "Just markdown");
    CHECK(s.status == Status::planned);
  }
  SUBCASE("frontmatter that is not a mapping") {
    const Spec s = parse("---\n- a\n- b\n---\n");
    REQUIRE(find_diag(s, "frontmatter-not-mapping"));
    CHECK(find_diag(s, "frontmatter-not-mapping")->line == 2);
  }
  SUBCASE("tags: 5 is a wrong type") {
    const Spec s = parse("---\nstatus: planned\ntags: 5\n---\n");
    const Diagnostic *d = find_diag(s, "wrong-type");
    REQUIRE(d);
    CHECK(d->line == 3);
    CHECK(d->message.find("tags") != std::string::npos);
  }
  SUBCASE("a mapping where a list belongs") {
    const Spec s = parse("---\nstatus: planned\ndepends_on: {a: 1}\n---\n");
    REQUIRE(find_diag(s, "wrong-type"));
    CHECK(s.depends_on.empty());
  }
  SUBCASE("invalid UTF-8 is reported and replaced") {
    const Spec s = parse("---\nstatus: planned\n---\n# Bad \xFF title\n");
    const Diagnostic *d = find_diag(s, "invalid-utf8");
    REQUIRE(d);
    CHECK(d->line == 4);
    CHECK(s.title == "Bad \xEF\xBF\xBD title");
  }
  SUBCASE("a binary file") {
    const Spec s = parse(std::string_view("\x7f"
                                          "ELF\0\0\x01",
                                          7));
    REQUIRE(find_diag(s, "binary-file"));
    CHECK(s.body.empty());
  }
  SUBCASE("an unclosed frontmatter") {
    const Spec s = parse("---\nstatus: planned\n# T\n");
    REQUIRE(find_diag(s, "unclosed-frontmatter"));
  }
  SUBCASE("a missing README") {
    const Spec s = parse_spec("020-empty", std::nullopt);
    REQUIRE(find_diag(s, "missing-readme"));
    CHECK(s.id == "020-empty");
    CHECK(s.title == "020-empty");
  }
  SUBCASE("unknown status and priority") {
    const Spec s = parse("---\nstatus: someday\npriority: meh\n---\n");
    CHECK(find_diag(s, "invalid-status"));
    CHECK(find_diag(s, "invalid-priority"));
  }
}

TEST_CASE("status disagreements are reported") {
  SUBCASE("stray transitions items") {
    const Spec s = parse("---\nstatus: planned\ntransitions:\n  - status: planned\n    at: "
                         "2025-01-01\n  - oops\n  - status: nope\n    at: x\n---\n");
    CHECK(std::count_if(s.diagnostics.begin(), s.diagnostics.end(),
                        [](const Diagnostic &d) { return d.code == "stray-transition"; }) == 2);
    CHECK(s.transitions.size() == 1);
  }
  SUBCASE("last transition disagrees with the status") {
    const Spec s = parse(
        "---\nstatus: planned\ntransitions:\n  - status: complete\n    at: 2025-01-01\n---\n");
    CHECK(find_diag(s, "transition-mismatch"));
  }
  SUBCASE("complete without a completion date") {
    CHECK(find_diag(parse("---\nstatus: complete\n---\n"), "missing-completion-date"));
    CHECK_FALSE(find_diag(parse("---\nstatus: complete\ncompleted_at: 2025-01-01\n---\n"),
                          "missing-completion-date"));
  }
  SUBCASE("a body status line contradicting the frontmatter") {
    const Spec s = parse(
        "---\nstatus: archived\n---\n\n# T\n\n> **Status**: ✅ Complete · **Priority**: High\n");
    const Diagnostic *d = find_diag(s, "body-status-mismatch");
    REQUIRE(d);
    CHECK(d->line == 7);
    CHECK_FALSE(find_diag(parse("---\nstatus: planned\n---\n> **Status**: 🗓️ Planned · x\n"),
                          "body-status-mismatch"));
  }
}

TEST_CASE("markdown renders with GFM extensions") {
  const std::string html =
      render_html("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~gone~~ "
                  "https://example.com\n\n<script>alert(1)</script>\n");
  CHECK(html.find("<table>") != std::string::npos);
  CHECK(html.find("type=\"checkbox\"") != std::string::npos);
  CHECK(html.find("<del>gone</del>") != std::string::npos);
  CHECK(html.find("<a href=\"https://example.com\">") != std::string::npos);
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(render_html("<script>x</script>\n", true).find("&lt;script>") != std::string::npos);
}

TEST_CASE("anchors and aliases repeat the anchored value; complex keys read as text") {
  const Spec s = parse("---\nstatus: planned\nbase: &b {owner: ann, tags: [x, y]}\ncopy: *b\n"
                       "? [a, b]\n: pair\n---\n");
  REQUIRE(s.custom_fields.size() == 3);
  const Value &copy = s.custom_fields[1].value;
  CHECK(copy.kind == Value::Kind::mapping);
  REQUIRE(copy.find("owner"));
  CHECK(copy.find("owner")->text == "ann");
  CHECK(copy.find("tags")->items.size() == 2);
  CHECK(s.custom_fields[2].key == "[a, b]");
  CHECK(s.custom_fields[2].value.text == "pair");
}

TEST_CASE("aliases that multiply into millions of values are refused, not expanded") {
  std::string yaml = "---\nstatus: planned\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 9; ++i) { // 10^9 values if expanded
    yaml += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j)
      yaml += (j ? ", *a" : "*a") + std::to_string(i - 1);
    yaml += "]\n";
  }
  const Spec s = parse(yaml + "---\n# T\n");
  REQUIRE(find_diag(s, "yaml-too-large"));
  CHECK(find_diag(s, "yaml-too-large")->severity == Diagnostic::Severity::error);
  CHECK(s.title == "T");
}

TEST_CASE("a duplicate key is a warning on the key's line, in small and large mappings") {
  std::string yaml = "---\nstatus: planned\nowner: a\nowner: b\n";
  for (int i = 0; i < 40; ++i)
    yaml += "k" + std::to_string(i) + ": v\n";
  yaml += "k7: again\n---\n";
  const Spec s = parse(yaml);
  int duplicates = 0;
  for (const auto &d : s.diagnostics)
    if (d.code == "duplicate-key") {
      ++duplicates;
      CHECK(d.severity == Diagnostic::Severity::warning);
      CHECK((d.line == 4 || d.line == 45));
    }
  CHECK(duplicates == 2);
}

TEST_CASE("a frontmatter of too many keys is refused with one diagnostic, not thinned out") {
  // 120k distinct keys pass the value cap halfway through; what was past it used to read as
  // nulls whose keys all printed "~": status vanished and tens of thousands of bogus
  // duplicate-key warnings followed.
  for (const bool status_first : {true, false}) {
    CAPTURE(status_first);
    std::string yaml = "---\n";
    if (status_first)
      yaml += "status: complete\n";
    for (int i = 0; i < 120'000; ++i)
      yaml += "k" + std::to_string(i) + ": v\n";
    if (!status_first)
      yaml += "status: complete\n";
    const Spec s = parse(yaml + "---\n# T\n");
    REQUIRE(s.diagnostics.size() == 1);
    CHECK(s.diagnostics[0].code == "yaml-too-large");
    CHECK(s.diagnostics[0].severity == Diagnostic::Severity::error);
    CHECK(s.diagnostics[0].file == "018-spec-validation/README.md");
    CHECK(s.custom_fields.empty());
    CHECK(s.title == "T");
  }
}

TEST_CASE("created_at and completed_at fall back on created and completed, as JSON's createdAt") {
  const Spec old =
      parse("---\nstatus: complete\ncreated: 2025-11-02\ncompleted: 2025-11-05\n---\n");
  CHECK(old.created_at == "2025-11-02");
  CHECK(old.completed_at == "2025-11-05");
  CHECK(old.created == "2025-11-02");
  const Spec both = parse("---\nstatus: planned\ncreated: 2025-11-02\n"
                          "created_at: 2025-11-03T10:00:00Z\n---\n");
  CHECK(both.created_at == "2025-11-03T10:00:00Z");
  CHECK(both.created == "2025-11-02");
}

TEST_CASE("an invalid date is no date: the field is empty and a diagnostic names it") {
  const Spec s = parse("---\nstatus: planned\ncreated: 2025-11-02\ncreated_at: 1e100\n"
                       "updated_at: yesterday\ncompleted_at: '2025-13-01'\ncompleted: x\n---\n");
  CHECK(s.created_at == "2025-11-02"); // created_at is invalid: `created` is when it was created
  CHECK(s.updated_at.empty());
  CHECK(s.completed_at.empty());
  CHECK(s.completed.empty());
  CHECK(s.created == "2025-11-02"); // a valid date stays as written
  CHECK(*s.created_time() == *parse_timestamp("2025-11-02"));
  CHECK_FALSE(s.updated_time());
  CHECK_FALSE(s.completed_time());
  std::vector<std::string> named;
  for (const auto &d : s.diagnostics)
    if (d.code == "invalid-date")
      named.push_back(d.message.substr(0, d.message.find(' ')));
  CHECK(named == std::vector<std::string>{"created_at", "updated_at", "completed_at", "completed"});
  // The text as written stays in the frontmatter.
  CHECK(s.frontmatter.find("created_at")->text == "1e100");
}

TEST_CASE("a transition at an invalid time keeps its status, without a time, and is reported") {
  const Spec s = parse("---\nstatus: complete\ncompleted: 2025-11-06\ntransitions:\n"
                       "  - status: complete\n    at: 1e100\n---\n");
  REQUIRE(s.transitions.size() == 1);
  CHECK(s.transitions[0].status == Status::complete);
  CHECK(s.transitions[0].at.empty());
  const Diagnostic *d = find_diag(s, "invalid-date");
  REQUIRE(d);
  CHECK(d->message.find("transitions") != std::string::npos);
  CHECK(d->line == 6);
}
