// Implements parse_query(), to_string() and operator== of src/query/query_parser.hpp and
// src/query/query_ast.hpp, and leanspec::check_query() of include/leanspec/query.hpp: the query
// language's lexer, recursive-descent parser and printer.
#include "query/query_parser.hpp"

#include "query/query_ast.hpp"
#include "query/tokens.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <leanspec/error.hpp>
#include <leanspec/query.hpp>

namespace leanspec::detail {
namespace {

constexpr int max_depth = 200; // nesting of parentheses and NOTs

bool is_blank(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
// A byte that may appear in a bare word (and in a bare field value).
bool is_word_byte(char c) noexcept { return !is_blank(c) && c != '(' && c != ')' && c != '"'; }

[[noreturn]] void fail(const std::string &problem, std::size_t position) {
  throw Error(ErrorCode::invalid_argument,
              "query: " + problem + " at position " + std::to_string(position));
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\')
      out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

bool is_bare_safe(std::string_view text) noexcept {
  if (text.empty())
    return false;
  for (char c : text)
    if (!is_word_byte(c))
      return false;
  return true;
}

// --- Dates ----------------------------------------------------------------------------------

bool has_time_part(std::string_view text) noexcept {
  return text.find(':') != std::string_view::npos;
}

std::string format_date(const DateValue &value) {
  using namespace std::chrono;
  const auto day = floor<days>(value.at);
  const year_month_day ymd{day};
  std::array<char, 64> buffer{};
  int n =
      std::snprintf(buffer.data(), buffer.size(), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                    static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  if (!value.whole_day) {
    const auto ms = duration_cast<milliseconds>(value.at - day).count();
    const auto h = ms / 3'600'000, m = ms / 60'000 % 60, s = ms / 1000 % 60, f = ms % 1000;
    if (f == 0)
      n += std::snprintf(buffer.data() + n, buffer.size() - static_cast<std::size_t>(n),
                         "T%02lld:%02lld:%02lldZ", static_cast<long long>(h),
                         static_cast<long long>(m), static_cast<long long>(s));
    else
      n += std::snprintf(buffer.data() + n, buffer.size() - static_cast<std::size_t>(n),
                         "T%02lld:%02lld:%02lld.%03lldZ", static_cast<long long>(h),
                         static_cast<long long>(m), static_cast<long long>(s),
                         static_cast<long long>(f));
  }
  return std::string(buffer.data(), static_cast<std::size_t>(n));
}

// The canonical text of a date when it reads back as the same value, else empty.
std::string canonical_date(const DateValue &value) {
  std::string text = format_date(value);
  const auto back = parse_timestamp(text);
  if (back && *back == value.at && has_time_part(text) != value.whole_day && is_bare_safe(text))
    return text;
  return {};
}

DateValue parse_date(std::string_view text, std::size_t position) {
  const auto at = parse_timestamp(text);
  if (!at)
    fail("bad date '" + std::string(text) + "'", position);
  return DateValue{*at, !has_time_part(text), std::string(text)};
}

// --- Lexer ----------------------------------------------------------------------------------

struct Lexeme {
  enum class Kind { end, open, close, negate, and_kw, or_kw, not_kw, term };
  Kind kind = Kind::end;
  std::size_t position = 0;
  QueryNode node; // for term
};

class Lexer {
public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Lexeme> run() {
    if (text_.size() > max_query_bytes)
      throw Error(ErrorCode::invalid_argument, "query: " + std::to_string(text_.size()) +
                                                   " bytes is longer than the limit of " +
                                                   std::to_string(max_query_bytes) + " bytes");
    std::vector<Lexeme> out;
    std::size_t terms = 0, fuzzy_terms = 0;
    for (;;) {
      while (pos_ < text_.size() && is_blank(text_[pos_]))
        ++pos_;
      Lexeme lexeme;
      lexeme.position = pos_;
      if (pos_ == text_.size()) {
        out.push_back(std::move(lexeme));
        return out;
      }
      const char c = text_[pos_];
      if (c == '(') {
        lexeme.kind = Lexeme::Kind::open;
        ++pos_;
      } else if (c == ')') {
        lexeme.kind = Lexeme::Kind::close;
        ++pos_;
      } else if (c == '-') {
        const std::size_t next = pos_ + 1;
        if (next == text_.size() || is_blank(text_[next]) || text_[next] == ')')
          fail("empty operand after '-'", next);
        lexeme.kind = Lexeme::Kind::negate;
        ++pos_;
      } else if (c == '"') {
        const std::size_t start = pos_;
        std::string phrase = read_quoted();
        if (phrase.empty())
          fail("empty phrase", start);
        lexeme.kind = Lexeme::Kind::term;
        lexeme.node = text_node(NodeKind::phrase, phrase, false);
      } else {
        lex_word(lexeme);
      }
      if (lexeme.kind == Lexeme::Kind::term) {
        if (++terms > max_query_terms)
          fail("more than " + std::to_string(max_query_terms) + " terms", lexeme.position);
        if (lexeme.node.kind == NodeKind::fuzzy && ++fuzzy_terms > max_query_fuzzy_terms)
          fail("more than " + std::to_string(max_query_fuzzy_terms) + " fuzzy terms",
               lexeme.position);
      }
      out.push_back(std::move(lexeme));
    }
  }

private:
  // Reads "..." at pos_ (which is on the opening quote), handling \" and \\.
  std::string read_quoted() {
    const std::size_t start = pos_++;
    std::string out;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"')
        return out;
      if (c == '\\' && pos_ < text_.size() && (text_[pos_] == '"' || text_[pos_] == '\\'))
        out += text_[pos_++];
      else
        out += c;
    }
    fail("unterminated quote", start);
  }

  static QueryNode text_node(NodeKind kind, std::string_view text, bool title_only) {
    QueryNode node;
    node.kind = kind;
    node.title_only = title_only;
    node.text = fold(text);
    node.tokens = tokenize(node.text);
    return node;
  }

  // A bare word: plain, or fuzzy when it ends in `~`, `~1` or `~2`.
  static QueryNode word_node(std::string_view word, std::size_t position, bool title_only) {
    const std::size_t tilde = word.rfind('~');
    if (tilde != std::string_view::npos &&
        word.find_first_not_of("0123456789", tilde + 1) == std::string_view::npos) {
      const std::string_view digits = word.substr(tilde + 1);
      if (!digits.empty() && digits != "1" && digits != "2")
        fail("fuzzy distance must be 1 or 2", position + tilde);
      std::vector<std::string> tokens = tokenize(word.substr(0, tilde));
      if (tokens.size() != 1)
        fail("a fuzzy term must be one word", position);
      QueryNode node;
      node.kind = NodeKind::fuzzy;
      node.title_only = title_only;
      node.distance = digits == "2" ? 2 : 1;
      node.text = tokens.front();
      node.tokens = std::move(tokens);
      return node;
    }
    return text_node(NodeKind::word, word, title_only);
  }

  void lex_word(Lexeme &lexeme) {
    const std::size_t start = pos_;
    while (pos_ < text_.size() && is_word_byte(text_[pos_]))
      ++pos_;
    const std::string_view word = text_.substr(start, pos_ - start);
    if (word == "AND" || word == "OR" || word == "NOT") {
      lexeme.kind = word == "AND"  ? Lexeme::Kind::and_kw
                    : word == "OR" ? Lexeme::Kind::or_kw
                                   : Lexeme::Kind::not_kw;
      return;
    }
    lexeme.kind = Lexeme::Kind::term;
    const std::size_t colon = word.find(':');
    lexeme.node = colon == std::string_view::npos ? word_node(word, start, false)
                                                  : field_node(word, start, colon);
  }

  // A `field:value` term: `word` starts at `start` and has its first colon at `colon`; a quoted
  // value follows it in the text.
  QueryNode field_node(std::string_view word, std::size_t start, std::size_t colon) {
    const std::string name = fold(word.substr(0, colon));
    static constexpr std::array<std::pair<std::string_view, NodeKind>, 8> fields{{
        {"status", NodeKind::status},
        {"tag", NodeKind::tag},
        {"priority", NodeKind::priority},
        {"assignee", NodeKind::assignee},
        {"title", NodeKind::phrase}, // refined below
        {"id", NodeKind::id},
        {"created", NodeKind::created},
        {"updated", NodeKind::updated},
    }};
    const auto *field =
        std::find_if(fields.begin(), fields.end(), [&](const auto &f) { return f.first == name; });
    if (field == fields.end())
      fail("unknown field '" + std::string(word.substr(0, colon)) + "'", start);
    const NodeKind kind = field->second;
    const bool is_date = kind == NodeKind::created || kind == NodeKind::updated;

    // The value: bare, or quoted (for dates, a comparison may precede the quote).
    std::size_t value_position = start + colon + 1;
    std::string_view bare = word.substr(colon + 1);
    std::string value;
    bool quoted = false;
    if (pos_ < text_.size() && text_[pos_] == '"' &&
        (bare.empty() || (is_date && bare.find_first_not_of("<>=") == std::string_view::npos))) {
      quoted = true;
      value_position = bare.empty() ? pos_ : value_position;
      value = std::string(bare) + read_quoted();
    } else {
      value = std::string(bare);
    }
    if (value.empty())
      fail("empty value for " + name, value_position);
    return value_node(kind, value, quoted, value_position);
  }

  // The node testing field `kind` against `value` (`quoted` or bare), which starts at `position`.
  QueryNode value_node(NodeKind kind, const std::string &value, bool quoted, std::size_t position) {
    QueryNode node;
    switch (kind) {
    case NodeKind::phrase: // title:
      return quoted ? text_node(NodeKind::phrase, value, true) : word_node(value, position, true);
    case NodeKind::status: {
      const auto status = parse_status(value);
      if (!status)
        fail("bad status '" + value + "'", position);
      node.kind = kind;
      node.status = *status;
      return node;
    }
    case NodeKind::priority: {
      const auto priority = parse_priority(value);
      if (!priority)
        fail("bad priority '" + value + "'", position);
      node.kind = kind;
      node.priority = *priority;
      return node;
    }
    case NodeKind::created:
    case NodeKind::updated:
      return date_node(kind, value, position);
    default: // tag, assignee, id
      node.kind = kind;
      node.text = fold(value);
      return node;
    }
  }

  static QueryNode date_node(NodeKind kind, std::string_view value, std::size_t position) {
    QueryNode node;
    node.kind = kind;
    static constexpr std::array<std::pair<std::string_view, DateOp>, 5> ops{{{">=", DateOp::ge},
                                                                             {"<=", DateOp::le},
                                                                             {">", DateOp::gt},
                                                                             {"<", DateOp::lt},
                                                                             {"=", DateOp::eq}}};
    for (const auto &[text, op] : ops) {
      if (value.substr(0, text.size()) == text) {
        node.op = op;
        node.from = parse_date(value.substr(text.size()), position + text.size());
        return node;
      }
    }
    const std::size_t dots = value.find("..");
    if (dots == std::string_view::npos) {
      node.op = DateOp::eq;
      node.from = parse_date(value, position);
      return node;
    }
    node.op = DateOp::range;
    node.from = parse_date(value.substr(0, dots), position);
    node.to = parse_date(value.substr(dots + 2), position + dots + 2);
    if (node.to.end() <= node.from.at)
      fail("date range ends before it starts", position);
    return node;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// --- Parser ---------------------------------------------------------------------------------

class Parser {
public:
  explicit Parser(std::vector<Lexeme> lexemes) : lexemes_(std::move(lexemes)) {}

  Query run() {
    Query query;
    if (peek().kind == Lexeme::Kind::end)
      return query;
    query.root = parse_or();
    if (peek().kind == Lexeme::Kind::close)
      fail("unbalanced parenthesis", peek().position);
    if (peek().kind != Lexeme::Kind::end)
      fail("unexpected input", peek().position); // not reached: every lexeme is consumed
    return query;
  }

private:
  using Kind = Lexeme::Kind;

  Lexeme &peek() { return lexemes_[at_]; }
  Lexeme &advance() { return lexemes_[at_++]; }
  bool starts_operand() {
    const Kind k = peek().kind;
    return k == Kind::term || k == Kind::open || k == Kind::not_kw || k == Kind::negate;
  }
  void expect_operand(const char *after) {
    if (!starts_operand())
      fail(std::string("empty operand after ") + after, peek().position);
  }

  static void append(QueryNode &group, QueryNode child) {
    if (child.kind == group.kind) {
      for (auto &grandchild : child.children)
        group.children.push_back(std::move(grandchild));
    } else {
      group.children.push_back(std::move(child));
    }
  }

  QueryNode parse_or() {
    QueryNode first = parse_and();
    if (peek().kind != Kind::or_kw)
      return first;
    QueryNode group;
    group.kind = NodeKind::or_op;
    append(group, std::move(first));
    while (peek().kind == Kind::or_kw) {
      advance();
      expect_operand("OR");
      append(group, parse_and());
    }
    return group;
  }

  QueryNode parse_and() {
    QueryNode first = parse_unary();
    if (peek().kind != Kind::and_kw && !starts_operand())
      return first;
    QueryNode group;
    group.kind = NodeKind::and_op;
    append(group, std::move(first));
    for (;;) {
      if (peek().kind == Kind::and_kw) {
        advance();
        expect_operand("AND");
      } else if (!starts_operand()) {
        break;
      }
      append(group, parse_unary());
    }
    return group;
  }

  QueryNode parse_unary() {
    Lexeme &lexeme = peek();
    switch (lexeme.kind) {
    case Kind::not_kw:
    case Kind::negate: {
      const bool keyword = lexeme.kind == Kind::not_kw;
      const Depth depth(*this, lexeme.position);
      advance();
      expect_operand(keyword ? "NOT" : "'-'");
      QueryNode node;
      node.kind = NodeKind::not_op;
      node.children.push_back(parse_unary());
      return node;
    }
    case Kind::open: {
      const std::size_t open = lexeme.position;
      const Depth depth(*this, open);
      advance();
      if (peek().kind == Kind::close)
        fail("empty parentheses", open);
      if (peek().kind == Kind::end)
        fail("unbalanced parenthesis", open);
      expect_operand("'('");
      QueryNode inner = parse_or();
      if (peek().kind != Kind::close)
        fail("unbalanced parenthesis", open);
      advance();
      return inner;
    }
    case Kind::term:
      return std::move(advance().node);
    case Kind::close:
      fail("unbalanced parenthesis", lexeme.position);
    case Kind::and_kw:
      fail("empty operand before AND", lexeme.position);
    case Kind::or_kw:
      fail("empty operand before OR", lexeme.position);
    case Kind::end:
      break;
    }
    fail("empty operand", lexeme.position);
  }

  struct Depth {
    Depth(Parser &parser, std::size_t position) : parser_(parser) {
      if (++parser_.depth_ > max_depth)
        fail("query nested too deeply", position);
    }
    ~Depth() { --parser_.depth_; }
    Depth(const Depth &) = delete;
    Depth &operator=(const Depth &) = delete;
    Parser &parser_;
  };

  std::vector<Lexeme> lexemes_;
  std::size_t at_ = 0;
  int depth_ = 0;
};

// --- Printer --------------------------------------------------------------------------------

std::string print_word(const QueryNode &node) {
  switch (node.kind) {
  case NodeKind::fuzzy:
    return node.text + "~" + std::to_string(node.distance);
  case NodeKind::phrase:
    return quote(node.text);
  default:
    return node.text;
  }
}

std::string print_date_value(const QueryNode &node) {
  static constexpr std::array<std::string_view, 6> op_text{"", "<", "<=", ">", ">=", ""};
  std::string from = canonical_date(node.from);
  if (node.op == DateOp::range) {
    std::string to = canonical_date(node.to);
    if (!from.empty() && !to.empty())
      return from + ".." + to;
    return quote(node.from.text + ".." + node.to.text);
  }
  const std::string_view op = op_text[static_cast<std::size_t>(node.op)];
  if (!from.empty())
    return std::string(op) + from;
  return quote(std::string(op) + node.from.text);
}

std::string print(const QueryNode &node) {
  switch (node.kind) {
  case NodeKind::word:
  case NodeKind::phrase:
  case NodeKind::fuzzy:
    return (node.title_only ? "title:" : "") + print_word(node);
  case NodeKind::status:
    return "status:" + std::string(to_string(node.status));
  case NodeKind::priority:
    return "priority:" + std::string(to_string(node.priority));
  case NodeKind::tag:
  case NodeKind::assignee:
  case NodeKind::id: {
    const char *name = node.kind == NodeKind::tag        ? "tag:"
                       : node.kind == NodeKind::assignee ? "assignee:"
                                                         : "id:";
    return name + (is_bare_safe(node.text) ? node.text : quote(node.text));
  }
  case NodeKind::created:
    return "created:" + print_date_value(node);
  case NodeKind::updated:
    return "updated:" + print_date_value(node);
  case NodeKind::not_op: {
    const QueryNode &child = node.children.front();
    const bool group = child.kind == NodeKind::and_op || child.kind == NodeKind::or_op;
    return group ? "-(" + print(child) + ")" : "-" + print(child);
  }
  case NodeKind::and_op:
  case NodeKind::or_op: {
    const bool is_and = node.kind == NodeKind::and_op;
    std::string out;
    for (const auto &child : node.children) {
      if (!out.empty())
        out += is_and ? " " : " OR ";
      if (is_and && child.kind == NodeKind::or_op)
        out += "(" + print(child) + ")";
      else
        out += print(child);
    }
    return out;
  }
  }
  return {};
}

bool same_date(const DateValue &a, const DateValue &b) noexcept {
  return a.at == b.at && a.whole_day == b.whole_day;
}

} // namespace

Timestamp DateValue::end() const noexcept {
  using namespace std::chrono;
  if (whole_day)
    return time_point_cast<milliseconds>(floor<days>(at) + days{1});
  return at + milliseconds{1};
}

std::shared_ptr<const Query> parse_query(std::string_view text) {
  return std::make_shared<const Query>(Parser(Lexer(text).run()).run());
}

std::string to_string(const QueryNode &node) { return print(node); }

std::string to_string(const Query &query) {
  return query.root ? print(*query.root) : std::string();
}

bool operator==(const QueryNode &a, const QueryNode &b) noexcept {
  return a.kind == b.kind && a.title_only == b.title_only && a.text == b.text &&
         a.distance == b.distance && a.status == b.status && a.priority == b.priority &&
         a.op == b.op && same_date(a.from, b.from) && same_date(a.to, b.to) &&
         a.children == b.children;
}

bool operator==(const Query &a, const Query &b) noexcept { return a.root == b.root; }

} // namespace leanspec::detail

void leanspec::check_query(std::string_view text) { detail::parse_query(text); }
