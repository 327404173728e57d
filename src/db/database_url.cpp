// Implements src/db/database_url.hpp.
#include "db/database_url.hpp"

#include <cstdlib>
#include <leanspec/error.hpp>

namespace leanspec::detail {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      const int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

bool starts_with_icase(std::string_view s, std::string_view prefix) noexcept {
  if (s.size() < prefix.size())
    return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i])
      return false;
  }
  return true;
}

// The [begin, end) ranges of the password in `url`: in the user info and in `password=`
// query parameters.
std::vector<std::pair<std::size_t, std::size_t>> password_ranges(std::string_view url) {
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos)
    return ranges;
  const std::size_t authority = scheme_end + 3;
  std::size_t authority_end = url.find_first_of("/?", authority);
  if (authority_end == std::string_view::npos)
    authority_end = url.size();
  const std::size_t at = url.rfind('@', authority_end - 1);
  if (at != std::string_view::npos && at >= authority) {
    const std::size_t colon = url.find(':', authority);
    if (colon < at)
      ranges.emplace_back(colon + 1, at);
  }
  const std::size_t query = url.find('?', authority);
  if (query != std::string_view::npos) {
    std::size_t p = query + 1;
    while (p < url.size()) {
      std::size_t end = url.find('&', p);
      if (end == std::string_view::npos)
        end = url.size();
      const std::string_view param = url.substr(p, end - p);
      if (starts_with_icase(param, "password="))
        ranges.emplace_back(p + 9, end);
      p = end + 1;
    }
  }
  return ranges;
}

} // namespace

std::string redact_url(std::string_view url) {
  std::string out;
  std::size_t at = 0;
  for (const auto &[begin, end] : password_ranges(url)) {
    out.append(url.substr(at, begin - at));
    out += "***";
    at = end;
  }
  out.append(url.substr(at));
  return out;
}

std::string scrub(std::string message, const std::vector<std::string> &secrets) {
  for (const auto &secret : secrets) {
    if (secret.empty())
      continue;
    for (std::size_t p; (p = message.find(secret)) != std::string::npos;)
      message.replace(p, secret.size(), "***");
  }
  return message;
}

std::string default_sqlite_path() {
  if (const char *xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg == '/')
    return std::string(xdg) + "/leanspec/leanspec.db";
  if (const char *home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.local/share/leanspec/leanspec.db";
  throw Error(ErrorCode::io, "no default database location: neither XDG_DATA_HOME nor HOME is "
                             "set; give DATABASE_URL");
}

DatabaseUrl parse_database_url(std::string_view url) {
  DatabaseUrl out;
  if (starts_with_icase(url, "postgres://") || starts_with_icase(url, "postgresql://")) {
    out.kind = DatabaseUrl::Kind::postgres;
    out.target = std::string(url);
    out.description = redact_url(url);
    for (const auto &[begin, end] : password_ranges(url)) {
      out.secrets.emplace_back(url.substr(begin, end - begin));
      out.secrets.push_back(percent_decode(out.secrets.back()));
    }
    return out;
  }
  std::string path;
  if (url.empty()) {
    path = default_sqlite_path();
  } else if (starts_with_icase(url, "sqlite:")) {
    std::string_view rest = url.substr(7);
    if (rest.starts_with("//")) // sqlite:///abs/x.db (empty authority), sqlite://rel.db
      rest.remove_prefix(2);
    path = percent_decode(rest);
  } else if (const std::size_t colon = url.find("://"); colon != std::string_view::npos) {
    throw Error(ErrorCode::config,
                "unsupported database URL scheme '" + std::string(url.substr(0, colon)) + "' in '" +
                    redact_url(url) +
                    "': use a file path, sqlite:PATH, postgres:// or postgresql://");
  } else {
    path = std::string(url);
  }
  if (path.empty() || path == ":memory:" || path.starts_with("file:"))
    throw Error(ErrorCode::config, "database URL '" + std::string(url) +
                                       "' names no file: give a SQLite file path (in-memory "
                                       "and URI-form SQLite databases are not supported)");
  out.kind = DatabaseUrl::Kind::sqlite;
  out.target = path;
  out.description = path;
  return out;
}

} // namespace leanspec::detail
