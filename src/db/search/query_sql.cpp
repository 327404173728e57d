// Implements src/db/search/query_sql.hpp: the query tree walked once, each node becoming a SQL
// condition. A condition that may be NULL (a column without a date, a spec without priority) is
// made FALSE, so that NOT of it is TRUE, as in the in-memory evaluator (evaluator.cpp).
#include "db/search/query_sql.hpp"

#include "core/tags_match.hpp"
#include "query/query_ast.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace leanspec::detail {
namespace {

bool all_digits(std::string_view text) noexcept {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::int64_t unix_ms(Timestamp t) noexcept { return t.time_since_epoch().count(); }

bool is_text(NodeKind kind) noexcept {
  return kind == NodeKind::word || kind == NodeKind::phrase || kind == NodeKind::fuzzy;
}

} // namespace

bool requires_text(const QueryNode &node) noexcept {
  switch (node.kind) {
  case NodeKind::word:
  case NodeKind::phrase:
    return !node.tokens.empty();
  case NodeKind::fuzzy:
    return true;
  case NodeKind::and_op:
    return std::any_of(node.children.begin(), node.children.end(),
                       [](const QueryNode &c) { return requires_text(c); });
  case NodeKind::or_op:
    return std::all_of(node.children.begin(), node.children.end(),
                       [](const QueryNode &c) { return requires_text(c); });
  default:
    return false;
  }
}

QuerySql::QuerySql(const SqlDialect &dialect, const Query &query, const Filter *filter,
                   const Expand &expand)
    : dialect_(dialect), expand_(expand) {
  std::vector<std::string> conditions;
  if (query.root) {
    conditions.push_back(node(*query.root, true));
    // Without a candidate expression (no term can match: a fuzzy word with no vocabulary term,
    // a token too long to be stored) the condition alone says "nothing".
    requires_text_ = detail::requires_text(*query.root) && !candidates_text_.empty();
    tree_text_ = tree(*query.root).value_or("");
    one_term_ = is_text(query.root->kind) && ranked_.size() == 1 && !tree_text_.empty();
  }
  if (filter)
    if (std::string f = this->filter(*filter); !f.empty()) {
      filter_where_ = f;
      conditions.push_back(std::move(f));
    }
  for (const std::string &c : conditions)
    where_ += (where_.empty() ? "" : " AND ") + c;
  if (where_.empty())
    where_ = "TRUE";
}

std::string QuerySql::param(SqlParam value) {
  // One placeholder per value: a score without the body then uses only parameters the whole
  // score uses too, so a statement that names only one of them binds no parameter it never
  // names (which PostgreSQL cannot type).
  const auto same = std::find_if(params_.begin(), params_.end(), [&](const SqlParam &p) {
    return p.text == value.text && p.integer == value.integer;
  });
  if (same != params_.end())
    return dialect_.placeholder(static_cast<std::size_t>(same - params_.begin()) + 1);
  params_.push_back(std::move(value));
  return dialect_.placeholder(params_.size());
}

std::string QuerySql::node(const QueryNode &n, bool positive) {
  if (is_text(n.kind))
    return text_leaf(n, positive);
  switch (n.kind) {
  case NodeKind::not_op:
    return "NOT " + node(n.children.front(), !positive);
  case NodeKind::and_op:
  case NodeKind::or_op: {
    std::string out = "(";
    for (std::size_t i = 0; i < n.children.size(); ++i)
      out += (i ? (n.kind == NodeKind::and_op ? " AND " : " OR ") : "") +
             node(n.children[i], positive);
    return out + ")";
  }
  default:
    return "COALESCE(" + field(n) + ", FALSE)";
  }
}

std::optional<std::string> QuerySql::tree(const QueryNode &n) const {
  switch (n.kind) {
  case NodeKind::word:
  case NodeKind::phrase:
  case NodeKind::fuzzy:
    if (const auto found = word_values_.find(&n); found != word_values_.end())
      return found->second;
    return std::nullopt; // a phrase of several tokens, or no stored term can match
  case NodeKind::not_op:
  case NodeKind::and_op:
  case NodeKind::or_op: {
    std::vector<std::string> values;
    for (const QueryNode &child : n.children) {
      auto value = tree(child);
      if (!value)
        return std::nullopt;
      values.push_back(std::move(*value));
    }
    return dialect_.text_combined(n.kind == NodeKind::not_op   ? '!'
                                  : n.kind == NodeKind::and_op ? '&'
                                                               : '|',
                                  values);
  }
  default:
    return std::nullopt;
  }
}

// A word, phrase or fuzzy word: its full-text expression (the candidates), and for a phrase of
// several tokens the check that they stand adjacent in one field. A positive one is ranked.
std::string QuerySql::text_leaf(const QueryNode &n, bool positive) {
  ScoredTerm scored{.title_only = n.title_only};
  RankedTerm ranked;
  std::string expression;
  if (n.kind == NodeKind::fuzzy) {
    scored.kind = ScoredTerm::Kind::fuzzy;
    scored.fuzzy = expand_(n.text, n.distance);
    std::vector<std::string> terms;
    for (const auto &[term, distance] : scored.fuzzy) {
      terms.push_back(term);
      if (std::string t = dialect_.token(term, false, n.title_only); !t.empty())
        expression += (expression.empty() ? "" : std::string(dialect_.or_op())) + t;
    }
    fuzzy_terms_.push_back(std::move(terms));
    if (!expression.empty())
      expression = "(" + expression + ")";
    ranked.frequency_texts.push_back(expression);
  } else if (n.tokens.empty()) {
    return "TRUE"; // no token (punctuation only): matches every spec, as in memory
  } else if (n.tokens.size() == 1) {
    // A word matches as a prefix; a quoted word exactly.
    scored.kind = n.kind == NodeKind::word ? ScoredTerm::Kind::prefix : ScoredTerm::Kind::exact;
    scored.tokens = n.tokens;
    expression = dialect_.token(n.tokens.front(), n.kind == NodeKind::word, n.title_only);
    ranked.frequency_texts.push_back(expression);
  } else {
    scored.kind = ScoredTerm::Kind::phrase;
    scored.tokens = n.tokens;
    for (const std::string &token : n.tokens) {
      std::string t = dialect_.token(token, false, n.title_only);
      if (t.empty()) {
        expression.clear();
        break;
      }
      ranked.frequency_texts.push_back(t);
      expression += (expression.empty() ? "" : std::string(dialect_.and_op())) + t;
    }
    if (!expression.empty())
      expression = "(" + expression + ")";
  }
  if (expression.empty())
    return "FALSE";
  if (positive) {
    candidates_text_ +=
        (candidates_text_.empty() ? "" : std::string(dialect_.or_op())) + expression;
    ranked.field_score = dialect_.field_score(scored, *this);
    ranked.field_score_without_body = dialect_.field_score_without_body(scored, *this);
    ranked_.push_back(std::move(ranked));
  }
  const std::string p = param({expression, {}});
  if (scored.kind != ScoredTerm::Kind::phrase)
    if (std::string value = dialect_.text_value(p); !value.empty())
      word_values_.emplace(&n, std::move(value));
  std::string out = dialect_.text_match(p);
  if (scored.kind == ScoredTerm::Kind::phrase)
    out = "(" + out + " AND " +
          dialect_.phrase_match(param({dialect_.phrase_param(n.tokens), {}}), n.title_only) + ")";
  return out;
}

namespace {

// Σ idf[i] * field_score[i], as SQL; "0.0" without terms, empty when a field score is empty.
std::string weighted_sum(const std::vector<QuerySql::RankedTerm> &ranked,
                         const std::vector<double> &idf,
                         std::string QuerySql::RankedTerm::*field_score) {
  std::string out;
  for (std::size_t i = 0; i < ranked.size() && i < idf.size(); ++i) {
    if ((ranked[i].*field_score).empty())
      return {};
    char number[64];
    const auto end = std::to_chars(number, number + sizeof number, idf[i]).ptr;
    out += (out.empty() ? "" : " + ") + std::string(number, end) + " * " + ranked[i].*field_score;
  }
  return out.empty() ? "0.0" : "(" + out + ")";
}

} // namespace

std::string QuerySql::score(const std::vector<double> &idf) const {
  return weighted_sum(ranked_, idf, &RankedTerm::field_score);
}

std::string QuerySql::score_without_body(const std::vector<double> &idf) const {
  return weighted_sum(ranked_, idf, &RankedTerm::field_score_without_body);
}

double QuerySql::body_bound(const std::vector<double> &idf) {
  double sum = 0;
  for (const double d : idf)
    sum += d;
  return sum;
}

double inverse_document_frequency(std::size_t specs, std::size_t document_frequency) noexcept {
  const auto n = static_cast<double>(specs), df = static_cast<double>(document_frequency);
  const double idf = std::log(1.0 + (n - df + 0.5) / (df + 0.5));
  return idf > 0 ? idf : 0.0; // df above n cannot happen within one transaction
}

std::string QuerySql::field(const QueryNode &n) {
  const auto date = [&](const std::string &time) {
    const auto at = [&](Timestamp t) { return param({{}, unix_ms(t)}); };
    switch (n.op) {
    case DateOp::eq:
      return "(" + time + " >= " + at(n.from.at) + " AND " + time + " < " + at(n.from.end()) + ")";
    case DateOp::lt:
      return time + " < " + at(n.from.at);
    case DateOp::le:
      return time + " < " + at(n.from.end());
    case DateOp::gt:
      return time + " >= " + at(n.from.end());
    case DateOp::ge:
      return time + " >= " + at(n.from.at);
    case DateOp::range:
      return "(" + time + " >= " + at(n.from.at) + " AND " + time + " < " + at(n.to.end()) + ")";
    }
    return std::string("FALSE");
  };
  switch (n.kind) {
  case NodeKind::status:
    return "s.status = " + param({std::string(to_string(n.status)), {}});
  case NodeKind::priority:
    return "s.priority = " + param({std::string(to_string(n.priority)), {}});
  case NodeKind::tag:
    return dialect_.has_tag(param({n.text, {}}), true);
  case NodeKind::assignee:
    return dialect_.folded("s.assignee") + " = " + param({n.text, {}});
  case NodeKind::id: {
    const std::string text = param({n.text, {}});
    std::string out = "(" + dialect_.folded("s.id") + " = " + text + " OR " +
                      dialect_.folded("s.slug") + " = " + text;
    int number = 0;
    const char *end = n.text.data() + n.text.size();
    if (all_digits(n.text))
      if (const auto [at, error] = std::from_chars(n.text.data(), end, number);
          error == std::errc() && at == end)
        out += " OR s.number = " + param({{}, number});
    return out + ")";
  }
  case NodeKind::created:
    return date("COALESCE(" + dialect_.time_of("s.created_at") + ", " +
                dialect_.time_of("s.created") + ")");
  case NodeKind::updated:
    return date(dialect_.time_of("s.updated_at"));
  default:
    return "FALSE";
  }
}

std::string QuerySql::filter(const Filter &f) {
  std::vector<std::string> out;
  const auto any_of = [&](const std::string &column, const auto &values) {
    std::string in;
    for (const auto &v : values)
      in += (in.empty() ? "" : ", ") + param({std::string(to_string(v)), {}});
    out.push_back("COALESCE(" + column + " IN (" + in + "), FALSE)");
  };
  if (!f.statuses.empty())
    any_of("s.status", f.statuses);
  if (!f.priorities.empty())
    any_of("s.priority", f.priorities);
  if (!f.tags.empty()) {
    const bool all = tags_match_of(f) == TagsMatch::all;
    std::string tags;
    for (const std::string &tag : f.tags)
      tags += (tags.empty() ? ""
               : all        ? " AND "
                            : " OR ") +
              dialect_.has_tag(param({tag, {}}), false);
    out.push_back("(" + tags + ")");
  }
  if (f.assignee)
    out.push_back("s.assignee = " + param({*f.assignee, {}}));
  if (f.archived)
    out.push_back(dialect_.archived_is(*f.archived));
  std::string joined;
  for (const std::string &c : out)
    joined += (joined.empty() ? "" : " AND ") + c;
  return joined;
}

} // namespace leanspec::detail
