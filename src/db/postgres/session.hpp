#pragma once
// Internal: a PostgreSQL connection of the store and the helpers every call uses: results,
// text as the server takes it, binary array and statement parameters, the session that runs
// statements, transactions and pipelines, connecting, the recorded schema version.
// Single-thread per connection.

#include "core/scrub.hpp"
#include "db/database_url.hpp"
#include "db/postgres/pq_calls.hpp"
#include "db/store.hpp"
#include "model/frontmatter.hpp"

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <leanspec/error.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail::postgres {

struct Connection {
  PGconn *raw;
  explicit Connection(PGconn *c) noexcept : raw(c) {}
  Connection(const Connection &) = delete;
  Connection &operator=(const Connection &) = delete;
  ~Connection() { PQfinish(raw); }
};

struct ResultDeleter {
  void operator()(PGresult *r) const noexcept { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// Text as PostgreSQL's text type takes it: valid UTF-8 without NUL bytes.
inline std::string pg_text(std::string_view s) {
  std::string out =
      find_invalid_utf8(s) == std::string_view::npos ? std::string(s) : sanitize_utf8(s);
  std::erase(out, '\0');
  return out;
}

inline std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
    s.pop_back();
  return s;
}

// A one-dimensional array in PostgreSQL's binary format (array_recv), bound as one binary
// parameter and cast in SQL to its type ($2::text[]): no quoting, escaping or hex to write on
// this side nor to parse on the server's, which mattered for megabytes of bodies and files.
// Elements are appended where they go, after a header kept current, so the array is bound
// without a copy.
class BinaryArray {
public:
  // Element type OIDs (pg_type.dat).
  enum Oid : std::uint32_t {
    bool_oid = 16,
    bytea_oid = 17,
    int4_oid = 23,
    text_oid = 25,
    json_oid = 114,
    tsvector_oid = 3614
  };
  explicit BinaryArray(Oid element) : data_(header_size, '\0') {
    put32(data_.data() + 8, element);
    put32(data_.data() + 16, 1); // lower bound
  }

  /// text and json elements: UTF-8 without NUL (pg_text).
  BinaryArray &text(std::string_view v) {
    if (find_invalid_utf8(v) == std::string_view::npos && v.find('\0') == std::string_view::npos)
      return raw(v);
    return raw(pg_text(v));
  }
  BinaryArray &integer(std::int32_t n) {
    char be[4];
    put32(be, static_cast<std::uint32_t>(n));
    return raw(std::string_view(be, 4));
  }
  BinaryArray &boolean(bool b) { return raw(std::string_view(b ? "\1" : "\0", 1)); }
  BinaryArray &null() {
    put32(data_.data() + 4, 1); // has nulls
    return element(0xffffffffu);
  }
  /// An element's bytes as they are (bytea; or a tsvector made by tsvector_binary()).
  BinaryArray &raw(std::string_view v) {
    element(static_cast<std::uint32_t>(v.size()));
    data_.append(v);
    return *this;
  }

  /// The array as array_recv reads it; valid until the next append.
  std::string_view bytes() const noexcept {
    // No element: zero dimensions, and the header stops before the dimension's size and bound.
    return count_ ? std::string_view(data_) : std::string_view(data_.data(), 12);
  }

  static void put32(char *at, std::uint32_t v) noexcept {
    for (int i = 0; i < 4; ++i)
      at[i] = static_cast<char>(v >> (24 - 8 * i));
  }

private:
  static constexpr std::size_t header_size = 20; // dimensions, has nulls, type, size, bound
  BinaryArray &element(std::uint32_t length) {
    put32(data_.data(), 1); // one dimension
    put32(data_.data() + 12, ++count_);
    char be[4];
    put32(be, length);
    data_.append(be, 4);
    return *this;
  }

  std::string data_;
  std::uint32_t count_ = 0;
};

// Statement parameters: text (sanitized), integers, NULL, or binary arrays bound where they lie
// (each must outlive the statement).
class Params {
public:
  Params &text(std::string_view s) { return own(pg_text(s)); }
  Params &integer(std::int64_t n) { return own(std::to_string(n)); }
  Params &real(double d) { // the shortest text that reads back as `d`
    char text[32];
    return own(std::string(text, std::to_chars(text, text + sizeof text, d).ptr));
  }
  Params &null() { return add(nullptr, 0, 0); }
  Params &binary(const BinaryArray &array) {
    const std::string_view v = array.bytes();
    return add(v.data(), static_cast<int>(v.size()), 1);
  }

  int size() const noexcept { return static_cast<int>(pointers_.size()); }
  const char *const *pointers() const noexcept { return pointers_.data(); }
  const int *lengths() const noexcept { return lengths_.data(); }
  const int *formats() const noexcept { return formats_.data(); }

private:
  Params &own(std::string s) {
    const std::string &v = owned_.emplace_back(std::move(s)); // a deque: addresses stay put
    return add(v.c_str(), static_cast<int>(v.size()), 0);
  }
  Params &add(const char *value, int length, int format) {
    pointers_.push_back(value);
    lengths_.push_back(length);
    formats_.push_back(format);
    return *this;
  }

  std::deque<std::string> owned_;
  std::vector<const char *> pointers_;
  std::vector<int> lengths_, formats_;
};

inline std::int64_t to_int(const PGresult *r, int row, int column) {
  const char *s = PQgetvalue(r, row, column);
  std::int64_t n = 0;
  std::from_chars(s, s + PQgetlength(r, row, column), n);
  return n;
}
inline std::string to_string(const PGresult *r, int row, int column) {
  return {PQgetvalue(r, row, column), static_cast<std::size_t>(PQgetlength(r, row, column))};
}
inline long affected(PGresult *r) { return std::strtol(PQcmdTuples(r), nullptr, 10); }

// One checked-out connection with the helpers every call uses.
class Session {
public:
  Session(const DatabaseUrl &url, PGconn *conn, std::string_view doing)
      : url_(url), conn_(conn), doing_(doing) {}

  /// Runs one statement. @throws Error database with PostgreSQL's message (password-free)
  Result exec(const char *sql, const Params &params = {}, int result_format = 0) {
    Result r(PQexecParams(conn_, sql, params.size(), nullptr, params.pointers(), params.lengths(),
                          params.formats(), result_format));
    const ExecStatusType status = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
      fail(r.get());
    return r;
  }
  /// Runs a constant script of several statements (migrations): no parameters.
  void exec_script(const char *sql) {
    Result r(PQexec(conn_, sql));
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK)
      fail(r.get());
  }

  [[noreturn]] void fail(const PGresult *r) const {
    std::string message = r ? PQresultErrorMessage(r) : "";
    if (message.empty())
      message = PQerrorMessage(conn_);
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    throw Error(ErrorCode::database,
                "PostgreSQL " + url_.description + ": " + std::string(doing_) + ": " +
                    scrub(trimmed(message), url_.secrets) +
                    (state ? std::string(" (SQLSTATE ") + state + ")" : std::string()));
  }

  PGconn *raw() const noexcept { return conn_; }

private:
  const DatabaseUrl &url_;
  PGconn *conn_;
  std::string_view doing_;
};

// A transaction, rolled back unless committed.
class Transaction {
public:
  Transaction(Session &session, const char *begin = "BEGIN") : session_(session) {
    session_.exec(begin);
  }
  Transaction(const Transaction &) = delete;
  Transaction &operator=(const Transaction &) = delete;
  ~Transaction() {
    if (!done_)
      PQclear(PQexec(session_.raw(), "ROLLBACK")); // on failure the pool drops the connection
  }
  void commit() {
    session_.exec("COMMIT");
    done_ = true;
  }

private:
  Session &session_;
  bool done_ = false;
};

// Statements sent without waiting for one another's results (libpq's pipeline mode), so that
// the client builds the next statement while the server runs the previous one. finish() waits
// for them all and throws the first failure; a Pipeline left without it (an exception) still
// reads every result, so that the connection can roll back.
class Pipeline {
public:
  explicit Pipeline(Session &session) : session_(session) {
    if (PQenterPipelineMode(session_.raw()) != 1)
      session_.fail(nullptr);
  }
  Pipeline(const Pipeline &) = delete;
  Pipeline &operator=(const Pipeline &) = delete;
  ~Pipeline() {
    if (open_)
      drain();
  }

  /// Sends one statement; `params` may go as soon as this returns (libpq has copied them).
  void send(const char *sql, const Params &params) {
    if (PQsendQueryParams(session_.raw(), sql, params.size(), nullptr, params.pointers(),
                          params.lengths(), params.formats(), 0) != 1 ||
        PQflush(session_.raw()) != 0)
      session_.fail(nullptr);
  }

  /// Waits for every statement sent. @throws Error database with the first failure's message
  void finish() {
    Result failure = drain();
    if (failure || open_)
      session_.fail(failure.get());
  }

private:
  // Ends the pipeline and reads every result; the first failed one, if any. open_ stays true
  // when the connection broke before the end (the caller's pool then drops it).
  Result drain() noexcept {
    PGconn *c = session_.raw();
    Result failure;
    if (PQpipelineSync(c) == 1)
      for (;;) {
        Result r(PQgetResult(c));
        if (!r) {
          if (PQstatus(c) != CONNECTION_OK)
            return failure;
          continue; // the end of one statement's results
        }
        const ExecStatusType status = PQresultStatus(r.get());
        if (status == PGRES_PIPELINE_SYNC)
          break;
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK &&
            status != PGRES_PIPELINE_ABORTED && !failure)
          failure = std::move(r);
      }
    open_ = PQexitPipelineMode(c) != 1;
    return failure;
  }

  Session &session_;
  bool open_ = true;
};

inline std::unique_ptr<Connection> connect(const DatabaseUrl &url) {
  // Defaults first: the URL's own settings override them (libpq processes keywords in order).
  const char *keys[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char *values[] = {"10", "leanspec", url.target.c_str(), nullptr};
  auto connection = std::make_unique<Connection>(PQconnectdbParams(keys, values, 1));
  PGconn *c = connection->raw;
  if (!c)
    throw Error(ErrorCode::database,
                "cannot connect to PostgreSQL " + url.description + ": out of memory");
  if (PQstatus(c) != CONNECTION_OK) {
    const auto field = [](const char *s) { return std::string(s && *s ? s : "?"); };
    throw Error(ErrorCode::database, "cannot connect to PostgreSQL database '" + field(PQdb(c)) +
                                         "' on " + field(PQhost(c)) + ":" + field(PQport(c)) +
                                         " as '" + field(PQuser(c)) + "' (" + url.description +
                                         "): " + scrub(trimmed(PQerrorMessage(c)), url.secrets));
  }
  PQsetNoticeProcessor(
      c, [](void *, const char *) {}, nullptr); // NOTICEs are not errors; keep stderr clean
  return connection;
}

inline int recorded_version(Session &s) {
  Result exists = s.exec("SELECT to_regclass('schema_migrations') IS NOT NULL");
  if (to_string(exists.get(), 0, 0) != "t")
    return 0;
  Result r = s.exec("SELECT coalesce(max(version), 0) FROM schema_migrations");
  return static_cast<int>(to_int(r.get(), 0, 0));
}

inline void refuse_newer(const DatabaseUrl &url, int version) {
  if (version > latest_schema_version())
    throw Error(ErrorCode::config, "database " + url.description + " has schema version " +
                                       std::to_string(version) + ", newer than version " +
                                       std::to_string(latest_schema_version()) +
                                       " that this libleanspec supports; use a newer libleanspec");
}

} // namespace leanspec::detail::postgres
