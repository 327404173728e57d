// Implements src/db/sqlite/search_statements.hpp.
#include "db/sqlite/search_statements.hpp"

#include "query/edit_distance.hpp"
#include "query/ranking.hpp"
#include "query/text_finder.hpp"
#include "query/tokens.hpp"

#include <algorithm>
#include <leanspec/spec.hpp>
#include <optional>
#include <sqlite3.h>

namespace leanspec::detail::sqlite {
namespace {

// The most vocabulary terms one fuzzy word expands to (the closest, then in order).
constexpr std::size_t max_fuzzy_terms = 256;

std::string_view text_of(sqlite3_value *value) {
  const auto *text = reinterpret_cast<const char *>(sqlite3_value_text(value));
  return text ? std::string_view(text, static_cast<std::size_t>(sqlite3_value_bytes(value)))
              : std::string_view();
}

void phrase_function(sqlite3_context *context, int argc, sqlite3_value **argv) {
  try {
    std::vector<std::string> tokens;
    const std::string_view joined = text_of(argv[0]);
    for (std::size_t at = 0; at <= joined.size();) {
      const std::size_t end = std::min(joined.find(' ', at), joined.size());
      if (end > at)
        tokens.emplace_back(joined.substr(at, end - at));
      at = end + 1;
    }
    int found = 0;
    if (!tokens.empty()) {
      const PhraseMatcher matcher(tokens);
      for (int i = 1; i < argc && !found; ++i)
        found = matcher.find(text_of(argv[i])) != std::string_view::npos;
    }
    sqlite3_result_int(context, found);
  } catch (...) { // nothing may cross into SQLite's C frames
    sqlite3_result_error_nomem(context);
  }
}

// Field weights as ranking.hpp has them; a body match as one occurrence in a body of average
// length (BM25's tf part is then (k1 + 1) / (1 + k1) = 1).
constexpr double field_weights[4] = {title_weight, tag_weight, id_weight, 1.0};

// A term of leanspec_score as SqliteDialect::field_score encodes it.
struct ScoreTerm {
  char kind = 0;              // 'p' prefix, 'e' exact, 'f' fuzzy, 'q' phrase
  std::size_t last_field = 4; // 1: the title only
  std::vector<std::string> tokens;
  std::vector<int> distances; // fuzzy: each token's edit distance
};

ScoreTerm parse_score_term(std::string_view term) {
  ScoreTerm out;
  if (term.size() < 2)
    return out;
  out.kind = term[0];
  out.last_field = term[1] == 't' ? 1 : 4;
  for (std::size_t at = 3; at <= term.size();) {
    const std::size_t end = std::min(term.find(' ', at), term.size());
    std::string_view token = term.substr(at, end - at);
    int distance = 0;
    if (out.kind == 'f' && token.size() >= 2 && token[token.size() - 2] == ':') {
      distance = token.back() - '0';
      token.remove_suffix(2);
    }
    out.tokens.emplace_back(token);
    out.distances.push_back(std::clamp(distance, 0, 2));
    at = end + 1;
  }
  return out;
}

// leanspec_score(term, title, tags, id, body_terms, body): see SqliteDialect::field_score.
double field_score(const ScoreTerm &term, const std::string_view (&fields)[4],
                   std::string_view body) {
  if (term.tokens.empty())
    return 0;
  if (term.kind == 'q') { // a phrase: the fields where its tokens stand adjacent
    const PhraseMatcher matcher(term.tokens);
    double score = 0;
    for (std::size_t f = 0; f < term.last_field; ++f)
      if (matcher.find(f == 3 ? body : fields[f]) != std::string_view::npos)
        score += field_weights[f];
    return score;
  }
  // A word or fuzzy word: each matching token's factor times the weights of the fields holding
  // it; the best token counts (as the evaluator keeps each spec's best posting).
  struct Found {
    std::string token;
    double factor;
    unsigned fields; // bit f: field f holds it
  };
  std::vector<Found> found;
  for (std::size_t f = 0; f < term.last_field; ++f) {
    const std::string_view text = fields[f];
    for_each_token(text, [&](std::size_t offset, std::size_t size) {
      const std::string_view raw = text.substr(offset, size);
      double factor = 0;
      for (std::size_t t = 0; t < term.tokens.size(); ++t) {
        if (equals_folded(raw, term.tokens[t]))
          factor = std::max(factor, term.kind == 'f'
                                        ? static_cast<double>(fuzzy_factor[term.distances[t]])
                                        : 1.0);
        else if (term.kind == 'p' && starts_with_folded(raw, term.tokens[t]))
          factor = std::max(factor, static_cast<double>(prefix_factor));
      }
      if (factor == 0)
        return;
      std::string folded = fold(raw);
      auto it = std::find_if(found.begin(), found.end(),
                             [&](const Found &e) { return e.token == folded; });
      if (it == found.end())
        it = found.insert(found.end(), {std::move(folded), factor, 0u});
      it->fields |= 1u << f;
    });
  }
  double best = 0;
  for (const Found &e : found) {
    double weight = 0;
    for (std::size_t f = 0; f < 4; ++f)
      if (e.fields & (1u << f))
        weight += field_weights[f];
    best = std::max(best, e.factor * weight);
  }
  return best;
}

void score_function(sqlite3_context *context, int, sqlite3_value **argv) {
  try {
    // The term is a bound parameter, the same for every row: parsed once per statement.
    auto *term = static_cast<const ScoreTerm *>(sqlite3_get_auxdata(context, 0));
    std::optional<ScoreTerm> unkept;
    if (!term) {
      sqlite3_set_auxdata(context, 0, new ScoreTerm(parse_score_term(text_of(argv[0]))),
                          [](void *p) { delete static_cast<ScoreTerm *>(p); });
      term = static_cast<const ScoreTerm *>(sqlite3_get_auxdata(context, 0));
      if (!term) // SQLite may drop it at once (out of memory): parse for this row only
        term = &unkept.emplace(parse_score_term(text_of(argv[0])));
    }
    const std::string_view fields[4] = {text_of(argv[1]), text_of(argv[2]), text_of(argv[3]),
                                        text_of(argv[4])};
    sqlite3_result_double(context, field_score(*term, fields, text_of(argv[5])));
  } catch (...) { // nothing may cross into SQLite's C frames
    sqlite3_result_error_nomem(context);
  }
}

void time_function(sqlite3_context *context, int, sqlite3_value **argv) {
  if (const auto t = parse_timestamp(text_of(argv[0])))
    sqlite3_result_int64(context, t->time_since_epoch().count());
  else
    sqlite3_result_null(context);
}

void define(Connection &db, const char *name, int argc,
            void (*function)(sqlite3_context *, int, sqlite3_value **)) {
  const int rc =
      sqlite3_create_function_v2(db.getHandle(), name, argc, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
                                 nullptr, function, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK)
    throw SQLite::Exception(db.getHandle(), rc);
}

} // namespace

std::string SqliteDialect::placeholder(std::size_t n) const { return "?" + std::to_string(n); }

std::string SqliteDialect::token(std::string_view token, bool prefix, bool title_only) const {
  // Tokens hold no '"' (nor other ASCII punctuation): quoted, they are one FTS5 string.
  std::string out = "\"" + std::string(token) + "\"" + (prefix ? "*" : "");
  return title_only ? "({title} : " + out + ")" : out;
}

std::string SqliteDialect::text_match(const std::string &p) const {
  return "s.seq IN (SELECT rowid FROM spec_search WHERE spec_search MATCH " + p + ")";
}

std::string SqliteDialect::phrase_match(const std::string &p, bool title_only) const {
  return "leanspec_phrase(" + p + (title_only ? ", s.title)" : ", s.title, s.tags, s.id, s.body)");
}

std::string SqliteDialect::phrase_param(const std::vector<std::string> &tokens) const {
  std::string out;
  for (const std::string &token : tokens)
    out += (out.empty() ? "" : " ") + token;
  return out;
}

std::string SqliteDialect::folded(std::string_view column) const {
  return "lower(" + std::string(column) + ")"; // ASCII only, without the ICU extension
}

std::string SqliteDialect::has_tag(const std::string &p, bool folded) const {
  return std::string("EXISTS (SELECT 1 FROM json_each(s.tags) WHERE ") +
         (folded ? "lower(value)" : "value") + " = " + p + ")";
}

std::string SqliteDialect::time_of(std::string_view column) const {
  return "leanspec_time(" + std::string(column) + ")";
}

std::string SqliteDialect::archived_is(bool value) const {
  return value ? "s.archived <> 0" : "s.archived = 0";
}

namespace {

// leanspec_score(term, title, tags, id, body terms, body): the body columns as given (SQL).
std::string score_call(const ScoredTerm &term, QuerySql &query, std::string_view body_terms,
                       std::string_view body) {
  // The term as one text: its kind, 't' for the title only, then its tokens (fuzzy: each with
  // ':' and its distance), space-separated. Tokens hold neither ' ' nor ':'.
  std::string text;
  text += "pefq"[static_cast<int>(term.kind)];
  text += term.title_only ? 't' : 'a';
  if (term.kind == ScoredTerm::Kind::fuzzy)
    for (const auto &[token, distance] : term.fuzzy)
      text += " " + token + ":" + std::to_string(distance);
  else
    for (const std::string &token : term.tokens)
      text += " " + token;
  return "leanspec_score(" + query.param({text, {}}) + ", s.title, s.tags, s.id, " +
         std::string(body_terms) + ", " + std::string(body) + ")";
}

} // namespace

std::string SqliteDialect::field_score(const ScoredTerm &term, QuerySql &query) const {
  return score_call(term, query, "s.search_terms",
                    term.kind == ScoredTerm::Kind::phrase ? "s.body" : "NULL");
}

std::string SqliteDialect::field_score_without_body(const ScoredTerm &term, QuerySql &query) const {
  // The body columns come last in a row: not naming them, SQLite never reads their pages.
  return score_call(term, query, "NULL", "NULL");
}

void define_search_functions(Connection &db) {
  define(db, "leanspec_score", 6, score_function);
  define(db, "leanspec_phrase", -1, phrase_function);
  define(db, "leanspec_time", 1, time_function);
}

namespace {

// " IN (?first, ...)" for `count` parameters numbered from `first`.
std::string in_list(std::size_t first, std::size_t count) {
  std::string out = " IN (";
  for (std::size_t i = 0; i < count; ++i)
    out += (i ? ", ?" : "?") + std::to_string(first + i);
  return out + ")";
}

} // namespace

std::string search_statement(const QuerySql &query, const std::string &score,
                             std::size_t projects) {
  std::size_t n = query.params().size();
  std::string sql = "SELECT s.project_id, s.path, " + score + ", count(*) OVER () FROM specs s ";
  if (query.requires_text()) // the full-text index drives the search
    sql += "JOIN (SELECT rowid FROM spec_search WHERE spec_search MATCH ?" + std::to_string(++n) +
           ") AS candidates ON candidates.rowid = s.seq ";
  sql += "WHERE ";
  if (projects) {
    sql += "s.project_id" + in_list(n + 1, projects) + " AND ";
    n += projects;
  }
  sql += "(" + query.where() +
         ") ORDER BY 3 DESC, coalesce(s.number, -1), s.id, s.project_id, s.path LIMIT ?" +
         std::to_string(n + 1) + " OFFSET ?" + std::to_string(n + 2);
  return sql;
}

std::string bounded_search_statement(const QuerySql &query, const std::string &score,
                                     const std::string &lower, std::size_t projects) {
  std::size_t n = query.params().size();
  // The covering index specs_search_heads (schema v10): the planner would take the table's
  // rowid b-tree, a leaf page per spec.
  std::string matches =
      "SELECT s.seq AS seq, " + lower + " AS lower FROM specs s INDEXED BY specs_search_heads ";
  if (query.requires_text())
    matches += "JOIN (SELECT rowid FROM spec_search WHERE spec_search MATCH ?" +
               std::to_string(++n) + ") AS candidates ON candidates.rowid = s.seq ";
  matches += "WHERE ";
  if (projects) {
    matches += "s.project_id" + in_list(n + 1, projects) + " AND ";
    n += projects;
  }
  matches += "(" + query.where() + ")";
  const std::string limit = "?" + std::to_string(n + 1), offset = "?" + std::to_string(n + 2),
                    k = "?" + std::to_string(n + 3), bound = "?" + std::to_string(n + 4);
  // A match whose score cannot reach the k-th best lower bound is never on the page; ties are
  // kept (>=), with a margin for the rounding of the two sums.
  return "WITH matches AS MATERIALIZED (" + matches +
         "), kth AS (SELECT lower FROM matches ORDER BY lower DESC LIMIT 1 OFFSET " + k +
         " - 1) SELECT s.project_id, s.path, " + score +
         ", (SELECT count(*) FROM matches) FROM matches m JOIN specs s ON s.seq = m.seq "
         "WHERE m.lower + " +
         bound +
         " + 1e-9 >= coalesce((SELECT lower FROM kth), -1e308) "
         "ORDER BY 3 DESC, coalesce(s.number, -1), s.id, s.project_id, s.path LIMIT " +
         limit + " OFFSET " + offset;
}

std::string document_frequency_statement(std::size_t projects) {
  std::string sql = "SELECT count(*) FROM spec_search f ";
  if (projects)
    sql += "JOIN specs s ON s.seq = f.rowid ";
  sql += "WHERE spec_search MATCH ?1";
  if (projects)
    sql += " AND s.project_id" + in_list(2, projects);
  return sql;
}

std::string spec_count_statement(std::size_t projects) {
  std::string sql = "SELECT coalesce(sum(spec_count), 0) FROM projects";
  if (projects)
    sql += " WHERE id" + in_list(1, projects);
  return sql;
}

const char *vocabulary_range_statement() {
  return "SELECT term FROM spec_search_vocab WHERE term >= ?1 AND term < ?2";
}

const char *vocabulary_from_statement() {
  return "SELECT term FROM spec_search_vocab WHERE term >= ?1";
}

const char *hit_files_statement() {
  return "SELECT s.path, f.name, f.content, f.content_hash, s.files_hash "
         "FROM specs s LEFT JOIN spec_files f ON f.project_id = s.project_id AND f.path = s.path "
         "WHERE s.project_id = ?1 AND s.path = ?2 ORDER BY f.name <> 'README.md', f.name";
}

std::vector<std::pair<std::string, int>> vocabulary_terms(Connection &db, const std::string &word,
                                                          int distance) {
  if (word.empty())
    return {};
  const auto first = static_cast<unsigned char>(word.front());
  SQLite::Statement q(db,
                      first == 0xff ? vocabulary_from_statement() : vocabulary_range_statement());
  q.bind(1, std::string(1, word.front()));
  if (first != 0xff)
    q.bind(2, std::string(1, static_cast<char>(first + 1)));
  std::vector<std::pair<std::string, int>> found;
  while (q.executeStep()) {
    std::string term = q.getColumn(0).getString();
    if (const int d = edit_distance(word, term, distance); d <= distance)
      found.emplace_back(std::move(term), d);
  }
  if (found.size() > max_fuzzy_terms) { // the closest, then in vocabulary order
    std::stable_sort(found.begin(), found.end(),
                     [](const auto &a, const auto &b) { return a.second < b.second; });
    found.resize(max_fuzzy_terms);
    std::sort(found.begin(), found.end());
  }
  return found;
}

} // namespace leanspec::detail::sqlite
