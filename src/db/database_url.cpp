// Implements src/db/database_url.hpp.
#include "db/database_url.hpp"

#include <algorithm>
#include <cctype>
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

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// A key whose value is a secret: password, sslpassword (any case).
bool is_secret_key(std::string_view key) noexcept {
  return key.size() >= 8 && starts_with_icase(key.substr(key.size() - 8), "password");
}

// Where a URL's user info ends (its '@'), if any: the last '@' after the scheme. `ambiguous`:
// libpq, which ends the user info at the first '@' before the first '/', would read another
// one (a raw '@' or '/' in the password).
struct UserInfo {
  std::size_t begin = 0, at = std::string_view::npos;
  bool ambiguous = false;
};

UserInfo user_info(std::string_view url) {
  UserInfo out;
  const std::size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos)
    return out;
  out.begin = scheme_end + 3;
  const std::size_t last = url.rfind('@');
  if (last == std::string_view::npos || last < out.begin)
    return out;
  out.at = last;
  const std::size_t first = url.find('@', out.begin);
  const std::size_t slash = url.find('/', out.begin);
  out.ambiguous = first != last || slash < last;
  return out;
}

// The [begin, end) ranges of the password in `url`: in the user info (generously: from the
// first ':' of the user info to its last '@') and in `password=`/`sslpassword=` query
// parameters after it.
std::vector<std::pair<std::size_t, std::size_t>> password_ranges(std::string_view url) {
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  const UserInfo info = user_info(url);
  if (info.begin == 0)
    return ranges;
  std::size_t host = info.begin;
  if (info.at != std::string_view::npos) {
    if (const std::size_t colon = url.find(':', info.begin); colon < info.at)
      ranges.emplace_back(colon + 1, info.at);
    host = info.at + 1;
  }
  const std::size_t query = url.find('?', host);
  if (query != std::string_view::npos) {
    std::size_t p = query + 1;
    while (p < url.size()) {
      std::size_t end = url.find('&', p);
      if (end == std::string_view::npos)
        end = url.size();
      const std::string_view param = url.substr(p, end - p);
      if (const std::size_t eq = param.find('=');
          eq != std::string_view::npos && is_secret_key(param.substr(0, eq)))
        ranges.emplace_back(p + eq + 1, end);
      p = end + 1;
    }
  }
  return ranges;
}

// A libpq connection string ("host=db user=app password='x y' dbname=specs"), parsed as libpq
// does: `key = value` pairs separated by whitespace; a value is single-quoted (with \' and \\)
// or runs to the next whitespace (a backslash escapes the next character). Errors name no key
// or value: a password with a stray space would otherwise be shown in part.
struct KeywordString {
  std::string description; // the pairs again, each secret as ***
  std::vector<std::string> secrets;
};

[[noreturn]] void refuse_keywords(const char *why) {
  throw Error(ErrorCode::config,
              std::string("database URL holds '=' but is not a valid PostgreSQL connection "
                          "string (key=value pairs): ") +
                  why +
                  "; a SQLite file whose name holds '=' is written sqlite:PATH (the text is not "
                  "shown: it may hold a password)");
}

KeywordString parse_keyword_string(std::string_view text) {
  KeywordString out;
  std::size_t i = 0;
  const auto skip_space = [&] {
    while (i < text.size() && is_space(text[i]))
      ++i;
  };
  for (skip_space(); i < text.size(); skip_space()) {
    const std::size_t key_begin = i;
    while (i < text.size() && !is_space(text[i]) && text[i] != '=')
      ++i;
    const std::string_view key = text.substr(key_begin, i - key_begin);
    skip_space();
    if (key.empty() || i == text.size() || text[i] != '=')
      refuse_keywords("a key without '=' and a value");
    ++i;
    skip_space();
    const std::size_t raw_begin = i;
    std::string value;
    if (i < text.size() && text[i] == '\'') {
      for (++i;; ++i) {
        if (i == text.size())
          refuse_keywords("a quoted value without its closing quote");
        if (text[i] == '\'')
          break;
        if (text[i] == '\\' && i + 1 < text.size())
          ++i;
        value += text[i];
      }
      ++i;
    } else {
      for (; i < text.size() && !is_space(text[i]); ++i) {
        if (text[i] == '\\' && i + 1 < text.size())
          ++i;
        value += text[i];
      }
    }
    const std::string_view raw = text.substr(raw_begin, i - raw_begin);
    if (!out.description.empty())
      out.description += ' ';
    out.description += key;
    out.description += '=';
    if (is_secret_key(key)) {
      out.description += "***";
      out.secrets.emplace_back(raw);
      out.secrets.push_back(std::move(value));
    } else if (value.find("://") != std::string::npos) { // dbname='postgres://u:pw@h/db'
      out.description += redact_url(raw);
      for (const auto &[begin, end] : password_ranges(value)) {
        out.secrets.push_back(value.substr(begin, end - begin));
        out.secrets.push_back(percent_decode(out.secrets.back()));
      }
    } else {
      out.description += raw;
    }
  }
  if (out.description.empty())
    refuse_keywords("no key=value pair");
  return out;
}

// Whether `url` (no scheme) reads as a libpq connection string: it starts with a word and '='.
bool looks_like_keywords(std::string_view url) noexcept {
  std::size_t i = 0;
  while (i < url.size() && is_space(url[i]))
    ++i;
  const std::size_t key = i;
  while (i < url.size() && (std::isalnum(static_cast<unsigned char>(url[i])) || url[i] == '_'))
    ++i;
  if (i == key)
    return false;
  while (i < url.size() && is_space(url[i]))
    ++i;
  return i < url.size() && url[i] == '=';
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
    if (user_info(url).ambiguous)
      throw Error(ErrorCode::config,
                  "PostgreSQL URL '" + redact_url(url) +
                      "' holds a raw '@' or '/' in its user name or password: percent-encode "
                      "them (%40, %2F)");
    out.kind = DatabaseUrl::Kind::postgres;
    out.target = std::string(url);
    out.description = redact_url(url);
    for (const auto &[begin, end] : password_ranges(url)) {
      out.secrets.emplace_back(url.substr(begin, end - begin));
      out.secrets.push_back(percent_decode(out.secrets.back()));
    }
    return out;
  }
  const bool sqlite_scheme = starts_with_icase(url, "sqlite:");
  if (!sqlite_scheme && (looks_like_keywords(url) || (url.find("://") == std::string_view::npos &&
                                                      url.find('=') != std::string_view::npos))) {
    // Never a file name: a libpq connection string is PostgreSQL; anything else with '='
    // is refused (sqlite:PATH names a file whose name holds one).
    if (!looks_like_keywords(url))
      refuse_keywords("it does not start with a key");
    KeywordString keywords = parse_keyword_string(url);
    out.kind = DatabaseUrl::Kind::postgres;
    out.target = std::string(url);
    out.description = std::move(keywords.description);
    out.secrets = std::move(keywords.secrets);
    return out;
  }
  std::string path;
  if (url.empty()) {
    path = default_sqlite_path();
  } else if (sqlite_scheme) {
    std::string_view rest = url.substr(7);
    if (rest.starts_with("//")) // sqlite:///abs/x.db (empty authority), sqlite://rel.db
      rest.remove_prefix(2);
    path = percent_decode(rest);
  } else if (const std::size_t colon = url.find("://"); colon != std::string_view::npos) {
    const std::string_view scheme = url.substr(0, colon);
    const bool plain = std::all_of(scheme.begin(), scheme.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
    });
    throw Error(ErrorCode::config,
                (plain ? "unsupported database URL scheme '" + std::string(scheme) + "' in '" +
                             redact_url(url) + "'"
                       : std::string("unsupported database URL (not shown)")) +
                    ": use a file path, sqlite:PATH, postgres:// or postgresql://");
  } else {
    path = std::string(url);
  }
  if (path.empty() || path == ":memory:" || path.starts_with("file:"))
    throw Error(ErrorCode::config, "database URL '" + redact_url(url) +
                                       "' names no file: give a SQLite file path (in-memory "
                                       "and URI-form SQLite databases are not supported)");
  out.kind = DatabaseUrl::Kind::sqlite;
  out.target = path;
  out.description = path;
  return out;
}

} // namespace leanspec::detail
