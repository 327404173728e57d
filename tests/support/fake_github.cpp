// FakeGithub of tests/support/fake_github.hpp: git and the server run as child processes
// (posix_spawn), admin calls are plain libcurl easy requests, stats are read with simdjson.
#include "support/fake_github.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <curl/curl.h>
#include <fcntl.h>
#include <fstream>
#include <memory>
#include <poll.h>
#include <signal.h>
#include <simdjson.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

extern char **environ;

namespace leanspec::test {

namespace {

struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (::pipe2(fd, O_CLOEXEC) != 0)
      throw std::runtime_error("FakeGithub: pipe failed");
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  Pipe(const Pipe &) = delete;
  Pipe &operator=(const Pipe &) = delete;
  void close_read() noexcept {
    if (fd[0] >= 0)
      ::close(fd[0]);
    fd[0] = -1;
  }
  void close_write() noexcept {
    if (fd[1] >= 0)
      ::close(fd[1]);
    fd[1] = -1;
  }
};

struct SpawnActions {
  posix_spawn_file_actions_t actions;
  SpawnActions() { posix_spawn_file_actions_init(&actions); }
  ~SpawnActions() { posix_spawn_file_actions_destroy(&actions); }
  SpawnActions(const SpawnActions &) = delete;
  SpawnActions &operator=(const SpawnActions &) = delete;
};

// The environment of children: ours, with git isolated from the user's and system's config.
std::vector<std::string> child_environment() {
  std::vector<std::string> env;
  for (char **e = environ; *e; ++e) {
    const std::string_view entry(*e);
    if (!entry.starts_with("GIT_"))
      env.emplace_back(entry);
  }
  env.emplace_back("GIT_CONFIG_NOSYSTEM=1");
  env.emplace_back("GIT_CONFIG_GLOBAL=/dev/null");
  env.emplace_back("GIT_AUTHOR_NAME=FakeGithub");
  env.emplace_back("GIT_AUTHOR_EMAIL=fake@github.test");
  env.emplace_back("GIT_COMMITTER_NAME=FakeGithub");
  env.emplace_back("GIT_COMMITTER_EMAIL=fake@github.test");
  return env;
}

std::vector<char *> c_strings(std::vector<std::string> &strings) {
  std::vector<char *> out;
  for (std::string &s : strings)
    out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

pid_t spawn(std::vector<std::string> argv, const SpawnActions &actions) {
  std::vector<std::string> env = child_environment();
  std::vector<char *> c_argv = c_strings(argv);
  std::vector<char *> c_env = c_strings(env);
  pid_t pid = -1;
  if (const int rc =
          posix_spawn(&pid, c_argv[0], &actions.actions, nullptr, c_argv.data(), c_env.data());
      rc != 0)
    throw std::runtime_error("FakeGithub: cannot start " + argv[0] + ": " + std::strerror(rc));
  return pid;
}

// Runs argv to completion; returns its stdout, throws with its stderr when it fails.
std::string run(const std::vector<std::string> &argv) {
  Pipe out, err;
  SpawnActions actions;
  posix_spawn_file_actions_adddup2(&actions.actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions.actions, err.fd[1], 2);
  const pid_t pid = spawn(argv, actions);
  out.close_write();
  err.close_write();
  std::string text[2];
  pollfd fds[2] = {{out.fd[0], POLLIN, 0}, {err.fd[0], POLLIN, 0}};
  int open = 2;
  while (open > 0) {
    if (::poll(fds, 2, -1) < 0 && errno != EINTR)
      break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      char buffer[4096];
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        text[i].append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string command;
    for (const std::string &a : argv)
      command += (command.empty() ? "" : " ") + a;
    throw std::runtime_error("FakeGithub: '" + command + "' failed: " + text[1]);
  }
  return text[0];
}

std::string trim_newline(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  return text;
}

std::size_t append_body(char *data, std::size_t size, std::size_t count, void *user) {
  static_cast<std::string *>(user)->append(data, size * count);
  return size * count;
}

std::string json_string(const std::string &text) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) { // NUL and other control bytes, as JSON escapes
      out += "\\u00";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// The fleet settings' counters of GET /_admin/stats (defined with the fleet's functions below).
void read_fleet_stats(const simdjson::dom::element &root, FakeGithubStats &stats);

template <class T> std::string json_optional(const std::optional<T> &value) {
  if (!value)
    return "null";
  if constexpr (std::is_same_v<T, std::string>)
    return json_string(*value);
  else
    return std::to_string(*value);
}

} // namespace

FakeGithub::FakeGithub(const RepoFiles &files, FakeGithubOptions options)
    : options_(std::move(options)) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / "leanspec-github-XXXXXX").string();
  if (!::mkdtemp(pattern.data()))
    throw std::runtime_error("FakeGithub: mkdtemp failed");
  dir_ = pattern;
  work_ = dir_ / "work";
  try {
    run({"/usr/bin/git", "init", "-q", "-b", options_.branch, work_.string()});
    git({"config", "commit.gpgsign", "false"});
    commit(files.empty() ? RepoFiles{{"README.md", "# test repository\n"}} : files, "initial");
    served_ = work_;
    if (options_.bare) {
      served_ = dir_ / "bare.git";
      run({"/usr/bin/git", "clone", "-q", "--bare", work_.string(), served_.string()});
      git({"remote", "add", "origin", served_.string()});
    }
    start_server();
  } catch (...) {
    stop_server();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    throw;
  }
}

FakeGithub::~FakeGithub() {
  stop_server();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

void FakeGithub::start_server() {
  Pipe out;
  SpawnActions actions;
  posix_spawn_file_actions_adddup2(&actions.actions, out.fd[1], 1);
  std::vector<std::string> argv = {LEANSPEC_PYTHON3, LEANSPEC_FAKE_GITHUB_SCRIPT,
                                   "--repo",         served_.string(),
                                   "--owner",        options_.owner,
                                   "--name",         options_.name,
                                   "--parent-pid",   std::to_string(::getpid())};
  if (!options_.token.empty()) {
    argv.emplace_back("--token");
    argv.push_back(options_.token);
  }
  pid_ = spawn(argv, actions);
  out.close_write();
  // The first line is "API_PORT CODELOAD_PORT"; wait at most 20 s for it.
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (line.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd fd = {out.fd[0], POLLIN, 0};
    if (left.count() <= 0 || ::poll(&fd, 1, static_cast<int>(left.count())) == 0)
      throw std::runtime_error("FakeGithub: no port line from fake_github.py within 20 s");
    char buffer[256];
    const ssize_t n = ::read(out.fd[0], buffer, sizeof buffer);
    if (n == 0)
      throw std::runtime_error("FakeGithub: fake_github.py exited before printing its ports "
                               "(its stderr is above)");
    if (n > 0)
      line.append(buffer, static_cast<std::size_t>(n));
  }
  if (std::sscanf(line.c_str(), "%d %d", &api_port_, &codeload_port_) != 2)
    throw std::runtime_error("FakeGithub: unexpected port line '" + line + "'");
}

void FakeGithub::stop_server() noexcept {
  if (pid_ <= 0)
    return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 500; ++i) { // 5 s
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string FakeGithub::api_url() const { return "http://127.0.0.1:" + std::to_string(api_port_); }

std::string FakeGithub::codeload_url() const {
  return "http://127.0.0.1:" + std::to_string(codeload_port_);
}

std::string FakeGithub::repo_path() const {
  return "/repos/" + options_.owner + "/" + options_.name;
}

std::string FakeGithub::git(const std::vector<std::string> &args) const {
  std::vector<std::string> argv = {"/usr/bin/git", "-C", work_.string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv);
}

std::string FakeGithub::commit_all(const std::string &message) {
  git({"add", "-A"});
  git({"commit", "-q", "--allow-empty", "-m", message});
  if (served_ != work_ && !served_.empty())
    git({"push", "-q", "--force", "origin", options_.branch});
  return head();
}

std::string FakeGithub::commit(const RepoFiles &files, const std::string &message) {
  for (const auto &[path, content] : files) {
    const std::filesystem::path file = work_ / path;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary | std::ios::trunc) << content;
  }
  return commit_all(message);
}

std::string FakeGithub::remove(const std::string &path) {
  git({"rm", "-q", "-r", "--", path});
  return commit_all("remove " + path);
}

std::string FakeGithub::move(const std::string &from, const std::string &to) {
  std::filesystem::create_directories((work_ / to).parent_path());
  git({"mv", "--", from, to});
  return commit_all("move " + from + " to " + to);
}

std::string FakeGithub::head() const {
  return trim_newline(git({"rev-parse", "refs/heads/" + options_.branch}));
}

std::string FakeGithub::content_hash(const std::string &path) const {
  return trim_newline(git({"rev-parse", "refs/heads/" + options_.branch + ":" + path}));
}

std::string FakeGithub::admin(const std::string &method, const std::string &path,
                              const std::string &body) const {
  struct EasyDeleter {
    void operator()(CURL *e) const noexcept { curl_easy_cleanup(e); }
  };
  const std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy)
    throw std::runtime_error("FakeGithub: curl_easy_init failed");
  const std::string url = api_url() + path;
  std::string answer;
  curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT_MS, 10'000L);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, &append_body);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &answer);
  if (method == "POST") {
    curl_easy_setopt(easy.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(easy.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  const CURLcode rc = curl_easy_perform(easy.get());
  long status = 0;
  curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status);
  if (rc != CURLE_OK || status != 200)
    throw std::runtime_error("FakeGithub: " + method + " " + path + " failed (" +
                             curl_easy_strerror(rc) + ", HTTP " + std::to_string(status) +
                             "): " + answer);
  return answer;
}

void FakeGithub::configure(const std::string &json_object) {
  admin("POST", "/_admin/config", json_object);
}

void FakeGithub::set_latency(std::chrono::milliseconds latency) {
  configure("{\"latency_ms\": " + std::to_string(latency.count()) + "}");
}

void FakeGithub::set_failure_rate(double rate, std::uint64_t seed) {
  configure("{\"fail_rate\": " + std::to_string(rate) + ", \"fail_seed\": " + std::to_string(seed) +
            "}");
}

void FakeGithub::set_fail_all(bool fail) {
  configure(std::string("{\"fail_all\": ") + (fail ? "true" : "false") + "}");
}

void FakeGithub::set_rate_limit(std::optional<int> remaining, std::int64_t reset_unix_s) {
  configure("{\"rate_limit\": " + json_optional(remaining) + ", \"rate_limit_reset\": " +
            (reset_unix_s > 0 ? std::to_string(reset_unix_s) : std::string("null")) + "}");
}

void FakeGithub::set_secondary_limit(std::optional<int> after, std::optional<int> retry_after_s) {
  configure("{\"secondary_after\": " + json_optional(after) +
            ", \"secondary_retry_after\": " + json_optional(retry_after_s) + "}");
}

void FakeGithub::set_required_token(std::optional<std::string> token) {
  configure("{\"token\": " + json_optional(token) + "}");
}

void FakeGithub::set_max_tree_entries(int entries) {
  configure("{\"max_tree_entries\": " + std::to_string(entries) + "}");
}

void FakeGithub::set_corrupt(const std::string &endpoint, std::optional<std::string> mode) {
  if (mode)
    corrupt_[endpoint] = *mode;
  else
    corrupt_.erase(endpoint);
  std::string object;
  for (const auto &[name, how] : corrupt_)
    object += (object.empty() ? "" : ", ") + json_string(name) + ": " + json_string(how);
  configure("{\"corrupt\": {" + object + "}}");
}

void FakeGithub::set_blob_content(std::optional<std::string> content) {
  configure("{\"blob_content\": " + json_optional(content) + "}");
}

void FakeGithub::set_blob_bytes(std::optional<std::uint64_t> bytes) {
  configure("{\"blob_bytes\": " + json_optional(bytes) + "}");
}

void FakeGithub::set_tree_entries(const std::vector<FakeTreeEntry> &entries) {
  std::string list;
  for (const FakeTreeEntry &e : entries) {
    std::string item = "\"path\": " + json_string(e.path);
    if (e.mode)
      item += ", \"mode\": " + json_string(*e.mode);
    if (e.type)
      item += ", \"type\": " + json_string(*e.type);
    if (e.sha)
      item += ", \"sha\": " + json_string(*e.sha);
    if (e.size)
      item += ", \"size\": " + std::to_string(*e.size);
    if (e.patch)
      item += ", \"patch\": true";
    list += (list.empty() ? "{" : ", {") + item + "}";
  }
  configure("{\"tree_entries\": " + (list.empty() ? "null" : "[" + list + "]") + "}");
}

void FakeGithub::set_tarball_members(const std::vector<FakeTarballMember> &members) {
  std::string list;
  for (const FakeTarballMember &m : members) {
    std::string item = "\"name\": " + json_string(m.name) + ", \"type\": " + json_string(m.type);
    if (m.size)
      item += ", \"size\": " + std::to_string(*m.size);
    else
      item += ", \"data\": " + json_string(m.data);
    if (!m.target.empty())
      item += ", \"target\": " + json_string(m.target);
    list += (list.empty() ? "{" : ", {") + item + "}";
  }
  configure("{\"tarball_members\": " + (list.empty() ? "null" : "[" + list + "]") + "}");
}

void FakeGithub::clear_hostile() {
  corrupt_.clear();
  configure(R"({"corrupt": null, "blob_content": null, "blob_bytes": null, )"
            R"("tree_entries": null, "tarball_members": null})");
}

void FakeGithub::reset_stats() { admin("POST", "/_admin/reset", "{}"); }

FakeGithubStats FakeGithub::stats() const {
  const std::string text = admin("GET", "/_admin/stats", "");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(text).get(root))
    throw std::runtime_error("FakeGithub: stats are not JSON: " + text);
  FakeGithubStats stats;
  auto number = [&](const char *key) {
    std::int64_t value = 0;
    if (root[key].get(value))
      throw std::runtime_error(std::string("FakeGithub: stats lack ") + key);
    return value;
  };
  stats.total = number("total");
  stats.not_modified = number("not_modified");
  stats.failed = number("failed");
  stats.rate_limited = number("rate_limited");
  stats.unauthorized = number("unauthorized");
  stats.connections = number("connections");
  stats.codeload_connections = number("codeload_connections");
  stats.max_concurrent = number("max_concurrent");
  stats.api_authorization_missing = number("api_authorization_missing");
  simdjson::dom::object requests;
  if (!root["requests"].get(requests))
    for (const auto field : requests)
      stats.by_endpoint[std::string(field.key)] = field.value.get_int64().value_unsafe();
  simdjson::dom::array seen;
  if (!root["codeload_authorization"].get(seen))
    for (const auto value : seen) {
      std::string_view header;
      if (value.get(header))
        stats.codeload_authorization.emplace_back(std::nullopt);
      else
        stats.codeload_authorization.emplace_back(std::string(header));
    }
  simdjson::dom::array paths;
  if (!root["paths"].get(paths))
    for (const auto value : paths)
      stats.paths.emplace_back(std::string(value.get_string().value_unsafe()));
  read_fleet_stats(root, stats);
  return stats;
}

// ---- a fleet ------------------------------------------------------------------------------

namespace {

void read_fleet_stats(const simdjson::dom::element &root, FakeGithubStats &stats) {
  std::int64_t value = 0;
  if (!root["conditional"].get(value))
    stats.conditional = value;
  if (!root["primary_counted"].get(value))
    stats.primary_counted = value;
  if (!root["secondary_limited"].get(value))
    stats.secondary_limited = value;
  simdjson::dom::object by_status;
  if (!root["by_status"].get(by_status))
    for (const auto field : by_status)
      stats.by_status[std::string(field.key)] = field.value.get_int64().value_unsafe();
}

} // namespace

void FakeGithub::set_any_repo(bool any) {
  configure(std::string("{\"any_repo\": ") + (any ? "true" : "false") + "}");
}

void FakeGithub::set_secondary_limits(std::optional<int> concurrency,
                                      std::optional<int> points_per_minute, int retry_after_s) {
  configure("{\"secondary_concurrency\": " + json_optional(concurrency) +
            ", \"secondary_points_per_minute\": " + json_optional(points_per_minute) +
            ", \"secondary_limit_retry_after\": " + std::to_string(retry_after_s) + "}");
}

// ---- GitHub App authentication ---------------------------------------------------------------

void FakeGithub::set_app(const FakeGithubApp &app) {
  configure("{\"app\": {\"id\": " + std::to_string(app.id) + ", \"modulus\": " +
            json_string(app.modulus_hex) + ", \"exponent\": " + std::to_string(app.exponent) +
            ", \"installation_id\": " + std::to_string(app.installation_id) +
            ", \"token_ttl_s\": " + std::to_string(app.token_ttl_s) + "}}");
}

void FakeGithub::set_app_token_ttl(std::chrono::seconds ttl) {
  configure("{\"app_token_ttl_s\": " + std::to_string(ttl.count()) + "}");
}

void FakeGithub::revoke_app_tokens() { configure(R"({"app_revoke_tokens": true})"); }

void FakeGithub::revoke_app_tokens_after(int requests) {
  configure("{\"app_revoke_after\": " + std::to_string(requests) + "}");
}

void FakeGithub::set_app_refuse_tokens(bool refuse) {
  configure(std::string("{\"app_refuse_tokens\": ") + (refuse ? "true" : "false") + "}");
}

void FakeGithub::set_app_installed(bool installed) {
  configure(std::string("{\"app_installed\": ") + (installed ? "true" : "false") + "}");
}

FakeGithubAppStats FakeGithub::app_stats() const {
  const std::string text = admin("GET", "/_admin/stats", "");
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::dom::object app;
  if (parser.parse(text).get(root) || root["app"].get(app))
    throw std::runtime_error("FakeGithub: no app in the stats: " + text);
  FakeGithubAppStats stats;
  const auto number = [&](const char *key) { return app[key].get_int64().value_unsafe(); };
  stats.access_tokens = number("access_tokens");
  stats.installation_lookups = number("installation_lookups");
  stats.jwt_rejected = number("jwt_rejected");
  stats.token_rejected = number("token_rejected");
  for (const char *key : {"tokens", "jwts"}) {
    auto &list = std::string_view(key) == "tokens" ? stats.tokens : stats.jwts;
    simdjson::dom::array values;
    if (!app[key].get(values))
      for (const auto value : values)
        list.emplace_back(std::string(value.get_string().value_unsafe()));
  }
  return stats;
}

} // namespace leanspec::test
