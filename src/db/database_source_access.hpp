#pragma once
// Internal: the GitHub sync's access to a DatabaseSource (src/db/database_source.cpp): the
// store it owns, shared so the sync uses the same connection pool, and a way to make the
// source re-read a project it has just written. Each source enters itself in a registry here
// when constructed and leaves it when destroyed, so the public header names no internal type
// (no friend). Thread-safe, as the source.

#include <cstddef>
#include <functional>
#include <leanspec/database_source.hpp>
#include <string_view>

namespace leanspec::detail {

class Store;

struct DatabaseSourceAccess {
  /// The source's store; lives as long as the source.
  static Store &store(const DatabaseSource &source);
  /// The next read of the project goes to the store (its stored version is checked at once).
  static void invalidate(const DatabaseSource &source, std::string_view project_id);

  /// The bytes of the snapshots the source keeps (hot projects), as its budget counts them
  /// (DatabaseOptions::cache_bytes). For tests and counters.
  static std::size_t kept_bytes(const DatabaseSource &source);

  /// What a source registers: its store, how to mark a project's snapshot stale, and its kept
  /// bytes.
  struct Entry {
    Store *store = nullptr;
    std::function<void(std::string_view project_id)> invalidate;
    std::function<std::size_t()> kept_bytes;
  };
  /// Called by DatabaseSource's constructor and destructor only.
  static void enter(const DatabaseSource &source, Entry entry);
  static void leave(const DatabaseSource &source) noexcept;
};

} // namespace leanspec::detail
