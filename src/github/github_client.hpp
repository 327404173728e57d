#pragma once
// Internal: GithubClient, the HTTP side of the GitHub sync (src/github/syncer.hpp sits on top).
// GitHub REST requests over libcurl's multi interface: many in flight on reused connections,
// at most `max_concurrency` at once, connect and total timeouts, redirects followed (archive
// downloads redirect to another host), the token sent only to the API's own host (never across
// a redirect elsewhere) and never written into an error. Every response's rate-limit headers
// are read; 5xx, timeouts and connection failures are retried a bounded number of times with
// exponential backoff and full jitter; a rate-limited response (429, or 403 for a primary or
// secondary limit) stops the batch instead of retrying. Single-thread: one client per sync
// (or per scheduler worker); separate clients may run on separate threads.
//
//   GithubClient client({.api_url = "http://127.0.0.1:8081", .token = token});
//   auto head = client.fetch({.path = "/repos/acme/web/commits/main",
//                             .accept = "application/vnd.github.sha",
//                             .if_none_match = stored_etag});
//   if (head.status == 304) ...                           // unchanged, cost no rate limit
//   auto blobs = client.fetch_all(requests);              // same order as `requests`

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail {

class RateBudget;
class Credential; // src/github/credential.hpp

struct GithubClientOptions {
  /// The REST API root (`GITHUB_API_URL`): https://api.github.com, a GitHub Enterprise
  /// `https://host/api/v3`, or a test server `http://127.0.0.1:PORT`. No trailing slash needed.
  std::string api_url = "https://api.github.com";
  /// `GITHUB_TOKEN`; empty: anonymous (60 requests an hour). Sent as `Authorization: Bearer`
  /// only to api_url's scheme, host and port.
  std::string token;
  /// Where each request's token comes from instead of `token` (which must then be empty): asked
  /// before every attempt sent to api_url's origin (a GitHub App's installation token, its
  /// JWT). A 401 from api_url's origin to a token it gave is reported to it (rejected()), and,
  /// when it says another token may work, the request is sent once more with a new one. Every
  /// token it gives is redacted from errors as `token` is. Unset: `token`, fixed.
  std::shared_ptr<Credential> credential;
  unsigned max_concurrency = 8; ///< requests in flight at once (GitHub's secondary limits)
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds request_timeout{60'000}; ///< total time of one attempt
  unsigned max_redirects = 5; ///< redirects followed per request, to http(s) URLs only
  unsigned max_retries = 3;   ///< extra attempts for a 5xx, a timeout or a connection failure
  std::chrono::milliseconds retry_base{500}; ///< backoff: random in [0, base * 2^attempt)
  /// Seeds the backoff's draws (std::mt19937_64, std::uniform_int_distribution); 0: from
  /// std::random_device. Tests fix it to make the order of retries reproducible.
  std::uint64_t jitter_seed = 0;
  std::size_t max_body_size = 512u << 20; ///< a larger response body fails that request
  /// When every request of this client must have ended (a sync's deadline): an attempt's
  /// timeout is cut to it, an attempt it cuts short is not retried ("...: stopped at the
  /// deadline"), and a request or retry due after it is not sent ("...: not sent: deadline
  /// passed"). max(): none.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  std::string user_agent; ///< empty: "libleanspec/<version>"
  /// The credential's rate budget (src/github/rate_budget.hpp), shared with every client that
  /// sends the same credential; null: none. Each attempt waits for its slot and points (within
  /// the deadline); while the budget is paused a request is not sent and its response is
  /// rate-limited (budget_paused_until), which stops the batch like GitHub's own limit.
  std::shared_ptr<RateBudget> budget;
  /// Set (true) by another thread to stop a batch waiting for the budget ("not sent:
  /// cancelled"). Null: never.
  const std::atomic<bool> *cancel = nullptr;
};

struct GithubRequest {
  /// A path under api_url ("/repos/o/r/git/trees/SHA?recursive=1"), or an absolute URL (the
  /// token goes with it only if it is on api_url's scheme, host and port). Percent-encoded: a
  /// space or other character not allowed in a URL makes the request fail unsent.
  std::string path;
  std::string accept = "application/vnd.github+json";
  std::string if_none_match; ///< an ETag from an earlier response; a 304 answers "unchanged"
  /// Extra attempts for this request; unset: the client's max_retries. An expensive request
  /// with a cheaper fallback (the tarball) takes 0.
  std::optional<unsigned> max_retries = std::nullopt;
  /// GET, POST or PATCH. A POST or PATCH sends `body` (JSON text, `Content-Type:
  /// application/json`); GitHub's Git Data writes are idempotent, so a 5xx is retried as a GET.
  std::string method = "GET";
  std::string body;
};

/// GitHub's rate-limit headers as one response gave them (-1 / 0 when absent).
struct RateLimit {
  int limit = -1;
  int remaining = -1;
  std::int64_t reset_at = 0; ///< unix seconds (`X-RateLimit-Reset`)
};

struct GithubResponse {
  long status = 0;  ///< the final HTTP status; 0 when no response came (see `error`)
  std::string body; ///< bytes as received (an archive stays compressed)
  std::string etag; ///< the `ETag` header, if any
  RateLimit rate_limit;
  /// `Retry-After` (delta seconds, or an HTTP date turned into seconds from receipt); -1 when
  /// absent.
  std::chrono::seconds retry_after{-1};
  int attempts = 0; ///< requests this response took, retries included
  /// Empty when an HTTP answer came that the caller should read (any status, 4xx included);
  /// else why not, naming the method and URL (query secrets and any token redacted):
  /// "GET <url>: timeout (<curl's detail>) after 4 attempts", "...: <curl's message, e.g.
  /// Failed to connect ...>", "...: HTTP 502 after 4 attempts" (status keeps the 502),
  /// "...: body larger than max_body_size (N bytes)", "...: not sent: rate limited",
  /// "...: not sent: cancelled", "...: stopped at the deadline", "...: not sent: deadline
  /// passed".
  std::string error;
  /// Unix ms: the request was not sent because the credential's rate budget is paused until
  /// then (error says so); is_rate_limited() is true and retry_at() gives that time. 0: sent.
  std::int64_t budget_paused_until = 0;

  /// Not sent for a paused budget; 429, or a 403 that is a primary limit (`X-RateLimit-Remaining:
  /// 0`) or a secondary one (its body's message says "secondary rate limit", possibly with no
  /// rate-limit headers).
  bool is_rate_limited() const noexcept;
  /// When a rate-limited caller may try again: `Retry-After` if given, else the reset time if
  /// remaining is 0, else (a secondary limit without either) one minute from now. Unix seconds.
  std::int64_t retry_at(std::int64_t now_unix_s) const noexcept;
};

/// Totals over a client's life, for the sync-run record.
struct GithubCounters {
  std::uint64_t requests = 0;     ///< HTTP requests sent: every attempt and every redirect hop
  std::uint64_t retries = 0;      ///< of which were retries after a 5xx or a transport failure
  std::uint64_t not_modified = 0; ///< responses answered 304
  std::uint64_t rate_limited = 0; ///< responses that were rate-limited (is_rate_limited())
  std::uint64_t bytes = 0;        ///< response body bytes received (after content decoding)
  RateLimit last_rate_limit;      ///< from the newest response that carried the headers
};

/// `token` (GITHUB_TOKEN) ready to send: surrounding whitespace (a pasted newline) removed.
/// @throws leanspec::Error config when what remains holds a control character or a space (it
///         would add headers to a request); the message never shows the token
std::string checked_token(std::string_view token);

class GithubClient {
public:
  /// The token is checked_token(options.token); without a credential, one giving that token.
  /// @throws leanspec::Error config for an api_url that is not http(s)://host[:port][/path], or
  ///         a token checked_token() refuses, or both a token and a credential
  explicit GithubClient(GithubClientOptions options);
  ~GithubClient();
  GithubClient(const GithubClient &) = delete;
  GithubClient &operator=(const GithubClient &) = delete;

  /// Performs every request, at most max_concurrency at once, and returns the responses in the
  /// order of `requests`. A rate-limited response stops the batch: requests not yet started,
  /// and retries still waiting, are not sent (status 0, error "...: not sent: rate limited");
  /// those already in flight finish. The batch's rate-limited response itself is returned as
  /// received (error empty, is_rate_limited() true). `progress` (optional) is called on this
  /// thread after each request completes with (done, total), until the batch stops (rate limit
  /// or cancel); returning false cancels the rest ("not sent: cancelled"; those in flight are
  /// abandoned: "cancelled"). An exception from `progress` propagates after the transfers in
  /// flight are abandoned. Never throws for HTTP or transport failures: they are in the
  /// responses.
  /// @throws leanspec::Error internal when libcurl's multi interface itself fails; what the
  ///         credential throws when it has no token to give (after the transfers in flight
  ///         are abandoned)
  std::vector<GithubResponse>
  fetch_all(const std::vector<GithubRequest> &requests,
            const std::function<bool(std::size_t done, std::size_t total)> &progress = {});
  /// One request (fetch_all of one).
  GithubResponse fetch(const GithubRequest &request);

  GithubCounters counters() const noexcept;
  const GithubClientOptions &options() const noexcept;

private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

} // namespace leanspec::detail
