// Implements src/github/github_url.hpp with curl's URL API (curl_url_*).
#include "github/github_url.hpp"

#include "github/http_text.hpp"

#include <curl/curl.h>
#include <iterator>
#include <memory>
#include <new>
#include <string_view>

namespace leanspec::detail {

namespace {

struct UrlDeleter {
  void operator()(CURLU *url) const noexcept { curl_url_cleanup(url); }
};
struct CurlStringDeleter {
  void operator()(char *text) const noexcept { curl_free(text); }
};
using UrlPtr = std::unique_ptr<CURLU, UrlDeleter>;
using CurlString = std::unique_ptr<char, CurlStringDeleter>;

std::optional<std::string> url_part(CURLU *url, CURLUPart part, unsigned flags = 0) {
  char *raw = nullptr;
  if (curl_url_get(url, part, &raw, flags) != CURLUE_OK || raw == nullptr)
    return std::nullopt;
  const CurlString owned(raw);
  return std::string(raw);
}

} // namespace

std::optional<ParsedUrl> parse_url(const std::string &text) {
  if (text.find("://") == std::string::npos)
    return std::nullopt; // curl would guess a scheme
  const UrlPtr url(curl_url());
  if (!url)
    throw std::bad_alloc();
  if (curl_url_set(url.get(), CURLUPART_URL, text.c_str(), 0) != CURLUE_OK)
    return std::nullopt;
  auto scheme = url_part(url.get(), CURLUPART_SCHEME);
  auto host = url_part(url.get(), CURLUPART_HOST);
  auto port = url_part(url.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
  if (!scheme || !host || host->empty() || !port)
    return std::nullopt;
  ParsedUrl parsed;
  parsed.origin = {lower(*scheme), lower(*host), *port};
  if (parsed.origin.scheme != "http" && parsed.origin.scheme != "https")
    return std::nullopt;
  parsed.path = url_part(url.get(), CURLUPART_PATH).value_or("/");
  parsed.query = url_part(url.get(), CURLUPART_QUERY).value_or("");
  parsed.has_credentials = url_part(url.get(), CURLUPART_USER).has_value() ||
                           url_part(url.get(), CURLUPART_PASSWORD).has_value();
  parsed.has_fragment = url_part(url.get(), CURLUPART_FRAGMENT).has_value();
  return parsed;
}

std::string shown_url(const ParsedUrl &url) {
  std::string shown = url.origin.scheme + "://" + url.origin.host;
  const bool default_port = (url.origin.scheme == "http" && url.origin.port == "80") ||
                            (url.origin.scheme == "https" && url.origin.port == "443");
  if (!default_port)
    shown += ":" + url.origin.port;
  shown += url.path;
  static constexpr std::string_view safe[] = {"recursive", "ref",  "per_page", "page",
                                              "path",      "sha",  "since",    "until",
                                              "state",     "sort", "direction"};
  char separator = '?';
  std::string_view rest = url.query;
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    const std::string_view name = pair.substr(0, pair.find('='));
    shown += separator;
    separator = '&';
    if (std::find(std::begin(safe), std::end(safe), name) != std::end(safe))
      shown += pair;
    else
      shown += std::string(name) + "=[redacted]";
  }
  return shown;
}

} // namespace leanspec::detail
