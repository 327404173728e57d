// Implements tests/support/postgres_harness.hpp.
#include "support/postgres_harness.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <grp.h>
#include <libpq-fe.h>
#include <memory>
#include <netinet/in.h>
#include <pwd.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace leanspec::test {
namespace {

struct ServerUser {
  uid_t uid;
  gid_t gid;
  bool switch_user; // running as root: become `postgres`
};

ServerUser server_user() {
  if (::geteuid() != 0)
    return {::geteuid(), ::getegid(), false};
  const passwd *pw = ::getpwnam("postgres");
  if (!pw)
    throw std::runtime_error("PostgresHarness: running as root, but there is no 'postgres' user "
                             "to run the server as (install Debian's postgresql package)");
  return {pw->pw_uid, pw->pw_gid, true};
}

std::string tail(const std::string &path, std::size_t bytes = 3000) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  return text.size() > bytes ? "..." + text.substr(text.size() - bytes) : text;
}

// Runs argv[0] (a path) as the server user in `cwd`, output appended to `log`; the exit status.
int run(const std::vector<std::string> &argv, const std::string &log, const std::string &cwd,
        const ServerUser &user) {
  std::vector<char *> args;
  for (const auto &a : argv)
    args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::runtime_error("PostgresHarness: cannot write " + log);
  if (::fchown(fd, user.uid, user.gid) != 0 && user.switch_user) {
    ::close(fd);
    throw std::runtime_error("PostgresHarness: cannot chown " + log);
  }
  const pid_t pid = ::fork();
  if (pid == 0) { // only async-signal-safe calls until exec
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    const int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0)
      ::dup2(null, 0);
    if (user.switch_user &&
        (::setgroups(0, nullptr) != 0 || ::setgid(user.gid) != 0 || ::setuid(user.uid) != 0))
      ::_exit(126);
    if (::chdir(cwd.c_str()) != 0)
      ::_exit(126);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(fd);
  if (pid < 0)
    throw std::runtime_error("PostgresHarness: fork failed");
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (s < 0 || ::bind(s, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 ||
      ::getsockname(s, reinterpret_cast<sockaddr *>(&address), &size) != 0) {
    if (s >= 0)
      ::close(s);
    throw std::runtime_error("PostgresHarness: no free TCP port on 127.0.0.1");
  }
  ::close(s);
  return ntohs(address.sin_port);
}

struct ConnDeleter {
  void operator()(PGconn *c) const noexcept { PQfinish(c); }
};
struct ResultDeleter {
  void operator()(PGresult *r) const noexcept { PQclear(r); }
};

} // namespace

PostgresHarness &PostgresHarness::instance() {
  static PostgresHarness harness; // stopped by its destructor at exit
  static std::string failure;
  static bool tried = false;
  if (!tried) {
    tried = true;
    try {
      harness.start();
    } catch (const std::exception &e) {
      failure = e.what();
      harness.stop();
    }
  }
  if (!failure.empty())
    throw std::runtime_error(failure);
  return harness;
}

PostgresHarness::~PostgresHarness() { stop(); }

void PostgresHarness::start() {
  owner_pid_ = ::getpid();
  const char *env = std::getenv("LEANSPEC_PG_BINDIR");
  bin_dir_ = env && *env ? env : "/usr/lib/postgresql/15/bin";
  if (::access((bin_dir_ + "/initdb").c_str(), X_OK) != 0 ||
      ::access((bin_dir_ + "/pg_ctl").c_str(), X_OK) != 0)
    throw std::runtime_error("PostgresHarness: no initdb/pg_ctl in " + bin_dir_ +
                             ": install Debian's postgresql-15 package (scripts/deps.sh) or set "
                             "LEANSPEC_PG_BINDIR");
  const ServerUser user = server_user();
  char pattern[] = "/tmp/leanspec-pg-XXXXXX";
  if (!::mkdtemp(pattern))
    throw std::runtime_error("PostgresHarness: cannot create a temporary folder");
  dir_ = pattern;
  if (::chown(dir_.c_str(), user.uid, user.gid) != 0 && user.switch_user)
    throw std::runtime_error("PostgresHarness: cannot chown " + dir_ + " to postgres");
  ::chmod(dir_.c_str(), 0700);

  const std::string data = dir_ + "/data";
  const std::string initdb_log = dir_ + "/initdb.log";
  if (const int rc = run({bin_dir_ + "/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E",
                          "UTF8", "--locale=C", "--no-sync", "--no-instructions"},
                         initdb_log, dir_, user);
      rc != 0)
    throw std::runtime_error("PostgresHarness: initdb failed (exit " + std::to_string(rc) + "):\n" +
                             tail(initdb_log));
  {
    std::ofstream hba(data + "/pg_hba.conf", std::ios::trunc);
    hba << "local all all trust\n"
        << "host all all 127.0.0.1/32 scram-sha-256\n";
  }
  if (::chown((data + "/pg_hba.conf").c_str(), user.uid, user.gid) != 0 && user.switch_user)
    throw std::runtime_error("PostgresHarness: cannot chown pg_hba.conf");

  const std::string server_log = dir_ + "/server.log";
  for (int attempt = 0; attempt < 3 && !running_; ++attempt) {
    port_ = free_port();
    const std::string options = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) +
                                " -k " + dir_ +
                                " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                                " -c max_connections=60";
    const int rc = run({bin_dir_ + "/pg_ctl", "-D", data, "-l", server_log, "-w", "-t", "60", "-o",
                        options, "start"},
                       dir_ + "/pg_ctl.log", dir_, user);
    running_ = rc == 0;
    server_options_ = options;
  }
  if (!running_)
    throw std::runtime_error("PostgresHarness: the server did not start (pg_ctl start):\n" +
                             tail(dir_ + "/pg_ctl.log") + "\nserver log:\n" + tail(server_log));

  const std::string admin =
      "host=" + dir_ + " port=" + std::to_string(port_) + " user=postgres dbname=postgres";
  const std::unique_ptr<PGconn, ConnDeleter> c(PQconnectdb(admin.c_str()));
  if (PQstatus(c.get()) != CONNECTION_OK)
    throw std::runtime_error(std::string("PostgresHarness: cannot connect as postgres: ") +
                             PQerrorMessage(c.get()));
  for (const std::string &sql : {"CREATE ROLE leanspec LOGIN PASSWORD '" + password_ + "'",
                                 std::string("CREATE DATABASE leanspec_test OWNER leanspec")}) {
    const std::unique_ptr<PGresult, ResultDeleter> r(PQexec(c.get(), sql.c_str()));
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK)
      throw std::runtime_error("PostgresHarness: " + sql + ": " + PQerrorMessage(c.get()));
  }
}

void PostgresHarness::stop() noexcept {
  if (dir_.empty() || ::getpid() != owner_pid_)
    return; // a forked child never stops its parent's server
  if (running_) {
    try {
      run({bin_dir_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "stop"},
          dir_ + "/pg_ctl.log", dir_, server_user());
    } catch (...) {
    }
    running_ = false;
  }
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  dir_.clear();
}

void PostgresHarness::stop_server() {
  if (!running_)
    return;
  if (const int rc = run({bin_dir_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "fast", "-w", "stop"},
                         dir_ + "/pg_ctl.log", dir_, server_user());
      rc != 0)
    throw std::runtime_error("PostgresHarness: pg_ctl stop failed:\n" + tail(dir_ + "/pg_ctl.log"));
  running_ = false;
}

void PostgresHarness::start_server() {
  if (running_)
    return;
  if (const int rc = run({bin_dir_ + "/pg_ctl", "-D", dir_ + "/data", "-l", dir_ + "/server.log",
                          "-w", "-t", "60", "-o", server_options_, "start"},
                         dir_ + "/pg_ctl.log", dir_, server_user());
      rc != 0)
    throw std::runtime_error("PostgresHarness: pg_ctl start failed:\n" +
                             tail(dir_ + "/pg_ctl.log") + "\nserver log:\n" +
                             tail(dir_ + "/server.log"));
  running_ = true;
}

std::string PostgresHarness::fresh_schema() {
  const std::string name = "t" + std::to_string(::getpid()) + "_" + std::to_string(++schemas_);
  query("public", "CREATE SCHEMA " + name + " AUTHORIZATION leanspec");
  return name;
}

std::string PostgresHarness::url(std::string_view schema) const {
  return url_with_password(schema, password_);
}

std::string PostgresHarness::url_with_password(std::string_view schema,
                                               std::string_view password) const {
  return "postgresql://leanspec:" + std::string(password) + "@127.0.0.1:" + std::to_string(port_) +
         "/leanspec_test?options=-csearch_path%3D" + std::string(schema);
}

std::string PostgresHarness::query(std::string_view schema, std::string_view sql) {
  const std::string conninfo =
      "host=" + dir_ + " port=" + std::to_string(port_) + " user=postgres dbname=leanspec_test";
  const std::unique_ptr<PGconn, ConnDeleter> c(PQconnectdb(conninfo.c_str()));
  if (PQstatus(c.get()) != CONNECTION_OK)
    throw std::runtime_error(std::string("PostgresHarness: cannot connect: ") +
                             PQerrorMessage(c.get()));
  const std::string script = "SET search_path TO " + std::string(schema) + "; " + std::string(sql);
  const std::unique_ptr<PGresult, ResultDeleter> r(PQexec(c.get(), script.c_str()));
  const ExecStatusType status = PQresultStatus(r.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
    throw std::runtime_error("PostgresHarness: " + std::string(sql) + ": " +
                             PQerrorMessage(c.get()));
  if (status != PGRES_TUPLES_OK || PQntuples(r.get()) == 0)
    return {};
  return PQgetvalue(r.get(), 0, 0);
}

} // namespace leanspec::test
