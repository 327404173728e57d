#pragma once
// Test and benchmark support for the GitHub sync: GitRepo, a git repository with a work tree
// built by the test (committing moves `main`, which is what a push does), and
// FakeGithubServer, tests/support/fake_github.py started over it as acme/web on 127.0.0.1,
// with its admin routes (settings, counters). Both clean up on destruction. Single-thread.

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace leanspec::test {

/// Runs a shell command; returns its output (stdout and stderr).
/// @throws std::runtime_error when it fails, with the output
std::string sh(const std::string &command);
std::string shell_quote(std::string_view s);

class GitRepo {
public:
  /// `git init -b main` in `dir` (created).
  explicit GitRepo(std::filesystem::path dir);
  const std::filesystem::path &dir() const noexcept { return dir_; }
  /// Runs git in the repository with a fixed identity; returns its output.
  std::string git(const std::string &args) const;
  void write(const std::string &relative, std::string_view content) const;
  void remove(const std::string &relative) const;
  /// `git add -A && git commit`; returns the new head.
  std::string commit(const std::string &message = "change") const;
  std::string head() const;

private:
  std::filesystem::path dir_;
};

class FakeGithubServer {
public:
  /// Starts the server over `repo` (the script path is compiled in: LEANSPEC_FAKE_GITHUB).
  /// @throws std::runtime_error when it does not start
  explicit FakeGithubServer(const GitRepo &repo, const std::string &script);
  ~FakeGithubServer();
  FakeGithubServer(const FakeGithubServer &) = delete;
  FakeGithubServer &operator=(const FakeGithubServer &) = delete;

  std::string api_url() const { return "http://127.0.0.1:" + std::to_string(api_port_); }
  /// POST /_admin/config with a JSON object of settings (latency_ms, fail_rate, ...).
  void configure(const std::string &json) const;
  /// Zeroes the counters.
  void reset() const;

  struct Stats {
    std::map<std::string, std::int64_t> requests; ///< by endpoint: commit, tree, blob, ...
    std::int64_t total = 0, not_modified = 0;
    std::int64_t count(const std::string &endpoint) const {
      const auto it = requests.find(endpoint);
      return it == requests.end() ? 0 : it->second;
    }
  };
  Stats stats() const;

private:
  int pid_ = -1;
  int api_port_ = 0, codeload_port_ = 0;
};

} // namespace leanspec::test
