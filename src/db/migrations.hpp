#pragma once
// Internal: the store's schema as an ordered list of forward-only migrations, one SQL script
// per backend each (migrations.cpp). Version N is the N-th entry; a database records the
// versions applied in its `schema_migrations` table. Never edit a released migration: append.

#include <span>

namespace leanspec::detail {

struct Migration {
  int version;
  const char *name;
  const char *sqlite;   ///< script for SQLite (run with sqlite3_exec)
  const char *postgres; ///< script for PostgreSQL (run with PQexec: no parameters)
};

/// Every migration, by version (1, 2, ...).
std::span<const Migration> migrations() noexcept;

/// Creates `schema_migrations` when missing (run before reading the version).
extern const char *const sqlite_bootstrap;
extern const char *const postgres_bootstrap;

} // namespace leanspec::detail
