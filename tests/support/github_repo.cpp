// Implements tests/support/github_repo.hpp: git through the shell, the fake server through
// posix_spawn and one-shot HTTP/1.0 requests to its admin routes.
#include "support/github_repo.hpp"

#include <arpa/inet.h>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <netinet/in.h>
#include <simdjson.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace leanspec::test {

namespace fs = std::filesystem;

std::string shell_quote(std::string_view s) {
  std::string out = "'";
  for (const char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string sh(const std::string &command) {
  std::string out;
  FILE *pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (!pipe)
    throw std::runtime_error("popen failed: " + command);
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    out.append(buffer, n);
  if (::pclose(pipe) != 0)
    throw std::runtime_error("command failed: " + command + "\n" + out);
  return out;
}

GitRepo::GitRepo(fs::path dir) : dir_(std::move(dir)) {
  fs::create_directories(dir_);
  git("init -q -b main");
}

std::string GitRepo::git(const std::string &args) const {
  return sh("git -C " + shell_quote(dir_.string()) +
            " -c user.name=test -c user.email=test@example.com -c commit.gpgsign=false " + args);
}

void GitRepo::write(const std::string &relative, std::string_view content) const {
  const fs::path path = dir_ / relative;
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

void GitRepo::remove(const std::string &relative) const { fs::remove_all(dir_ / relative); }

std::string GitRepo::commit(const std::string &message) const {
  git("add -A");
  git("commit -q --allow-empty -m " + shell_quote(message));
  return head();
}

std::string GitRepo::head() const {
  std::string sha = git("rev-parse HEAD");
  while (!sha.empty() && sha.back() == '\n')
    sha.pop_back();
  return sha;
}

namespace {

// One HTTP/1.0 request to 127.0.0.1:port; returns the body of a 200 answer.
std::string http(int port, const std::string &method, const std::string &path,
                 const std::string &body = {}) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    throw std::runtime_error("socket failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot connect to the fake GitHub server");
  }
  const std::string request =
      method + " " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n" +
      "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n" + body;
  for (std::size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      break;
    sent += static_cast<std::size_t>(n);
  }
  std::string response;
  char buffer[4096];
  for (ssize_t n; (n = ::recv(fd, buffer, sizeof buffer, 0)) > 0;)
    response.append(buffer, static_cast<std::size_t>(n));
  ::close(fd);
  if (response.compare(9, 3, "200") != 0)
    throw std::runtime_error("admin request " + path + " failed: " + response.substr(0, 200));
  const auto at = response.find("\r\n\r\n");
  return at == std::string::npos ? std::string() : response.substr(at + 4);
}

} // namespace

FakeGithubServer::FakeGithubServer(const GitRepo &repo, const std::string &script) {
  int out[2];
  if (::pipe(out) != 0)
    throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, out[0]);
  std::vector<std::string> args = {
      "/usr/bin/python3", script, "--repo",       repo.dir().string(),       "--owner", "acme",
      "--name",           "web",  "--parent-pid", std::to_string(::getpid())};
  std::vector<char *> argv;
  for (auto &a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    throw std::runtime_error("cannot start the fake GitHub server " + script);
  }
  pid_ = pid;
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n')
    line += c;
  ::close(out[0]);
  if (std::sscanf(line.c_str(), "%d %d", &api_port_, &codeload_port_) != 2) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    throw std::runtime_error("the fake GitHub server did not start: '" + line + "'");
  }
}

FakeGithubServer::~FakeGithubServer() {
  ::kill(pid_, SIGTERM);
  ::waitpid(pid_, nullptr, 0);
}

void FakeGithubServer::configure(const std::string &json) const {
  http(api_port_, "POST", "/_admin/config", json);
}

void FakeGithubServer::reset() const { http(api_port_, "POST", "/_admin/reset"); }

FakeGithubServer::Stats FakeGithubServer::stats() const {
  const std::string body = http(api_port_, "GET", "/_admin/stats");
  simdjson::dom::parser parser;
  const simdjson::dom::element root = parser.parse(body);
  Stats s;
  for (auto field : root["requests"].get_object())
    s.requests[std::string(field.key)] = field.value.get_int64();
  s.total = root["total"].get_int64();
  s.not_modified = root["not_modified"].get_int64();
  return s;
}

} // namespace leanspec::test
