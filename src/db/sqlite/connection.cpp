// Implements src/db/sqlite/connection.hpp.
#include "db/sqlite/connection.hpp"

#include "db/migrations.hpp"
#include "db/spec_rows.hpp"
#include "db/sqlite/search_statements.hpp"
#include "db/store.hpp"

#include <chrono>
#include <sqlite3.h>
#include <thread>

namespace leanspec::detail::sqlite {

Error translate(const std::string &path, std::string_view doing, const SQLite::Exception &e) {
  const int code = e.getErrorCode();
  if (code == SQLITE_NOTADB)
    return Error(ErrorCode::database, "'" + path +
                                          "' is not a SQLite database (file is not a database); "
                                          "it was left untouched");
  if (code == SQLITE_CORRUPT)
    return Error(ErrorCode::database,
                 "SQLite database '" + path + "' is corrupt (" + e.what() + "); it was left as is");
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
    return Error(ErrorCode::database, "SQLite database '" + path + "': " + std::string(doing) +
                                          ": still locked by another writer after " +
                                          std::to_string(busy_timeout_ms / 1000) + " s");
  if (code == SQLITE_CANTOPEN)
    return Error(ErrorCode::database, "cannot open SQLite database '" + path + "': " + e.what());
  return Error(ErrorCode::database,
               "SQLite database '" + path + "': " + std::string(doing) + ": " + e.what());
}

std::string joined(const std::vector<std::string> &terms) {
  std::string out;
  for (const std::string &term : terms) {
    if (!out.empty())
      out += ' ';
    out += term;
  }
  return out;
}

void define_search_terms_function(Connection &db) {
  const int rc = sqlite3_create_function_v2(
      db.getHandle(), "leanspec_search_terms", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
      [](sqlite3_context *context, int, sqlite3_value **argv) {
        try {
          const auto *text = reinterpret_cast<const char *>(sqlite3_value_text(argv[0]));
          const std::string terms = joined(distinct_tokens(
              text ? std::string_view(text, static_cast<std::size_t>(sqlite3_value_bytes(argv[0])))
                   : std::string_view()));
          sqlite3_result_text(context, terms.data(), static_cast<int>(terms.size()),
                              SQLITE_TRANSIENT);
        } catch (...) { // nothing may cross into SQLite's C frames
          sqlite3_result_error_nomem(context);
        }
      },
      nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK)
    throw SQLite::Exception(db.getHandle(), rc);
}

void bind_text(SQLite::Statement &q, int index, std::string_view text) {
  q.bind(index, std::string(text));
}

int recorded_version(Connection &db) {
  SQLite::Statement exists(
      db, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'");
  exists.executeStep();
  if (exists.getColumn(0).getInt() == 0)
    return 0;
  SQLite::Statement q(db, "SELECT coalesce(max(version), 0) FROM schema_migrations");
  q.executeStep();
  return q.getColumn(0).getInt();
}

void refuse_newer(const std::string &path, int version) {
  if (version > latest_schema_version())
    throw Error(ErrorCode::config, "database '" + path + "' has schema version " +
                                       std::to_string(version) + ", newer than version " +
                                       std::to_string(latest_schema_version()) +
                                       " that this libleanspec supports; use a newer libleanspec");
}

void configure(Connection &db) {
  db.exec("PRAGMA foreign_keys = ON");
  // WAL (set persistently by open()): a process crash loses nothing committed with NORMAL.
  db.exec("PRAGMA synchronous = NORMAL");
  // Each pooled connection keeps its own cache: a process's memory holds the pool's caches, so
  // reads keep a small one and snapshot writes take a large one for their scope (WriteCache).
  // No memory map: its pages would count in the process's memory once per connection mapping
  // them, up to the mapped size each (showcase stores are gigabytes).
  db.exec("PRAGMA cache_size = -" + std::to_string(read_cache_kib));
  db.exec("PRAGMA mmap_size = 0");
  // A WAL that a large write grew is cut back to this size when it is next reset (after a
  // complete checkpoint), so its file does not keep the largest size it ever had.
  db.exec("PRAGMA journal_size_limit = " + std::to_string(wal_size_limit));
  define_search_functions(db);
}

void enter_wal(Connection &db, const std::string &path) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  std::string mode;
  for (;;) {
    try {
      SQLite::Statement pragma(db, "PRAGMA journal_mode = WAL");
      if (pragma.executeStep())
        mode = pragma.getColumn(0).getString();
      if (mode == "wal")
        return;
    } catch (const SQLite::Exception &e) {
      if (e.getErrorCode() != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline)
        throw;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      throw Error(ErrorCode::database, "SQLite database '" + path +
                                           "': cannot switch to WAL journal mode (it stays in '" +
                                           mode + "' mode)");
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::unique_ptr<Connection> connect(const std::string &path) {
  auto db = std::make_unique<Connection>(
      path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX, busy_timeout_ms);
  configure(*db);
  return db;
}

} // namespace leanspec::detail::sqlite
