#pragma once
// Internal: the GitHub sync's access to a DatabaseSource (src/db/database_source.cpp): the
// store it owns, shared so the sync uses the same connection pool, and a way to make the
// source re-read a project it has just written. Thread-safe, as the source.

#include <leanspec/database_source.hpp>
#include <string_view>

namespace leanspec::detail {

class Store;

struct DatabaseSourceAccess {
  /// The source's store; lives as long as the source.
  static Store &store(const DatabaseSource &source);
  /// The next read of the project goes to the store (its stored version is checked at once).
  static void invalidate(const DatabaseSource &source, std::string_view project_id);
};

} // namespace leanspec::detail
