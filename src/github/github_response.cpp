// Implements GithubResponse of src/github/github_client.hpp: what an answer says about
// GitHub's rate limits (primary: X-RateLimit-Remaining 0; secondary: the message says so).
#include "github/github_client.hpp"
#include "github/http_text.hpp"

#include <simdjson.h>

namespace leanspec::detail {

namespace {

bool mentions_secondary_limit(std::string_view body) {
  constexpr std::size_t max_json = 64u << 10;
  std::string message;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view text;
  if (body.size() <= max_json && !parser.parse(body.data(), body.size()).get(root) &&
      !root["message"].get(text))
    message = lower(text);
  else
    message = lower(body.substr(0, max_json));
  return message.find("secondary rate limit") != std::string::npos ||
         message.find("abuse detection") != std::string::npos;
}

} // namespace

bool GithubResponse::is_rate_limited() const noexcept {
  if (budget_paused_until > 0 || status == 429)
    return true;
  if (status != 403)
    return false;
  if (rate_limit.remaining == 0)
    return true;
  try {
    return mentions_secondary_limit(body);
  } catch (...) {
    return false;
  }
}

std::int64_t GithubResponse::retry_at(std::int64_t now_unix_s) const noexcept {
  if (budget_paused_until > 0)
    return std::max((budget_paused_until + 999) / 1000, now_unix_s);
  if (retry_after.count() >= 0)
    return now_unix_s + retry_after.count();
  if (rate_limit.remaining == 0 && rate_limit.reset_at > 0)
    return std::max(rate_limit.reset_at, now_unix_s);
  return now_unix_s + 60;
}

} // namespace leanspec::detail
