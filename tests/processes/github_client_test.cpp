// GithubClient (src/github/github_client.cpp) against the fake GitHub of tests/support: real
// HTTP over loopback, a real git repository behind it.
#include "github/github_client.hpp"
#include "support/fake_github.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <ctime>
#include <doctest/doctest.h>
#include <leanspec/error.hpp>
#include <netinet/in.h>
#include <random>
#include <sys/socket.h>
#include <unistd.h>

using leanspec::detail::GithubClient;
using leanspec::detail::GithubClientOptions;
using leanspec::detail::GithubRequest;
using leanspec::detail::GithubResponse;
using leanspec::test::FakeGithub;
using leanspec::test::RepoFiles;
using namespace std::chrono_literals;

namespace {

constexpr const char *raw = "application/vnd.github.raw";

RepoFiles numbered_files(int count) {
  RepoFiles files;
  for (int i = 0; i < count; ++i)
    files["specs/" + std::to_string(100 + i) + "-spec/README.md"] =
        "---\nstatus: planned\n---\n# Spec " + std::to_string(i) + "\n" +
        std::string(static_cast<std::size_t>(i) * 37, 'x') + "\n";
  return files;
}

GithubClientOptions options_for(const FakeGithub &github) {
  GithubClientOptions options;
  options.api_url = github.api_url();
  options.token = github.token();
  options.retry_base = 5ms;
  options.request_timeout = 20'000ms;
  return options;
}

std::vector<GithubRequest> blob_requests(const FakeGithub &github, const RepoFiles &files) {
  std::vector<GithubRequest> requests;
  for (const auto &entry : files)
    requests.push_back(
        {.path = github.repo_path() + "/git/blobs/" + github.content_hash(entry.first),
         .accept = raw});
  return requests;
}

std::vector<GithubRequest> repeat(const GithubRequest &request, int count) {
  return std::vector<GithubRequest>(static_cast<std::size_t>(count), request);
}

// A loopback port that nothing listens on.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0);
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length) == 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

std::int64_t unix_now() { return static_cast<std::int64_t>(std::time(nullptr)); }

} // namespace

TEST_SUITE("github") {

  TEST_CASE("parallel fetches return in the order of the requests, on reused connections") {
    const RepoFiles files = numbered_files(24);
    FakeGithub github(files);
    github.set_latency(20ms);
    GithubClient client(options_for(github));
    const auto requests = blob_requests(github, files);

    for (int batch = 0; batch < 2; ++batch) {
      const auto responses = client.fetch_all(requests);
      REQUIRE(responses.size() == files.size());
      std::size_t i = 0;
      for (const auto &entry : files) {
        CAPTURE(entry.first);
        CHECK(responses[i].error == "");
        CHECK(responses[i].status == 200);
        CHECK(responses[i].body == entry.second);
        CHECK(responses[i].attempts == 1);
        ++i;
      }
    }
    const auto stats = github.stats();
    CHECK(stats.requests("blob") == 48);
    // Keep-alive: 48 requests over at most max_concurrency (8) TCP connections, two batches.
    CHECK(stats.connections >= 1);
    CHECK(stats.connections <= 8);
    CHECK(client.counters().requests == 48);
    CHECK(client.counters().retries == 0);
  }

  TEST_CASE("no more than max_concurrency requests are in flight at once") {
    const RepoFiles files = numbered_files(12);
    FakeGithub github(files);
    github.set_latency(150ms);
    auto options = options_for(github);
    options.max_concurrency = 3;
    GithubClient client(options);
    const auto responses = client.fetch_all(blob_requests(github, files));
    for (const auto &r : responses)
      CHECK(r.status == 200);
    const auto stats = github.stats();
    CHECK(stats.max_concurrent == 3); // parallel, and bounded
    CHECK(stats.connections <= 3);
  }

  TEST_CASE("a conditional request with the ETag gets a 304, which costs no rate limit") {
    FakeGithub github(RepoFiles{{"specs/001-a/README.md", "# A\n"}});
    github.set_rate_limit(100, unix_now() + 1800);
    GithubClient client(options_for(github));
    const std::string path = github.repo_path() + "/commits/main";

    const auto first = client.fetch({.path = path, .accept = "application/vnd.github.sha"});
    REQUIRE(first.status == 200);
    CHECK(first.body == github.head());
    REQUIRE(!first.etag.empty());
    CHECK(first.rate_limit.remaining == 99);
    CHECK(first.rate_limit.limit == 5000);

    const auto second = client.fetch(
        {.path = path, .accept = "application/vnd.github.sha", .if_none_match = first.etag});
    CHECK(second.status == 304);
    CHECK(second.error == "");
    CHECK(second.body == "");
    CHECK(second.etag == first.etag);
    CHECK(second.rate_limit.remaining == 99);

    github.commit({{"specs/001-a/README.md", "# A, changed\n"}}); // a push
    const auto third = client.fetch(
        {.path = path, .accept = "application/vnd.github.sha", .if_none_match = first.etag});
    CHECK(third.status == 200);
    CHECK(third.body == github.head());
    CHECK(third.etag != first.etag);
    CHECK(third.rate_limit.remaining == 98);

    CHECK(client.counters().not_modified == 1);
    CHECK(client.counters().last_rate_limit.remaining == 98);
    CHECK(github.stats().not_modified == 1);
  }

  TEST_CASE("the archive redirect is followed to the codeload host, which never sees the token") {
    FakeGithub github(RepoFiles{{"specs/001-a/README.md", "# A\n"}});
    GithubClient client(options_for(github));

    const auto archive = client.fetch({.path = github.repo_path() + "/tarball/main"});
    CHECK(archive.error == "");
    REQUIRE(archive.status == 200); // the API hop needed the token: the fake requires it
    REQUIRE(archive.body.size() > 2);
    CHECK(static_cast<unsigned char>(archive.body[0]) == 0x1f); // gzip
    CHECK(static_cast<unsigned char>(archive.body[1]) == 0x8b);
    CHECK(client.counters().requests == 2); // the API's 302 and codeload's 200

    // An absolute URL on another host (codeload's port) gets no token either.
    const auto direct =
        client.fetch({.path = github.codeload_url() + "/acme/web/legacy.tar.gz/" + github.head()});
    CHECK(direct.status == 200);
    CHECK(direct.body == archive.body);

    const auto stats = github.stats();
    REQUIRE(stats.codeload_authorization.size() == 2);
    CHECK(!stats.codeload_authorization[0].has_value());
    CHECK(!stats.codeload_authorization[1].has_value());
    CHECK(stats.api_authorization_missing == 0);
  }

  TEST_CASE("redirects are followed to http(s) only, and only max_redirects of them") {
    FakeGithub github(RepoFiles{{"specs/001-a/README.md", "# A\n"}});
    const std::string repo = github.repo_path();
    github.configure(R"({"redirects": {")" + repo + R"(/to-ftp": "ftp://127.0.0.1/x", ")" + repo +
                     R"(/to-file": "file:///etc/passwd", ")" + repo + R"(/loop": ")" + repo +
                     R"(/loop", ")" + repo + R"(/moved": ")" + repo + R"("}})");
    auto options = options_for(github);
    options.max_redirects = 3;
    GithubClient client(options);
    const auto responses = client.fetch_all({{.path = repo + "/to-ftp"},
                                             {.path = repo + "/to-file"},
                                             {.path = repo + "/loop"},
                                             {.path = repo + "/moved"}});
    for (int i = 0; i < 3; ++i) {
      CAPTURE(responses[i].error);
      CHECK(responses[i].error.find("GET " + github.api_url() + repo + "/") == 0);
      CHECK(responses[i].attempts == 1); // not retried
      CHECK(responses[i].body == "");
    }
    CHECK(responses[2].error.find("redirect") != std::string::npos);
    CHECK(responses[3].error == ""); // a redirect to the same host keeps the token (required)
    CHECK(responses[3].status == 200);
    CHECK(responses[3].body.find("\"full_name\": \"acme/web\"") != std::string::npos);
    CHECK(github.stats().requests("other") == 1 + 1 + 4 + 1); // the loop: 1 + max_redirects
  }

  TEST_CASE("random 502s are retried with backoff until each request succeeds") {
    const RepoFiles files = numbered_files(30);
    FakeGithub github(files);
    github.set_failure_rate(0.3, 7);
    auto options = options_for(github);
    options.max_retries = 12;
    GithubClient client(options);
    const auto responses = client.fetch_all(blob_requests(github, files));
    std::size_t i = 0;
    for (const auto &entry : files) {
      CHECK(responses[i].error == "");
      CHECK(responses[i].status == 200);
      CHECK(responses[i].body == entry.second);
      ++i;
    }
    const auto stats = github.stats();
    CHECK(stats.failed > 0);
    CHECK(client.counters().retries == static_cast<std::uint64_t>(stats.failed));
    CHECK(client.counters().requests == static_cast<std::uint64_t>(stats.total));
  }

  TEST_CASE("a retry waits in the loop while other requests go on") {
    FakeGithub github(RepoFiles{{"specs/001-a/README.md", "# A\n"}});
    const std::string repo = github.repo_path();
    github.configure(R"({"fail_paths": {")" + repo + R"(/branches/main": 1}})");
    auto options = options_for(github);
    options.max_concurrency = 1;
    options.retry_base = 1500ms;
    // The first retry waits a draw in [0, 1500) ms from the seeded engine (the client's formula):
    // pick a seed whose draw leaves the other two requests ample time.
    for (options.jitter_seed = 1;; ++options.jitter_seed) {
      std::mt19937_64 engine(options.jitter_seed);
      if (std::uniform_int_distribution<std::int64_t>(0, 1499)(engine) >= 700)
        break;
    }
    GithubClient client(options);
    const auto responses = client.fetch_all(
        {{.path = repo + "/branches/main"}, {.path = repo}, {.path = repo + "/commits/main"}});
    for (const auto &r : responses)
      CHECK(r.status == 200);
    CHECK(responses[0].attempts == 2);
    // The retry did not hold the one slot while it waited (that order would be branch, branch,
    // repo, commit): the next request was sent right after the 502.
    const auto paths = github.stats().paths;
    REQUIRE(paths.size() == 4);
    CHECK(paths[0] == repo + "/branches/main");
    CHECK(paths[1] == repo);
    CHECK(std::count(paths.begin(), paths.end(), repo + "/branches/main") == 2);
  }

  TEST_CASE("Retry-After as an HTTP date is read as seconds from now") {
    FakeGithub github(RepoFiles{{"specs/001-a/README.md", "# A\n"}});
    const std::time_t at = std::time(nullptr) + 90;
    char date[64];
    std::tm tm{};
    gmtime_r(&at, &tm);
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    github.configure(std::string(R"({"secondary_after": 0, "secondary_retry_after": ")") + date +
                     "\"}");
    GithubClient client(options_for(github));
    const auto r = client.fetch({.path = github.repo_path()});
    CHECK(r.is_rate_limited());
    CHECK(r.retry_after >= 85s);
    CHECK(r.retry_after <= 90s);
  }

  TEST_CASE("a server that always fails gives a clear error after max_retries") {
    FakeGithub github(RepoFiles{{"specs/001-a/README.md", "# A\n"}});
    github.set_fail_all(true);
    auto options = options_for(github);
    options.max_retries = 2;
    options.retry_base = 20ms;
    GithubClient client(options);
    const auto started = std::chrono::steady_clock::now();
    const auto responses = client.fetch_all(repeat({.path = github.repo_path()}, 3));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    for (const auto &r : responses) {
      CHECK(r.status == 502);
      CHECK(r.attempts == 3);
      CHECK(r.error ==
            "GET " + github.api_url() + github.repo_path() + ": HTTP 502 after 3 attempts");
    }
    CHECK(github.stats().total == 9);
    // Backoff is bounded: at most 20 + 40 ms of waiting per request (a sanity bound, not a
    // speed target).
    CHECK(elapsed < 10s);
  }

  TEST_CASE("an attempt slower than request_timeout times out, is retried, then reported") {
    FakeGithub github(RepoFiles{{"specs/001-a/README.md", "# A\n"}});
    github.set_latency(3000ms);
    auto options = options_for(github);
    options.request_timeout = 300ms;
    options.max_retries = 1;
    GithubClient client(options);
    const auto r = client.fetch({.path = github.repo_path()});
    CHECK(r.status == 0);
    CHECK(r.attempts == 2);
    CHECK(r.error.find("GET " + github.api_url() + github.repo_path() + ": timeout") == 0);
    CHECK(r.error.find("after 2 attempts") != std::string::npos);
    CHECK(client.counters().retries == 1);
  }

  TEST_CASE("a refused connection is retried, then reported with the URL") {
    GithubClientOptions options;
    options.api_url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/api/v3/";
    options.token = "ghp_neverShownAnywhere42";
    options.max_retries = 2;
    options.retry_base = 5ms;
    GithubClient client(options);
    const auto r = client.fetch({.path = "/repos/acme/web"});
    CHECK(r.status == 0);
    CHECK(r.attempts == 3);
    CHECK(r.error.find("GET http://127.0.0.1:") == 0);
    CHECK(r.error.find("/api/v3/repos/acme/web: ") != std::string::npos);
    CHECK(r.error.find("after 3 attempts") != std::string::npos);
    CHECK(r.error.find(options.token) == std::string::npos);
    CHECK(client.counters().requests == 0); // nothing was sent
  }

  TEST_CASE("a primary rate limit stops the batch without retries; retry_at is the reset") {
    const RepoFiles files = numbered_files(10);
    FakeGithub github(files);
    const std::int64_t reset = unix_now() + 1234;
    github.set_rate_limit(3, reset);
    auto options = options_for(github);
    options.max_concurrency = 1; // so that the requests sent are exactly the first four
    GithubClient client(options);
    const auto responses = client.fetch_all(blob_requests(github, files));
    for (int i = 0; i < 3; ++i) {
      CHECK(responses[i].status == 200);
      CHECK(!responses[i].is_rate_limited());
    }
    CHECK(responses[2].rate_limit.remaining == 0);
    const auto &limited = responses[3];
    CHECK(limited.status == 403);
    CHECK(limited.error == "");
    CHECK(limited.is_rate_limited());
    CHECK(limited.attempts == 1);
    CHECK(limited.rate_limit.remaining == 0);
    CHECK(limited.rate_limit.reset_at == reset);
    CHECK(limited.retry_at(unix_now()) == reset);
    for (std::size_t i = 4; i < responses.size(); ++i) {
      CHECK(responses[i].status == 0);
      CHECK(responses[i].attempts == 0);
      CHECK(responses[i].error.find(": not sent: rate limited") != std::string::npos);
    }
    CHECK(github.stats().total == 4);
    CHECK(client.counters().rate_limited == 1);
    CHECK(client.counters().retries == 0);
  }

  TEST_CASE("a secondary rate limit stops the batch; retry_at follows Retry-After or a minute") {
    const RepoFiles files = numbered_files(6);
    FakeGithub github(files);
    auto options = options_for(github);
    options.max_concurrency = 1;
    GithubClient client(options);
    const auto requests = blob_requests(github, files);

    SUBCASE("with Retry-After") {
      github.set_secondary_limit(2, 30);
      const auto responses = client.fetch_all(requests);
      CHECK(responses[0].status == 200);
      CHECK(responses[1].status == 200);
      const auto &limited = responses[2];
      CHECK(limited.status == 403);
      CHECK(limited.rate_limit.remaining == -1); // no rate-limit headers: the body says it
      CHECK(limited.is_rate_limited());
      CHECK(limited.retry_after == 30s);
      const std::int64_t now = unix_now();
      CHECK(limited.retry_at(now) == now + 30);
      CHECK(responses[3].error.find("not sent: rate limited") != std::string::npos);
      CHECK(github.stats().total == 3);
    }
    SUBCASE("without Retry-After") {
      github.set_secondary_limit(0);
      const auto responses = client.fetch_all(requests);
      CHECK(responses[0].is_rate_limited());
      CHECK(responses[0].retry_after == -1s);
      const std::int64_t now = unix_now();
      CHECK(responses[0].retry_at(now) == now + 60);
      CHECK(github.stats().total == 1);
    }
  }

  TEST_CASE("which responses are rate-limited") {
    GithubResponse r;
    r.status = 429;
    CHECK(r.is_rate_limited());
    r.status = 403;
    r.body = R"({"message": "Resource not accessible by integration"})";
    CHECK(!r.is_rate_limited());
    r.body = R"({"message": "You have exceeded a secondary rate limit."})";
    CHECK(r.is_rate_limited());
    r.body = "not json, but a Secondary Rate Limit all the same";
    CHECK(r.is_rate_limited());
    r.body = "{}";
    r.rate_limit.remaining = 0;
    r.rate_limit.reset_at = 5000;
    CHECK(r.is_rate_limited());
    CHECK(r.retry_at(4000) == 5000);
    CHECK(r.retry_at(6000) == 6000); // a reset already past: now
    r.retry_after = 7s;
    CHECK(r.retry_at(4000) == 4007);
    r.status = 404;
    CHECK(!r.is_rate_limited());
  }

  TEST_CASE("a body over max_body_size fails that request without retries") {
    FakeGithub github(RepoFiles{{"big.md", std::string(5000, 'b')}, {"small.md", "s"}});
    auto options = options_for(github);
    options.max_body_size = 1000;
    GithubClient client(options);
    const auto responses =
        client.fetch_all(blob_requests(github, {{"big.md", ""}, {"small.md", ""}}));
    CHECK(responses[0].status == 200);
    CHECK(responses[0].body == "");
    CHECK(responses[0].attempts == 1);
    CHECK(responses[0].error.find("body larger than max_body_size (1000 bytes)") !=
          std::string::npos);
    CHECK(responses[1].error == "");
    CHECK(responses[1].body == "s");
    CHECK(github.stats().requests("blob") == 2);
  }

  TEST_CASE("an api_url that is not http(s)://host[:port][/path] is a config error") {
    for (const std::string url :
         {"", "api.github.com", "ftp://api.github.com", "http://",
          "http://user:hunter2@api.github.com", "https://api.github.com/?token=hunter2",
          "https://api.github.com/#x"}) {
      CAPTURE(url);
      GithubClientOptions options;
      options.api_url = url;
      try {
        GithubClient client(options);
        FAIL("accepted");
      } catch (const leanspec::Error &e) {
        CHECK(e.code() == leanspec::ErrorCode::config);
        CHECK(std::string(e.what()).find("api_url") != std::string::npos);
        CHECK(std::string(e.what()).find("hunter2") == std::string::npos);
      }
    }
    GithubClientOptions options;
    options.max_concurrency = 0;
    CHECK_THROWS_AS(GithubClient{options}, leanspec::Error);
  }

  TEST_CASE("the token appears in no error and no response") {
    FakeGithub github(RepoFiles{{"specs/001-a/README.md", "# A\n"}});
    auto options = options_for(github);
    options.token = "ghp_wrongTokenThatMustNotLeak99";
    options.max_retries = 0;
    GithubClient client(options);
    std::vector<GithubResponse> seen;

    const auto unauthorized = client.fetch({.path = github.repo_path()});
    CHECK(unauthorized.status == 401);
    seen.push_back(unauthorized);

    // A URL with secrets in its query: the error shows their names, never their values.
    const auto refused = client.fetch({.path = "http://127.0.0.1:" + std::to_string(closed_port()) +
                                               "/x?recursive=1&access_token=" + options.token});
    CHECK(refused.error.find("/x?recursive=1&access_token=[redacted]: ") != std::string::npos);
    seen.push_back(refused);

    github.set_latency(2000ms);
    options.request_timeout = 200ms;
    GithubClient slow(options);
    seen.push_back(slow.fetch({.path = github.repo_path() + "?token=" + options.token}));
    CHECK(seen.back().error.find("timeout") != std::string::npos);

    for (const auto &r : seen) {
      CAPTURE(r.error);
      CHECK(r.error.find(options.token) == std::string::npos);
      CHECK(r.body.find(options.token) == std::string::npos);
    }
  }

  TEST_CASE("a token is trimmed; one with a control character inside is refused unprinted") {
    FakeGithub github(RepoFiles{{"specs/001-a/README.md", "# A\n"}});
    auto options = options_for(github);
    options.max_retries = 0;
    options.token = " \t" + github.token() + "\r\n"; // a pasted newline
    GithubClient trimmed(options);
    CHECK(trimmed.fetch({.path = github.repo_path()}).status == 200);

    for (const std::string &inside :
         {std::string("\r\nX-Injected: yes"), std::string("\nX-Injected: yes"), std::string(" two"),
          std::string("\0x", 2), std::string("\x7f")}) {
      options.token = github.token() + inside;
      CAPTURE(inside);
      try {
        GithubClient client(options);
        FAIL("a token with a control character inside was accepted");
      } catch (const leanspec::Error &e) {
        CHECK(e.code() == leanspec::ErrorCode::config);
        CHECK(std::string(e.what()).find("GITHUB_TOKEN") != std::string::npos);
        CHECK(std::string(e.what()).find(github.token()) == std::string::npos);
        CHECK(std::string(e.what()).find("X-Injected") == std::string::npos);
      }
    }

    // A token that is a part of "[redacted]" is redacted once per occurrence (no endless loop).
    options.token = "e";
    GithubClient tiny(options);
    const auto refused =
        tiny.fetch({.path = "http://127.0.0.1:" + std::to_string(closed_port()) + "/see"});
    CHECK(refused.status == 0);
    CHECK(refused.error.find("s[redacted][redacted]") != std::string::npos);
  }

  TEST_CASE("progress reports each completed request; returning false cancels the rest") {
    const RepoFiles files = numbered_files(6);
    FakeGithub github(files);
    auto options = options_for(github);
    options.max_concurrency = 1;
    GithubClient client(options);
    std::vector<std::pair<std::size_t, std::size_t>> calls;
    const auto responses =
        client.fetch_all(blob_requests(github, files), [&](std::size_t done, std::size_t total) {
          calls.emplace_back(done, total);
          return done < 2;
        });
    REQUIRE(calls.size() == 2);
    CHECK(calls[0] == std::pair<std::size_t, std::size_t>(1, 6));
    CHECK(calls[1] == std::pair<std::size_t, std::size_t>(2, 6));
    CHECK(responses[0].status == 200);
    CHECK(responses[1].status == 200);
    for (std::size_t i = 2; i < responses.size(); ++i)
      CHECK(responses[i].error.find("not sent: cancelled") != std::string::npos);
    CHECK(github.stats().total == 2);
  }

  TEST_CASE("the fake serves trees, truncation and compare from git") {
    FakeGithub github(
        RepoFiles{{"specs/001-a/README.md", "# A\n"}, {"specs/002-b/README.md", "# B\n"}});
    GithubClient client(options_for(github));
    const std::string base = github.head();
    github.move("specs/001-a", "specs/archived/001-a");
    github.commit({{"specs/002-b/README.md", "# B changed\n"}, {"specs/003-c/README.md", "# C\n"}});

    const auto compare =
        client.fetch({.path = github.repo_path() + "/compare/" + base + "...main"});
    REQUIRE(compare.status == 200);
    CHECK(compare.body.find("\"status\": \"renamed\"") != std::string::npos);
    CHECK(compare.body.find("\"previous_filename\": \"specs/001-a/README.md\"") !=
          std::string::npos);
    CHECK(compare.body.find("\"status\": \"added\"") != std::string::npos);
    CHECK(compare.body.find("\"status\": \"modified\"") != std::string::npos);

    const auto tree = client.fetch({.path = github.repo_path() + "/git/trees/main?recursive=1"});
    CHECK(tree.body.find("\"truncated\": false") != std::string::npos);
    CHECK(tree.body.find(github.content_hash("specs/003-c/README.md")) != std::string::npos);
    github.set_max_tree_entries(2);
    const auto cut = client.fetch({.path = github.repo_path() + "/git/trees/main?recursive=1"});
    CHECK(cut.body.find("\"truncated\": true") != std::string::npos);

    const auto blob = client.fetch({.path = github.repo_path() + "/git/blobs/" +
                                            github.content_hash("specs/003-c/README.md")});
    CHECK(blob.body.find("\"content\": \"IyBDCg==\\n\"") != std::string::npos); // "# C\n"
  }

} // TEST_SUITE
