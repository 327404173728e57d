#pragma once
// Query values and results of a SpecSource: Filter, Sort, ListQuery -> SpecList, SearchQuery ->
// SearchResult, Stats, Relationships, Project. Plain immutable data; results are handed out as
// std::shared_ptr<const T> so a cached result costs one reference count. Evaluated in
// src/snapshot/.

#include <cstddef>
#include <leanspec/spec.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec {

/// How a filter's tags match a spec: `all` of them must be present, or `any` one.
enum class TagsMatch { all, any };
/// "all", "any".
std::string_view to_string(TagsMatch match) noexcept;
/// Parses "all" or "any". Empty when unknown.
std::optional<TagsMatch> parse_tags_match(std::string_view text) noexcept;

/// The type of the deprecated Filter::tags_match_all (a bool before TagsMatch), kept for one
/// release: assigning true (all) or false (any) overrides Filter::tags_match, and warns. (A
/// [[deprecated]] data member would warn in every copy and designated initializer of Filter.)
class DeprecatedTagsMatchAll {
public:
  DeprecatedTagsMatchAll() = default;
  [[deprecated("use Filter::tags_match")]] DeprecatedTagsMatchAll(bool all) noexcept : all_(all) {}
  [[deprecated("use Filter::tags_match")]] DeprecatedTagsMatchAll &operator=(bool all) noexcept {
    all_ = all;
    return *this;
  }
  /// The old reading: what was assigned, else true (the old default).
  [[deprecated("use Filter::tags_match")]] operator bool() const noexcept {
    return all_.value_or(true);
  }
  /// What was assigned, if anything (how the library honours it, without a warning).
  std::optional<bool> assigned() const noexcept { return all_; }

private:
  std::optional<bool> all_;
};

/// Which specs a list or search keeps. Empty members do not filter.
struct Filter {
  std::vector<Status> statuses;     ///< any of these
  std::vector<Priority> priorities; ///< any of these
  std::vector<std::string> tags;    ///< see tags_match
  TagsMatch tags_match = TagsMatch::all;
  std::optional<std::string> assignee;
  std::optional<bool> archived; ///< true: only archived; false: none archived; empty: all
  /// Deprecated, kept for one release: when assigned, it overrides tags_match (true: all,
  /// false: any).
  DeprecatedTagsMatchAll tags_match_all;
};

/// The order of a list.
struct Sort {
  enum class Key { number, id, title, status, priority, created, updated };
  Key key = Key::number;
  bool descending = false;
};
/// Parses "number", "id", "title", "status", "priority", "created", "updated".
std::optional<Sort::Key> parse_sort_key(std::string_view text) noexcept;

/// The project set meaning every project a source serves (docs/GLOSSARY.md, "project set"):
/// `project_id` of a list, search or stats call may name one project, several as a
/// comma-separated list ("acme/web,acme/api"), or every one ("*"). Project ids never hold
/// ',' or '*'.
inline constexpr std::string_view all_projects = "*";

/// A filtered, sorted page of specs. `cursor` is the `next_cursor` of the previous page.
struct ListQuery {
  std::string project_id; ///< empty: the source's default project; a project set: see all_projects
  Filter filter;
  Sort sort;
  std::size_t limit = 0; ///< 0: no limit
  std::string cursor;    ///< opaque; empty: the first page
};

struct SpecList {
  std::vector<SpecPtr> specs;
  std::size_t total = 0;   ///< how many specs match the filter, over all pages
  std::string next_cursor; ///< empty on the last page
  /// A call over a project set (several projects or "*"): specs[i]'s project id; else empty.
  std::vector<std::string> project_ids;
};

/// The most bytes a query text may have (SearchQuery::text).
inline constexpr std::size_t max_query_bytes = 4096;
/// The most terms a query may have: words, fuzzy words, "phrases" and field filters.
inline constexpr std::size_t max_query_terms = 64;
/// The most fuzzy terms (`word~1`, `word~2`) a query may have: each one scans the vocabulary.
inline constexpr std::size_t max_query_fuzzy_terms = 8;

/// A ranked search. `text` uses LeanSpec's query language: words, "quoted phrases", AND / OR /
/// NOT (and -word), parentheses, `status:` `tag:` `priority:` `assignee:` `title:` `created:`
/// filters (`created:>=2025-11-01`, `created:2025-11-01..2025-11-30`) and fuzzy `word~1`.
/// A text past max_query_bytes, max_query_terms or max_query_fuzzy_terms is refused before any
/// work by every search, so every front-end (C++, C, Python, Node, the CLI, the web app) gets
/// the same `ErrorCode::invalid_argument` naming the limit; so is a syntax error.
struct SearchQuery {
  std::string project_id;
  std::string text;
  Filter filter;          ///< applied on top of the query's own filters
  std::size_t limit = 50; ///< 0: no limit
  std::string cursor;     ///< opaque: the `next_cursor` of the previous page; empty: the first
};

/// Parses `text` as search() would and throws what it would throw for it (a syntax error, a
/// limit above), without searching: a one-shot front-end (the CLI) checks its query before it
/// reads anything. Implemented in src/query/query_parser.cpp.
/// @throws leanspec::Error invalid_argument
void check_query(std::string_view text);

struct SearchHit {
  SpecPtr spec;
  double score = 0;       ///< higher is better: title and tags weigh above the body
  std::string snippet;    ///< a line or two of the best matching text
  std::string project_id; ///< a search over a project set: the hit's project; else empty
};

struct SearchResult {
  std::vector<SearchHit> hits;
  std::size_t total = 0;   ///< matches before `limit`
  std::string next_cursor; ///< empty on the last page
};

/// Counts over all specs of a project.
struct Stats {
  std::size_t total = 0;
  std::map<Status, std::size_t> by_status;     ///< every status, zero included
  std::map<Priority, std::size_t> by_priority; ///< every priority, zero included
  std::size_t without_priority = 0;
  std::map<std::string, std::size_t> by_tag;
  std::map<std::string, std::size_t> by_assignee; ///< only assigned specs
  double completion_rate = 0;                     ///< percent of all specs whose status is complete
  /// Stats over a project set (several projects or "*"): the count per status of each project
  /// (every status, zero included); the other members are totals over the set. Else empty.
  std::map<std::string, std::map<Status, std::size_t>> by_project;
};

/// The dependency (`depends_on`) and hierarchy (`parent`) neighbourhood of one spec, as ids.
/// Refs that resolve to no spec are reported by validate(), not here.
struct Relationships {
  std::string id;
  std::vector<std::string> depends_on;  ///< direct
  std::vector<std::string> required_by; ///< specs whose depends_on names this one
  std::string parent;                   ///< empty when none
  std::vector<std::string> children;
  std::vector<std::string> depends_on_transitive; ///< everything reachable through depends_on
  std::vector<std::string> required_by_transitive;
  std::vector<std::string> ancestors;           ///< parent, grandparent, ...
  std::vector<std::vector<std::string>> cycles; ///< depends_on or parent cycles through this spec
};

/// A set of specs a source serves: the filesystem source has one, a database many.
struct Project {
  std::string id;
  std::string name;
  std::string specs_dir; ///< for filesystem projects: the absolute specs directory
};

} // namespace leanspec
