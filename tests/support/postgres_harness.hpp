#pragma once
// PostgresHarness: a real PostgreSQL 15 server for the store tests, started on first use and
// stopped (and its folder removed) when the test process exits. initdb and pg_ctl come from
// Debian's postgresql-15 package (/usr/lib/postgresql/15/bin, or LEANSPEC_PG_BINDIR); as root
// they run as the `postgres` user, since initdb refuses root. The server lives in a fresh
// temporary folder, listens on a Unix socket there (the superuser, trusted) and on 127.0.0.1 at
// a free port (role `leanspec`, password-protected, owner of database `leanspec_test`). Each
// test gets its own schema through the URL's search_path, so tests never see each other's rows.
// Never a silent skip: when the server cannot start, instance() throws with initdb's or the
// server's log. Single-thread (tests call it from the doctest thread).

#include <string>
#include <string_view>

namespace leanspec::test {

class PostgresHarness {
public:
  /// The process's server, started on the first call.
  /// @throws std::runtime_error naming what failed, with the log's tail (every call)
  static PostgresHarness &instance();

  PostgresHarness(const PostgresHarness &) = delete;
  PostgresHarness &operator=(const PostgresHarness &) = delete;
  ~PostgresHarness();

  /// Creates an empty schema owned by `leanspec` and returns its name.
  std::string fresh_schema();
  /// A postgresql:// URL over TCP as `leanspec` whose search_path is `schema`.
  std::string url(std::string_view schema) const;
  /// The same with another password (for authentication failures).
  std::string url_with_password(std::string_view schema, std::string_view password) const;
  /// Runs `sql` as the superuser in database leanspec_test with search_path `schema`; returns
  /// the first column of the first row ("" when there is none).
  /// @throws std::runtime_error with the server's message
  std::string query(std::string_view schema, std::string_view sql);

  /// Stops the server (clients see their connections break), and starts it again on the same
  /// port with the same data: for tests of what happens while the database is down.
  /// @throws std::runtime_error with pg_ctl's log when pg_ctl fails
  void stop_server();
  void start_server();

  int port() const noexcept { return port_; }
  const std::string &password() const noexcept { return password_; }

private:
  PostgresHarness() = default;
  void start();
  void stop() noexcept;

  std::string dir_;     // the temporary folder: data/, the socket, logs
  std::string bin_dir_; // initdb, pg_ctl
  int port_ = 0;
  std::string password_ = "leanspec-Secret-7f3a";
  int schemas_ = 0;
  bool running_ = false;
  std::string server_options_; // pg_ctl -o, kept for start_server()
  int owner_pid_ = 0; // the process that started the server (forked children leave it alone)
};

} // namespace leanspec::test
