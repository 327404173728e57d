#pragma once
// Internal: reading a DATABASE_URL (which backend, which file or server) and redacting its
// password for messages. Implemented in database_url.cpp. Thread-safe (pure functions).

#include "core/scrub.hpp" // scrub(): DatabaseUrl::secrets out of a driver's message

#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail {

struct DatabaseUrl {
  enum class Kind { sqlite, postgres };
  Kind kind = Kind::sqlite;
  /// SQLite: the file path; PostgreSQL: the URL or connection string as given (for libpq)
  std::string target;
  /// For messages: the file path, or the URL or connection string with its passwords as ***
  std::string description;
  std::vector<std::string> secrets; ///< the password as written and decoded: scrubbed from
                                    ///< any message a driver returns
};

/// Reads a database URL (the forms Store::open documents); "" is the default SQLite file. A
/// libpq connection string ("host=db user=app password=x dbname=specs") is PostgreSQL; any
/// other text holding '=' is refused, never taken as a file name (sqlite:PATH is). No error
/// shows a password: a malformed connection string is not shown at all.
/// @throws leanspec::Error config for an unknown scheme, an in-memory SQLite database, a
///         malformed connection string, or a PostgreSQL URL whose user info holds a raw '@' or
///         '/' (which libpq would split elsewhere)
/// @throws leanspec::Error io when "" is given and neither XDG_DATA_HOME nor HOME is set
DatabaseUrl parse_database_url(std::string_view url);

/// The default SQLite file: $XDG_DATA_HOME/leanspec/leanspec.db, else
/// $HOME/.local/share/leanspec/leanspec.db. @throws leanspec::Error io when neither is set
std::string default_sqlite_path();

/// `url` with the password of its user info (from its first ':' to its last '@') and any
/// `password=` or `sslpassword=` query parameter as "***".
std::string redact_url(std::string_view url);

} // namespace leanspec::detail
