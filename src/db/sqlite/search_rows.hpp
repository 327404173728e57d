#pragma once
// Internal: SearchRows, the full-text rows of one SQLite snapshot write (src/db/sqlite_store.cpp).

#include "db/sqlite/connection.hpp"

#include <string>

namespace leanspec::detail::sqlite {

// The full-text rows one replace_specs changes, written together at its end. Once the FTS5
// table takes part in a transaction, FTS5 flushes its pending terms to a new index segment at
// every statement's savepoint, so writing a spec's row per statement (as triggers did before
// schema v4) wrote a segment per spec and merged them over and over: two thirds of a
// 300-spec write. Here the old rows' values are kept in a temporary table before their spec
// rows change, and one statement deletes them all, one more inserts the new rows.
class SearchRows {
public:
  explicit SearchRows(Connection &db) : db_(db) {}
  SearchRows(const SearchRows &) = delete;
  SearchRows &operator=(const SearchRows &) = delete;

  // Before the folder's spec row is rewritten or deleted: its indexed values, to delete.
  void forget(const std::string &project, const std::string &path) {
    forget_.reset();
    forget_.bind(1, project);
    forget_.bindNoCopy(2, path);
    forget_.exec();
  }
  // After the folder's spec row is written: its row, to index.
  void written(const std::string &project, const std::string &path) {
    written_.reset();
    written_.bind(1, project);
    written_.bindNoCopy(2, path);
    written_.exec();
  }
  // Changes the index; call once, last, in the transaction.
  void write() {
    db_.exec("INSERT INTO spec_search (spec_search, rowid, title, tags, id, search_terms) "
             "SELECT 'delete', seq, title, tags, id, search_terms FROM temp.search_forgotten");
    db_.exec("INSERT INTO spec_search (rowid, title, tags, id, search_terms) "
             "SELECT s.seq, s.title, s.tags, s.id, s.search_terms "
             "FROM temp.search_written w JOIN specs s ON s.seq = w.seq");
    db_.exec("DELETE FROM temp.search_forgotten");
    db_.exec("DELETE FROM temp.search_written");
  }

private:
  static bool create_tables(Connection &db) { // once per connection; before the statements
    db.exec("CREATE TEMP TABLE IF NOT EXISTS search_forgotten "
            "(seq INTEGER PRIMARY KEY, title, tags, id, search_terms)");
    db.exec("CREATE TEMP TABLE IF NOT EXISTS search_written (seq INTEGER PRIMARY KEY)");
    return true;
  }

  Connection &db_;
  bool tables_ = create_tables(db_);
  SQLite::Statement forget_{db_, "INSERT INTO temp.search_forgotten "
                                 "SELECT seq, title, tags, id, search_terms FROM specs "
                                 "WHERE project_id = ? AND path = ?"};
  SQLite::Statement written_{db_, "INSERT INTO temp.search_written "
                                  "SELECT seq FROM specs WHERE project_id = ? AND path = ?"};
};

} // namespace leanspec::detail::sqlite
