// libFuzzer target: database URLs and libpq connection strings (src/db/database_url.hpp).
// The input is three lines: a password, a user part and the rest. Each is put into URL and
// connection-string forms around a password whose every character is followed by a marker
// byte (\x01, %01 in a URL), which is removed from the other parts. Properties: parsing throws
// nothing but leanspec::Error; no error message, description or redact_url() output holds the
// marker (two characters of the password in a row); scrub() with the parsed secrets removes
// the password from a driver's message; text holding '=' is never a SQLite file unless written
// sqlite:PATH.
// Seeds: corpus/database_url. Replayed under gcc by replay_main.cpp (ctest -L fuzz-replay).

#include "db/database_url.hpp"
#include "fuzz_check.hpp"

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <leanspec/error.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace {

using namespace leanspec::detail;

std::string without_marker_once(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x01')
      continue;
    if (text[i] == '%' && i + 2 < text.size() && text[i + 1] == '0' && text[i + 2] == '1') {
      i += 2;
      continue;
    }
    out += text[i];
  }
  return out;
}

// Until none is left: removing one "%01" can join its neighbours into another ("%%0101").
std::string without_marker(std::string_view text) {
  std::string out(text);
  for (std::string next = without_marker_once(out); next != out; next = without_marker_once(out))
    out = std::move(next);
  return out;
}

bool leaks(std::string_view text) {
  return text.find('\x01') != std::string_view::npos || text.find("%01") != std::string_view::npos;
}

// The password in a URL: unreserved characters as they are, the rest percent-encoded.
std::string url_password(std::string_view password) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out = "%01";
  for (const char c : password) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
    out += "%01";
  }
  return out;
}

// The password as a connection string value: quoted with \' and \\ when `quoted`, else with
// the characters an unquoted value cannot hold dropped.
std::string keyword_password(std::string_view password, bool quoted) {
  std::string out = quoted ? "'\x01" : "\x01";
  for (const char c : password) {
    if (quoted && (c == '\'' || c == '\\'))
      out += '\\';
    else if (!quoted && (c == '\'' || c == '\\' || c == ' ' || (c >= '\t' && c <= '\r')))
      continue;
    out += c;
    out += '\x01';
  }
  return quoted ? out + "'" : out;
}

enum class Form { url, keywords, none };

void check(const std::string &url, Form form) {
  const bool has_password = form != Form::none;
  DatabaseUrl parsed;
  try {
    parsed = parse_database_url(url);
  } catch (const leanspec::Error &e) {
    if (has_password && leaks(e.what()))
      leanspec::fuzz::fail("an error message shows the password", e.what());
    return;
  }
  if (parsed.kind == DatabaseUrl::Kind::sqlite) {
    // URL schemes are case-insensitive (RFC 3986): "SQLite:" is written as sqlite too.
    std::string scheme = url.substr(0, 7);
    for (char &c : scheme)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool written_as_sqlite = scheme == "sqlite:";
    if (url.find('=') != std::string::npos && !written_as_sqlite)
      leanspec::fuzz::fail("text holding '=' was taken as a SQLite file", url);
    return;
  }
  if (!has_password)
    return;
  if (leaks(parsed.description))
    leanspec::fuzz::fail("the description shows the password", parsed.description);
  if (form == Form::url && leaks(redact_url(url)))
    leanspec::fuzz::fail("redact_url shows the password", redact_url(url));
  const std::string message = scrub("driver: " + url + " failed", parsed.secrets);
  if (leaks(message))
    leanspec::fuzz::fail("scrub leaves the password in a driver's message", message);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char *>(data), size);
  try {
    (void)parse_database_url(input); // anything at all: only leanspec::Error
  } catch (const leanspec::Error &) {
  }
  (void)redact_url(input);

  const std::size_t first = input.find('\n');
  const std::size_t second = first == std::string_view::npos ? first : input.find('\n', first + 1);
  const std::string password = without_marker(input.substr(0, first));
  const std::string user = first == std::string_view::npos
                               ? ""
                               : without_marker(input.substr(first + 1, second - first - 1));
  const std::string rest =
      second == std::string_view::npos ? "" : without_marker(input.substr(second + 1));

  check("postgres://" + user + ":" + url_password(password) + "@" + rest, Form::url);
  check("postgresql://" + rest + "?sslmode=disable&password=" + url_password(password), Form::url);
  // Quotes and a trailing '=' in the user part would make the password another key's value.
  std::string words;
  for (const char c : user)
    if (c != '\'' && c != '\\')
      words += c;
  words = without_marker(words); // dropping a quote can join "%'01" into a marker
  check("host=h " + words + " k=v password=" + keyword_password(password, false) + " " + rest,
        Form::keywords);
  check("host=h password = " + keyword_password(password, true) + " " + rest, Form::keywords);
  check(user + "=" + rest, Form::none);
  return 0;
}
