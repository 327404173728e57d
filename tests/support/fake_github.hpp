#pragma once
// FakeGithub: a real git repository in a temporary folder, served by tests/support/fake_github.py
// (a fake GitHub REST API and codeload host on 127.0.0.1; its header lists the endpoints and
// controls). RAII: the constructor commits the files and starts the server (bounded wait for its
// port line); the destructor stops it (SIGTERM, then SIGKILL after 5 s) and removes the folder.
// commit(), remove() and move() are pushes: the server reads git at request time. Admin calls
// go over HTTP to the server. Single-thread (the doctest thread).
//
//   FakeGithub github(RepoFiles{{"specs/001-a/README.md", "---\nstatus: planned\n---\n# A\n"}});
//   GithubClient client({.api_url = github.api_url(), .token = github.token()});
//   github.set_latency(std::chrono::milliseconds(300));
//   const std::string sha = github.commit({{"specs/002-b/README.md", "..."}});
//   CHECK(github.stats().requests("blob") == 1);

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace leanspec::test {

/// Path (relative to the repository root) -> file content.
using RepoFiles = std::map<std::string, std::string>;

/// GET /_admin/stats, parsed.
struct FakeGithubStats {
  std::map<std::string, std::int64_t> by_endpoint; ///< repo, branch, commit, tree, blob, ...
  std::int64_t total = 0;                          ///< requests on both listeners
  std::int64_t not_modified = 0;
  std::int64_t failed = 0; ///< answered 502 by fail_rate / fail_all
  std::int64_t rate_limited = 0;
  std::int64_t unauthorized = 0;
  std::int64_t connections = 0;          ///< TCP connections that carried an API request
  std::int64_t codeload_connections = 0; ///< ... by the codeload listener
  std::int64_t max_concurrent = 0;       ///< most requests in progress at once (both)
  std::int64_t api_authorization_missing = 0;
  /// The Authorization header of each codeload request (nullopt: none was sent).
  std::vector<std::optional<std::string>> codeload_authorization;
  std::vector<std::string> paths; ///< every request's path (no query), in arrival order
  // A fleet (set_fleet, set_secondary_limits):
  std::map<std::string, std::int64_t> by_status; ///< API answers by HTTP status ("200", "304")
  std::int64_t conditional = 0;                  ///< API requests with If-None-Match
  std::int64_t primary_counted = 0;   ///< API answers that cost the primary limit (not 304s)
  std::int64_t secondary_limited = 0; ///< 403s of set_secondary_limits

  std::int64_t requests(const std::string &endpoint) const {
    const auto it = by_endpoint.find(endpoint);
    return it == by_endpoint.end() ? 0 : it->second;
  }
};

/// An entry put into the fake's recursive tree answers (the `tree_entries` setting).
struct FakeTreeEntry {
  std::string path;                           ///< "{token}" becomes the token the request carried
  std::optional<std::string> mode, type, sha; ///< unset: 100644, blob, the first blob's SHA
  std::optional<std::uint64_t> size;          ///< unset: 0 (or, with patch, the real one)
  bool patch = false; ///< update the entry at `path` instead of appending one
};

/// A member put into the fake's codeload tarballs (the `tarball_members` setting).
struct FakeTarballMember {
  std::string name;          ///< "{prefix}" becomes the archive's folder, "acme-web-abc1234/"
  std::string type = "file"; ///< file, symlink, hardlink or dir
  std::string data;          ///< a file's bytes, unless `size` is set
  std::optional<std::uint64_t> size; ///< a file of that many 'x' bytes
  std::string target;                ///< a link's target
};

/// A GitHub App the fake knows (the `app` setting): its id, public key and one installation.
struct FakeGithubApp {
  std::int64_t id = 0;
  std::string modulus_hex; ///< the RSA public key's n (test_keys.hpp)
  std::uint64_t exponent = 65537;
  std::int64_t installation_id = 1;
  std::int64_t token_ttl_s = 3600; ///< lifetime of the installation tokens it issues
};

/// The app's side of GET /_admin/stats.
struct FakeGithubAppStats {
  std::int64_t access_tokens = 0;        ///< installation tokens issued
  std::int64_t installation_lookups = 0; ///< GET /repos/{o}/{r}/installation answered
  std::int64_t jwt_rejected = 0;         ///< requests whose JWT failed the checks
  std::int64_t token_rejected = 0;       ///< API requests answered 401 for their token
  std::vector<std::string> tokens;       ///< every installation token issued
  std::vector<std::string> jwts;         ///< every JWT received
};

struct FakeGithubOptions {
  std::string owner = "acme";
  std::string name = "web";
  std::string branch = "main";
  std::string token = "ghp_fakeTestToken0123456789"; ///< required by the server; empty: none
  bool bare = false; ///< serve a bare clone (commits are made in a work tree and pushed to it)
};

class FakeGithub {
public:
  /// Builds the repository with one commit of `files` and starts the server.
  /// @throws std::runtime_error naming the git command or the server start that failed
  explicit FakeGithub(const RepoFiles &files, FakeGithubOptions options = {});
  ~FakeGithub();
  FakeGithub(const FakeGithub &) = delete;
  FakeGithub &operator=(const FakeGithub &) = delete;

  std::string api_url() const;      ///< http://127.0.0.1:PORT
  std::string codeload_url() const; ///< http://127.0.0.1:PORT2
  const FakeGithubOptions &options() const noexcept { return options_; }
  const std::string &token() const noexcept { return options_.token; }
  std::string repo_path() const; ///< "/repos/{owner}/{name}"
  const std::filesystem::path &work_tree() const noexcept { return work_; }

  /// Writes (creating folders) and commits `files` on the branch; returns the new commit SHA.
  std::string commit(const RepoFiles &files, const std::string &message = "update");
  /// `git rm -r` of a path, committed; returns the new commit SHA.
  std::string remove(const std::string &path);
  /// `git mv from to`, committed (git sees a rename); returns the new commit SHA.
  std::string move(const std::string &from, const std::string &to);
  /// The branch's commit SHA.
  std::string head() const;
  /// The blob SHA of `path` at the branch head (what GitHub reports for the file).
  std::string content_hash(const std::string &path) const;
  /// Runs git in the work tree (`git -C work_tree args...`); returns stdout.
  /// @throws std::runtime_error with git's stderr when it fails
  std::string git(const std::vector<std::string> &args) const;

  // Controls (POST /_admin/config). Each replaces that one setting.
  void set_latency(std::chrono::milliseconds latency);
  void set_failure_rate(double rate, std::uint64_t seed = 1); ///< random 502s
  void set_fail_all(bool fail);                               ///< every request 502
  /// Primary limit: `remaining` requests left (nullopt: unlimited); reset time in unix seconds
  /// (0: an hour from each answer).
  void set_rate_limit(std::optional<int> remaining, std::int64_t reset_unix_s = 0);
  /// Secondary limit after `after` more API requests (nullopt: off), with a Retry-After in
  /// seconds when given.
  void set_secondary_limit(std::optional<int> after,
                           std::optional<int> retry_after_s = std::nullopt);
  void set_required_token(std::optional<std::string> token); ///< nullopt: anything is accepted
  void set_max_tree_entries(int entries);                    ///< 0: GitHub's 100000
  /// Any other setting, as a JSON object (see fake_github.py).
  void configure(const std::string &json_object);

  // Hostile answers (see fake_github.py); each replaces its setting, clear_hostile() ends all.
  /// Every 200 answer of `endpoint` (commit, tree, blob, contents, codeload) spoiled by `mode`:
  /// "truncate" (its first half) or "html" (an HTML page); nullopt: sent as it is.
  void set_corrupt(const std::string &endpoint, std::optional<std::string> mode);
  /// Blob and file-contents answers carry `content` as given (e.g. not base64).
  void set_blob_content(std::optional<std::string> content);
  /// Blob and file-contents answers carry `bytes` 'x' bytes instead of the file.
  void set_blob_bytes(std::optional<std::uint64_t> bytes);
  void set_tree_entries(const std::vector<FakeTreeEntry> &entries);        ///< empty: none
  void set_tarball_members(const std::vector<FakeTarballMember> &members); ///< empty: none
  void clear_hostile();

  // GitHub App authentication (see fake_github.py); set_app() first.
  /// The app: from now on every API request needs its JWT or a live installation token.
  void set_app(const FakeGithubApp &app);
  void set_app_token_ttl(std::chrono::seconds ttl); ///< tokens issued from now on
  void revoke_app_tokens();                         ///< every token issued so far
  /// After `requests` more requests carrying an installation token, every token issued so far
  /// is revoked.
  void revoke_app_tokens_after(int requests);
  void set_app_refuse_tokens(bool refuse); ///< every installation token answered 401
  void set_app_installed(bool installed);  ///< false: uninstalled (404s, tokens revoked)
  FakeGithubAppStats app_stats() const;    ///< the `app` part of GET /_admin/stats

  FakeGithubStats stats() const; ///< GET /_admin/stats
  void reset_stats();            ///< POST /_admin/reset

  // A fleet: many projects synced against this one server (fake_github.py's fleet settings).
  /// true: every /repos/{owner}/{name} is this repository (1,000 identical repositories).
  void set_any_repo(bool any);
  /// GitHub's secondary limits, enforced: more API requests in progress at once than
  /// `concurrency`, or more points (a GET 1) than `points_per_minute` in any 60 s, get 403
  /// "You have exceeded a secondary rate limit" with Retry-After `retry_after_s`. nullopt: off.
  void set_secondary_limits(std::optional<int> concurrency, std::optional<int> points_per_minute,
                            int retry_after_s = 60);

private:
  void start_server();
  void stop_server() noexcept;
  std::string commit_all(const std::string &message);
  std::string admin(const std::string &method, const std::string &path,
                    const std::string &body) const;

  FakeGithubOptions options_;
  std::filesystem::path dir_;  // temporary folder: work/ (and bare.git/)
  std::filesystem::path work_; // the work tree commits are made in
  std::filesystem::path served_;
  int pid_ = -1;
  int api_port_ = 0;
  int codeload_port_ = 0;
  std::map<std::string, std::string> corrupt_; // endpoint -> mode, as last sent
};

} // namespace leanspec::test
