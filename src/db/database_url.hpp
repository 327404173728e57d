#pragma once
// Internal: reading a DATABASE_URL (which backend, which file or server) and redacting its
// password for messages. Implemented in database_url.cpp. Thread-safe (pure functions).

#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail {

struct DatabaseUrl {
  enum class Kind { sqlite, postgres };
  Kind kind = Kind::sqlite;
  std::string target;      ///< SQLite: the file path; PostgreSQL: the URL as given (for libpq)
  std::string description; ///< for messages: the file path, or the URL with its password as ***
  std::vector<std::string> secrets; ///< the password as written and decoded: scrubbed from
                                    ///< any message a driver returns
};

/// Reads a database URL (the forms Store::open documents); "" is the default SQLite file.
/// @throws leanspec::Error config for an unknown scheme or an in-memory SQLite database
/// @throws leanspec::Error io when "" is given and neither XDG_DATA_HOME nor HOME is set
DatabaseUrl parse_database_url(std::string_view url);

/// The default SQLite file: $XDG_DATA_HOME/leanspec/leanspec.db, else
/// $HOME/.local/share/leanspec/leanspec.db. @throws leanspec::Error io when neither is set
std::string default_sqlite_path();

/// `url` with the password of its user info and any `password=` query parameter as "***".
std::string redact_url(std::string_view url);

/// `message` with every occurrence of each non-empty secret replaced by "***".
std::string scrub(std::string message, const std::vector<std::string> &secrets);

} // namespace leanspec::detail
