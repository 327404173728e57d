#pragma once
// Internal: a SQLite connection of the store (SQLiteCpp) and what every connection and the
// migrations need: the timeouts, failures worded for a person, transactions, the connection
// settings and WAL mode, the recorded schema version. Implemented in connection.cpp.
// Single-thread per connection.

#include <SQLiteCpp/SQLiteCpp.h>
#include <cstddef>
#include <cstdint>
#include <leanspec/error.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail::sqlite {

inline constexpr int busy_timeout_ms = 5000;
// The WAL size past which it is cut back (journal_size_limit) when it is next reset.
inline constexpr std::uint64_t wal_size_limit = 4u << 20;
// A WAL larger than the checkpointer lets one grow (Checkpointer::wal_pages of 16 KB): left by
// a writer killed before it closed; an opener checkpoints it.
inline constexpr std::uint64_t abandoned_wal_size = 64u << 20;
// How long the checkpoints that truncate the WAL (at close, at open) wait for other processes'
// readers: then they copy back what they can and leave the truncation to a later one.
inline constexpr int truncate_wait_ms = 250;

using Connection = SQLite::Database;

// The wording of a SQLite failure for a person, naming the file.
Error translate(const std::string &path, std::string_view doing, const SQLite::Exception &e);

// A transaction on one connection, rolled back unless committed.
class Transaction {
public:
  enum Kind { read, write };
  Transaction(Connection &db, Kind kind) : db_(db) {
    db_.exec(kind == write ? "BEGIN IMMEDIATE" : "BEGIN");
  }
  Transaction(const Transaction &) = delete;
  Transaction &operator=(const Transaction &) = delete;
  ~Transaction() {
    if (!done_)
      db_.tryExec("ROLLBACK"); // a failed rollback leaves autocommit off: the pool drops it
  }
  void commit() {
    db_.exec("COMMIT");
    done_ = true;
  }

private:
  Connection &db_;
  bool done_ = false;
};

// The page cache of a connection (PRAGMA cache_size, KiB): small for reads, which every pooled
// connection does; large while one writes a snapshot (WriteCache).
inline constexpr int read_cache_kib = 2048;
inline constexpr int write_cache_kib = 16384;

// A snapshot write's cache, for the scope of the guard: a 300-spec snapshot writes ~10 MB of
// pages, and with a small cache it spills dirty pages to the WAL before its commit and reads
// back pages it just evicted. Back to the read size (its pages freed) when the guard ends.
class WriteCache {
public:
  explicit WriteCache(Connection &db) : db_(db) {
    db_.exec("PRAGMA cache_size = -" + std::to_string(write_cache_kib));
  }
  WriteCache(const WriteCache &) = delete;
  WriteCache &operator=(const WriteCache &) = delete;
  ~WriteCache() { db_.tryExec("PRAGMA cache_size = -" + std::to_string(read_cache_kib)); }

private:
  Connection &db_;
};

// Search terms as the FTS5 column holds them: separated by spaces.
std::string joined(const std::vector<std::string> &terms);

// leanspec_search_terms(body): SpecRow's body terms joined, for migration "search terms" to
// fill existing rows. Defined on the migrating connection only (no trigger or view uses it).
void define_search_terms_function(Connection &db);

void bind_text(SQLite::Statement &q, int index, std::string_view text);

// The schema version recorded in the file (0: none). Reads only.
int recorded_version(Connection &db);

/// @throws leanspec::Error config when `version` is newer than this library's schema
void refuse_newer(const std::string &path, int version);

// The settings of every connection of the store.
void configure(Connection &db);

// Sets the file's journal mode to WAL (it persists in the file). The switch takes the exclusive
// lock without SQLite's busy handler, so a new file opened by several connections at once may
// answer SQLITE_BUSY at once: retry for as long as the busy timeout.
void enter_wal(Connection &db, const std::string &path);

// A new connection to the file, configured.
std::unique_ptr<Connection> connect(const std::string &path);

} // namespace leanspec::detail::sqlite
