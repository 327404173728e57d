// Implements GithubClient of src/github/github_client.hpp over libcurl's multi interface: one
// multi handle per client (its connection cache gives keep-alive and HTTP/2 reuse across
// batches), a pool of easy handles, and one loop that starts requests up to max_concurrency,
// keeps retries waiting in it with a due time, and stops a batch on a rate-limited response.
#include "github/github_client.hpp"

#include "core/unix_ms.hpp"
#include "github/credential.hpp"
#include "github/github_url.hpp"
#include "github/http_text.hpp"
#include "github/rate_budget.hpp"

#include <algorithm>
#include <ctime>
#include <curl/curl.h>
#include <deque>
#include <leanspec/error.hpp>
#include <leanspec/version.hpp>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>

namespace leanspec::detail {

namespace {

// ---- RAII for libcurl's handles ----------------------------------------------------------
struct EasyDeleter {
  void operator()(CURL *easy) const noexcept { curl_easy_cleanup(easy); }
};
struct MultiDeleter {
  void operator()(CURLM *multi) const noexcept { curl_multi_cleanup(multi); }
};
struct SlistDeleter {
  void operator()(curl_slist *list) const noexcept { curl_slist_free_all(list); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using MultiPtr = std::unique_ptr<CURLM, MultiDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

void global_init() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK)
    throw Error(ErrorCode::internal,
                std::string("libcurl failed to initialise: ") + curl_easy_strerror(result));
}

std::int64_t unix_now() noexcept { return static_cast<std::int64_t>(std::time(nullptr)); }

// ---- one transfer ----------------------------------------------------------------------------
// One attempt in flight; CURLOPT_PRIVATE and the callbacks' user data point at it.
struct Transfer {
  std::size_t job = 0;
  EasyPtr easy;
  SlistPtr headers;
  GithubResponse response;
  std::size_t max_body = 0;
  bool too_large = false;
  bool cut_by_deadline = false; // its timeout is the time left before the deadline
  bool budgeted = false;        // holds a slot of the rate budget until released
  std::string token;            // the credential's token sent with it (empty: none)
  char error_buffer[CURL_ERROR_SIZE] = {};
};

std::size_t on_body(char *data, std::size_t size, std::size_t count, void *user) noexcept {
  auto *t = static_cast<Transfer *>(user);
  const std::size_t n = size * count;
  if (t->response.body.size() + n > t->max_body) {
    t->too_large = true;
    return 0; // CURLE_WRITE_ERROR ends the transfer
  }
  try {
    t->response.body.append(data, n);
  } catch (...) {
    return 0;
  }
  return n;
}

// Called for every header line of every response of the transfer, redirects included. A
// status line starts a new response: what is kept describes the final one, except the
// rate-limit fields, which keep the last values any hop sent (a redirect's target, such as
// codeload, sends none).
std::size_t on_header(char *data, std::size_t size, std::size_t count, void *user) noexcept {
  auto *t = static_cast<Transfer *>(user);
  const std::size_t n = size * count;
  const std::string_view line(data, n);
  try {
    if (line.starts_with("HTTP/")) {
      t->response.etag.clear();
      t->response.retry_after = std::chrono::seconds(-1);
      return n;
    }
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos)
      return n;
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    RateLimit &rate = t->response.rate_limit;
    if (iequals(name, "etag")) {
      t->response.etag = std::string(value);
    } else if (iequals(name, "x-ratelimit-limit")) {
      rate.limit = parse_int<int>(value).value_or(rate.limit);
    } else if (iequals(name, "x-ratelimit-remaining")) {
      rate.remaining = parse_int<int>(value).value_or(rate.remaining);
    } else if (iequals(name, "x-ratelimit-reset")) {
      rate.reset_at = parse_int<std::int64_t>(value).value_or(rate.reset_at);
    } else if (iequals(name, "retry-after")) {
      if (const auto seconds = parse_int<std::int64_t>(value); seconds && *seconds >= 0) {
        t->response.retry_after = std::chrono::seconds(*seconds);
      } else {
        const std::string date(value); // an HTTP date
        if (const std::int64_t at = curl_getdate(date.c_str(), nullptr); at >= 0)
          t->response.retry_after =
              std::chrono::seconds(std::max<std::int64_t>(0, at - unix_now()));
      }
    }
  } catch (...) {
    return 0;
  }
  return n;
}

bool is_retryable(CURLcode code) noexcept {
  switch (code) {
  case CURLE_OPERATION_TIMEDOUT:
  case CURLE_COULDNT_CONNECT:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
  case CURLE_SSL_CONNECT_ERROR:
    return true;
  default:
    return false;
  }
}

std::string attempts_text(int attempts) {
  return std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts");
}

} // namespace

std::string checked_token(std::string_view token) {
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  while (!token.empty() && is_space(token.front()))
    token.remove_prefix(1);
  while (!token.empty() && is_space(token.back()))
    token.remove_suffix(1);
  for (const char c : token)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      throw Error(ErrorCode::config,
                  "GITHUB_TOKEN holds a space or control character inside it (" +
                      std::to_string(token.size()) +
                      " characters after trimming); give the token alone, on one line");
  return std::string(token);
}

// ---- GithubClient --------------------------------------------------------------------------
struct GithubClient::Impl {
  using Clock = std::chrono::steady_clock;

  // One request of a batch, across its attempts.
  struct Job {
    const GithubRequest *request = nullptr;
    std::string url, shown; // shown: for errors (no secrets)
    std::string method;     // "GET", "POST" or "PATCH"
    bool send_token = false;
    bool reauthorized = false; // sent again once with a new token after a 401
    Clock::time_point due{};   // of the next attempt, while waiting for a retry
  };

  GithubClientOptions options;
  Origin api_origin;
  std::string api_base; // api_url without a trailing slash
  std::string user_agent;
  MultiPtr multi;
  std::vector<EasyPtr> idle; // easy handles kept for reuse; declared after `multi`, so
                             // destroyed before it
  GithubCounters counters;
  std::mt19937_64 random;
  std::vector<std::string> sent_tokens; // every token the credential gave: redacted

  explicit Impl(GithubClientOptions o)
      : options(std::move(o)),
        random(options.jitter_seed ? options.jitter_seed : std::random_device{}()) {
    options.token = checked_token(options.token);
    if (options.credential && !options.token.empty())
      throw Error(ErrorCode::config, "GithubClient: a token and a credential given; one only");
    if (!options.credential)
      options.credential = std::make_shared<TokenCredential>(options.token);
    if (!options.token.empty())
      sent_tokens.push_back(options.token);
    global_init();
    const auto parsed = parse_url(options.api_url);
    if (!parsed || parsed->has_credentials || parsed->has_fragment || !parsed->query.empty())
      throw Error(ErrorCode::config,
                  "api_url (GITHUB_API_URL) must be http(s)://host[:port][/path] without "
                  "credentials, query or fragment; got " +
                      (parsed ? "'" + shown_url(*parsed) + "'" : std::string("an invalid URL")));
    if (options.max_concurrency == 0)
      throw Error(ErrorCode::config, "max_concurrency must be at least 1");
    api_origin = parsed->origin;
    api_base = options.api_url;
    while (api_base.ends_with('/'))
      api_base.pop_back();
    user_agent =
        options.user_agent.empty() ? std::string("libleanspec/") + version() : options.user_agent;
    multi.reset(curl_multi_init());
    if (!multi)
      throw Error(ErrorCode::internal, "curl_multi_init failed");
    const long limit = static_cast<long>(options.max_concurrency);
    curl_multi_setopt(multi.get(), CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    curl_multi_setopt(multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, limit);
    curl_multi_setopt(multi.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, limit);
    curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS, limit);
    curl_multi_setopt(multi.get(), CURLMOPT_MAX_CONCURRENT_STREAMS, limit);
  }

  Impl(const Impl &) = delete;
  Impl &operator=(const Impl &) = delete;

  std::string redact(std::string text) const {
    for (const std::string &token : sent_tokens)
      if (!token.empty())
        // On from after each replacement: a token may be a part of "[redacted]".
        for (std::size_t at = 0; (at = text.find(token, at)) != std::string::npos; at += 10)
          text.replace(at, token.size(), "[redacted]");
    return text;
  }

  // The credential's token for one attempt, remembered for redaction.
  std::string token_for_attempt() {
    std::string token = options.credential->token();
    if (!token.empty() &&
        std::find(sent_tokens.begin(), sent_tokens.end(), token) == sent_tokens.end())
      sent_tokens.push_back(token);
    return token;
  }

  Job make_job(const GithubRequest &request) const {
    Job job;
    job.request = &request;
    job.method = request.method == "POST" || request.method == "PATCH" ? request.method : "GET";
    const std::string &path = request.path;
    std::string url = path;
    if (!path.starts_with("http://") && !path.starts_with("https://"))
      url = api_base + (path.starts_with('/') ? "" : "/") + path;
    if (const auto parsed = parse_url(url)) {
      job.url = std::move(url);
      job.shown = shown_url(*parsed);
      job.send_token = parsed->origin == api_origin;
    } // else job.url stays empty: reported as an invalid URL, never sent
    return job;
  }

  EasyPtr take_easy() {
    if (!idle.empty()) {
      EasyPtr easy = std::move(idle.back());
      idle.pop_back();
      curl_easy_reset(easy.get()); // options only: connections live in the multi handle
      return easy;
    }
    EasyPtr easy(curl_easy_init());
    if (!easy)
      throw Error(ErrorCode::internal, "curl_easy_init failed");
    return easy;
  }

  std::unique_ptr<Transfer> start(std::size_t index, const Job &job, int attempts_before) {
    auto t = std::make_unique<Transfer>();
    t->job = index;
    t->easy = take_easy();
    t->max_body = options.max_body_size;
    t->response.attempts = attempts_before + 1;
    const GithubRequest &request = *job.request;
    if (job.send_token)
      t->token = token_for_attempt();
    auto add = [&](const std::string &header) {
      // curl_slist_append returns the list's head: a new node only for an empty list.
      curl_slist *head = curl_slist_append(t->headers.get(), header.c_str());
      if (!head)
        throw std::bad_alloc();
      if (!t->headers)
        t->headers.reset(head);
    };
    add("Accept: " +
        (request.accept.empty() ? std::string("application/vnd.github+json") : request.accept));
    if (!request.if_none_match.empty())
      add("If-None-Match: " + request.if_none_match);
    if (!t->token.empty())
      add("X-GitHub-Api-Version: 2022-11-28");
    if (job.method != "GET") {
      // The body stays in `request`, which outlives the batch: curl reads it from there.
      curl_easy_setopt(t->easy.get(), CURLOPT_POST, 1L);
      curl_easy_setopt(t->easy.get(), CURLOPT_POSTFIELDS, request.body.c_str());
      curl_easy_setopt(t->easy.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
      if (job.method == "PATCH")
        curl_easy_setopt(t->easy.get(), CURLOPT_CUSTOMREQUEST, "PATCH");
      if (!request.body.empty())
        add("Content-Type: application/json");
    }

    CURL *e = t->easy.get();
    curl_easy_setopt(e, CURLOPT_URL, job.url.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers.get());
    curl_easy_setopt(e, CURLOPT_USERAGENT, user_agent.c_str());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, static_cast<long>(options.max_redirects));
    // The token travels as curl's bearer credential, which curl sends to the URL's own scheme,
    // host and port only, never to a redirect's target elsewhere (CURLOPT_UNRESTRICTED_AUTH
    // stays off); it is never put into a header list or a URL.
    if (!t->token.empty()) {
      curl_easy_setopt(e, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BEARER));
      curl_easy_setopt(e, CURLOPT_XOAUTH2_BEARER, t->token.c_str());
    }
    curl_easy_setopt(e, CURLOPT_UNRESTRICTED_AUTH, 0L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(options.connect_timeout.count()));
    auto timeout = options.request_timeout;
    if (options.deadline != Clock::time_point::max()) {
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(options.deadline - Clock::now());
      if (left < timeout) {
        timeout = std::max(left, std::chrono::milliseconds(1));
        t->cut_by_deadline = true;
      }
    }
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    // Over TLS, wait for a connection being set up to the same host to tell whether it
    // multiplexes (HTTP/2) before opening another one.
    if (job.url.starts_with("https://"))
      curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, ""); // every encoding this curl decodes
    curl_easy_setopt(
        e, CURLOPT_MAXFILESIZE_LARGE,
        static_cast<curl_off_t>(std::min<std::uint64_t>(options.max_body_size, INT64_MAX)));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->error_buffer);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t.get());
    if (const CURLMcode m = curl_multi_add_handle(multi.get(), e); m != CURLM_OK)
      throw Error(ErrorCode::internal,
                  std::string("curl_multi_add_handle: ") + curl_multi_strerror(m));
    return t;
  }

  // Takes the transfer's easy handle out of the multi handle and back into the pool, and gives
  // its rate-budget slot back with what its response said (status 0: none came).
  void release(Transfer &t) noexcept {
    if (t.budgeted) {
      t.budgeted = false;
      try {
        options.budget->finish(t.response.status != 0 ? &t.response : nullptr, unix_ms());
      } catch (...) {
        // a mutex that cannot lock: nothing sensible is left to do
      }
    }
    if (!t.easy)
      return;
    curl_multi_remove_handle(multi.get(), t.easy.get());
    try {
      idle.push_back(std::move(t.easy));
    } catch (...) {
      t.easy.reset();
    }
  }

  // Full jitter: uniform in [0, retry_base * 2^(attempts - 1)).
  Clock::duration backoff(int attempts) {
    const int shift = std::clamp(attempts - 1, 0, 20);
    const std::int64_t ceiling = static_cast<std::int64_t>(options.retry_base.count()) << shift;
    if (ceiling <= 0)
      return Clock::duration::zero();
    std::uniform_int_distribution<std::int64_t> pick(0, ceiling - 1);
    return std::chrono::milliseconds(pick(random));
  }

  struct Batch;
  std::vector<GithubResponse>
  fetch_all(const std::vector<GithubRequest> &requests,
            const std::function<bool(std::size_t, std::size_t)> &progress);
};

// One fetch_all call: its jobs, the queues they wait in and the transfers in flight, which
// leave the multi handle however the call ends. Single-thread.
struct GithubClient::Impl::Batch {
  enum class Stop { no, rate_limited, cancelled };

  Impl &impl;
  const std::function<bool(std::size_t, std::size_t)> &progress;
  const std::size_t total;
  std::vector<GithubResponse> out;
  std::vector<Job> jobs;
  std::deque<std::size_t> fresh;    // never started, in request order
  std::vector<std::size_t> waiting; // retries, each with its due time
  std::vector<std::unique_ptr<Transfer>> active;
  std::size_t done = 0;
  Stop stop = Stop::no;
  std::int64_t budget_wait = 0; // unix ms: when the rate budget may admit the next request

  Batch(Impl &owner, const std::vector<GithubRequest> &requests,
        const std::function<bool(std::size_t, std::size_t)> &on_progress)
      : impl(owner), progress(on_progress), total(requests.size()), out(total) {
    jobs.reserve(total);
    for (const GithubRequest &request : requests)
      jobs.push_back(impl.make_job(request));
    for (std::size_t i = 0; i < total; ++i) {
      if (jobs[i].url.empty())
        fail(i, "not a valid http(s) URL", 0);
      else
        fresh.push_back(i);
    }
  }
  ~Batch() {
    for (auto &t : active)
      impl.release(*t);
  }
  Batch(const Batch &) = delete;
  Batch &operator=(const Batch &) = delete;

  void finish(std::size_t index, GithubResponse response) {
    response.error = impl.redact(std::move(response.error));
    out[index] = std::move(response);
    ++done;
    if (progress && stop == Stop::no && !progress(done, total))
      stop = Stop::cancelled;
  }

  void fail(std::size_t index, const std::string &why, int attempts) {
    GithubResponse response;
    response.attempts = attempts;
    const Job &job = jobs[index];
    response.error = job.method + " " +
                     (job.url.empty() ? std::string("<invalid URL>") : job.shown) + ": " + why;
    finish(index, std::move(response));
  }

  std::vector<std::size_t>::iterator next_due() {
    return std::min_element(waiting.begin(), waiting.end(), [&](std::size_t a, std::size_t b) {
      return jobs[a].due < jobs[b].due;
    });
  }

  // After a rate limit or a cancel: what has not started fails (and, cancelled, what is in
  // flight too). True when nothing is left in flight.
  bool drain() {
    const char *why = stop == Stop::cancelled ? "not sent: cancelled" : "not sent: rate limited";
    for (const std::size_t index : fresh)
      fail(index, why, 0);
    for (const std::size_t index : waiting)
      fail(index, why, out[index].attempts);
    fresh.clear();
    waiting.clear();
    if (stop == Stop::cancelled) {
      for (auto &t : active) {
        impl.release(*t);
        fail(t->job, "cancelled", t->response.attempts);
      }
      active.clear();
    }
    return active.empty(); // a rate limit lets the requests already in flight finish
  }

  // Starts what may start: retries that are due first, then new requests in order, each when
  // the rate budget admits it.
  void start_due() {
    const auto now = Clock::now();
    budget_wait = 0;
    while (stop == Stop::no && active.size() < impl.options.max_concurrency) {
      const auto due = next_due();
      const bool retry = due != waiting.end() && jobs[*due].due <= now;
      if (!retry && fresh.empty())
        break;
      const std::size_t index = retry ? *due : fresh.front();
      if (now < impl.options.deadline && !admitted(index))
        break; // waits in its queue for the budget, or the batch stopped
      if (retry) {
        waiting.erase(due);
        ++impl.counters.retries;
      } else {
        fresh.pop_front();
      }
      if (now >= impl.options.deadline) {
        fail(index, "not sent: deadline passed", out[index].attempts);
        continue;
      }
      try {
        active.push_back(impl.start(index, jobs[index], out[index].attempts));
      } catch (...) {
        if (impl.options.budget)
          impl.options.budget->finish(nullptr, unix_ms());
        throw;
      }
      active.back()->budgeted = impl.options.budget != nullptr;
    }
  }

  // Whether the rate budget lets the request at `index` start now (it then holds a slot). Not
  // yet: budget_wait says when to ask again. Paused: the request fails rate-limited unsent and
  // the batch stops, as at a rate-limited answer; cancelled while waiting: the batch stops.
  bool admitted(std::size_t index) {
    const auto &budget = impl.options.budget;
    if (!budget)
      return true;
    const std::int64_t now_ms = unix_ms();
    const RateBudget::Admission a = budget->try_start(request_points(jobs[index].method), now_ms);
    if (a.granted)
      return true;
    if (a.paused) {
      std::erase(fresh, index);
      std::erase(waiting, index);
      GithubResponse response;
      response.attempts = out[index].attempts;
      response.budget_paused_until = a.retry_at;
      response.error = jobs[index].method + " " + jobs[index].shown +
                       ": not sent: rate limited (this credential's budget is paused for " +
                       std::to_string((a.retry_at - now_ms + 999) / 1000) + " s)";
      ++impl.counters.rate_limited;
      stop = Stop::rate_limited;
      finish(index, std::move(response));
    } else if (impl.options.cancel && impl.options.cancel->load()) {
      stop = Stop::cancelled;
    } else {
      budget_wait = a.retry_at;
    }
    return false;
  }

  // Lets curl work, then handles every transfer it finished.
  void collect() {
    int running = 0;
    if (const CURLMcode m = curl_multi_perform(impl.multi.get(), &running); m != CURLM_OK)
      throw Error(ErrorCode::internal,
                  std::string("curl_multi_perform: ") + curl_multi_strerror(m));
    int queued = 0;
    while (CURLMsg *msg = curl_multi_info_read(impl.multi.get(), &queued)) {
      if (msg->msg != CURLMSG_DONE)
        continue;
      const CURLcode result = msg->data.result;
      const auto it = std::find_if(active.begin(), active.end(), [&](const auto &t) {
        return t->easy.get() == msg->easy_handle;
      });
      if (it == active.end())
        continue;
      std::unique_ptr<Transfer> t = std::move(*it);
      active.erase(it);
      complete(*t, result); // `msg` is invalid from here on
    }
  }

  // One finished transfer: its response, a retry, or a failure.
  void complete(Transfer &t, CURLcode result) {
    CURL *e = t.easy.get();
    long status = 0, redirects = 0, request_size = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(e, CURLINFO_REDIRECT_COUNT, &redirects);
    curl_easy_getinfo(e, CURLINFO_REQUEST_SIZE, &request_size);
    t.response.status = status;
    impl.release(t);

    GithubResponse &r = t.response;
    const std::size_t index = t.job;
    if (request_size > 0)
      impl.counters.requests += 1 + static_cast<std::uint64_t>(redirects);
    impl.counters.bytes += r.body.size();
    if (r.rate_limit.remaining >= 0)
      impl.counters.last_rate_limit = r.rate_limit;
    const unsigned max_retries =
        jobs[index].request->max_retries.value_or(impl.options.max_retries);
    const bool may_retry = static_cast<unsigned>(r.attempts) <= max_retries && stop == Stop::no;
    if (result != CURLE_OK)
      return failed(t, result, may_retry);
    if (status == 304)
      ++impl.counters.not_modified;
    if (status == 401 && reauthorize(t, redirects))
      return;
    bool past_deadline = false;
    if (r.is_rate_limited()) {
      ++impl.counters.rate_limited;
      stop = Stop::rate_limited;
    } else if (status >= 500) {
      if (may_retry && retry_later(index, r, past_deadline))
        return;
      r.error = jobs[index].method + " " + jobs[index].shown + ": HTTP " + std::to_string(status) +
                " after " + attempts_text(r.attempts) + no_retry_note(past_deadline);
    }
    finish(index, std::move(r));
  }

  // A transfer curl could not complete: retried when that may help, else failed with why.
  void failed(Transfer &t, CURLcode result, bool may_retry) {
    GithubResponse &r = t.response;
    const std::size_t index = t.job;
    const std::string where = jobs[index].method + " " + jobs[index].shown + ": ";
    std::string why;
    const bool deadline_cut = result == CURLE_OPERATION_TIMEDOUT && t.cut_by_deadline;
    if (t.too_large || result == CURLE_FILESIZE_EXCEEDED)
      why = "body larger than max_body_size (" + std::to_string(impl.options.max_body_size) +
            " bytes)";
    else if (deadline_cut)
      why = "stopped at the deadline";
    else if (result == CURLE_OPERATION_TIMEDOUT)
      why = "timeout (" + std::string(t.error_buffer) + ")";
    else
      why = t.error_buffer[0] ? std::string(t.error_buffer) : curl_easy_strerror(result);
    r.body.clear();
    bool past_deadline = false;
    if (is_retryable(result) && !deadline_cut && may_retry) {
      r.error = where + why;
      if (retry_later(index, r, past_deadline))
        return;
    }
    if (r.attempts > 1)
      why += " after " + attempts_text(r.attempts);
    r.error = where + why + no_retry_note(past_deadline);
    finish(index, std::move(r));
  }

  // A 401 from the API's own host to a credential's token: the credential forgets the token
  // and, when a new one may work, the request goes again at once, once. True when queued.
  bool reauthorize(Transfer &t, long redirects) {
    Job &job = jobs[t.job];
    if (t.token.empty() || redirects > 0 || job.reauthorized || stop != Stop::no ||
        !impl.options.credential->rejected(t.token))
      return false;
    job.reauthorized = true;
    out[t.job] = std::move(t.response);
    fresh.push_front(t.job); // next, and not counted as a retry
    return true;
  }

  // Queues another attempt after a backoff; false (past_deadline set) when it would come
  // after the deadline.
  bool retry_later(std::size_t index, GithubResponse &r, bool &past_deadline) {
    const auto due = Clock::now() + impl.backoff(r.attempts);
    if (due >= impl.options.deadline) {
      past_deadline = true;
      return false;
    }
    jobs[index].due = due;
    out[index] = std::move(r);
    waiting.push_back(index);
    return true;
  }

  static std::string no_retry_note(bool past_deadline) {
    return past_deadline ? std::string(" (no retry: the deadline comes first)") : "";
  }

  // Sleeps until curl has work, the next retry is due or the budget may admit a request (at
  // most a second; with a cancel flag, a tenth of one, so a stopping scheduler is not kept
  // waiting by a backoff).
  void wait() {
    long wait_ms = impl.options.cancel ? 100 : 1000;
    if (const auto due = next_due(); due != waiting.end()) {
      const auto until =
          std::chrono::duration_cast<std::chrono::milliseconds>(jobs[*due].due - Clock::now());
      wait_ms = std::clamp<long>(static_cast<long>(until.count()), 0, wait_ms);
    }
    if (budget_wait > 0)
      wait_ms = std::clamp<long>(static_cast<long>(budget_wait - unix_ms()), 0, wait_ms);
    if (const CURLMcode m =
            curl_multi_poll(impl.multi.get(), nullptr, 0, static_cast<int>(wait_ms), nullptr);
        m != CURLM_OK)
      throw Error(ErrorCode::internal, std::string("curl_multi_poll: ") + curl_multi_strerror(m));
  }
};

std::vector<GithubResponse>
GithubClient::Impl::fetch_all(const std::vector<GithubRequest> &requests,
                              const std::function<bool(std::size_t, std::size_t)> &progress) {
  Batch batch(*this, requests, progress);
  while (batch.done < batch.total) {
    if (batch.stop == Batch::Stop::no && options.cancel && options.cancel->load())
      batch.stop = Batch::Stop::cancelled; // the scheduler is stopping: within one wait()
    if (batch.stop != Batch::Stop::no && batch.drain())
      break;
    batch.start_due();
    batch.collect();
    if (batch.done >= batch.total || (batch.stop != Batch::Stop::no && batch.active.empty()))
      continue;
    batch.wait();
  }
  return std::move(batch.out);
}

GithubClient::GithubClient(GithubClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

GithubClient::~GithubClient() = default;

std::vector<GithubResponse>
GithubClient::fetch_all(const std::vector<GithubRequest> &requests,
                        const std::function<bool(std::size_t done, std::size_t total)> &progress) {
  return impl_->fetch_all(requests, progress);
}

GithubResponse GithubClient::fetch(const GithubRequest &request) {
  return std::move(impl_->fetch_all({request}, {}).front());
}

GithubCounters GithubClient::counters() const noexcept { return impl_->counters; }

const GithubClientOptions &GithubClient::options() const noexcept { return impl_->options; }

} // namespace leanspec::detail
