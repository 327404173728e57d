#pragma once
// Internal: PostgresListener, the PostgreSQL store's ChangeListener (LISTEN/NOTIFY).

#include "db/postgres/session.hpp"
#include "db/store.hpp"
#include "db/wakeup.hpp"

#include <chrono>
#include <memory>
#include <poll.h>
#include <string>

namespace leanspec::detail::postgres {

// The channel replace_specs and remove_project notify, with the payload "<project id> <version>".
inline constexpr const char *changes_channel = "leanspec_changes";

// LISTENs on a connection of its own (see ChangeListener); a broken connection is dropped and
// the next wait() connects again (at most once per wait, so `timeout` paces the retries).
class PostgresListener final : public ChangeListener {
public:
  explicit PostgresListener(DatabaseUrl url) : url_(std::move(url)) {}

  StoreChanges wait(std::chrono::milliseconds timeout) noexcept override {
    StoreChanges changes;
    if (!conn_ || PQstatus(conn_->raw) != CONNECTION_OK) {
      conn_.reset();
      try {
        auto c = connect(url_);
        Session s(url_, c->raw, "listening for changes");
        s.exec((std::string("LISTEN ") + changes_channel).c_str());
        conn_ = std::move(c);
        changes.any = true; // whatever happened while not listening
      } catch (...) {
        pause(timeout);
        return {};
      }
    }
    collect(changes);
    if (!changes.empty())
      return changes;
    pollfd p[2] = {{PQsocket(conn_->raw), POLLIN, 0}, {wakeup_.fd(), POLLIN, 0}};
    if (::poll(p, 2, static_cast<int>(timeout.count())) <= 0)
      return changes;
    if (p[1].revents && wakeup_.drain())
      return changes;
    if (p[0].revents && !PQconsumeInput(conn_->raw)) {
      conn_.reset(); // the server went away: reconnect (and report `any`) next time
      return changes;
    }
    collect(changes);
    return changes;
  }
  void interrupt() noexcept override { wakeup_.signal(); }

private:
  void collect(StoreChanges &changes) noexcept {
    try {
      while (PGnotify *n = PQnotifies(conn_->raw)) {
        const std::string_view payload = n->extra ? n->extra : "";
        changes.projects.emplace_back(payload.substr(0, payload.rfind(' ')));
        PQfreemem(n);
      }
    } catch (...) {
      changes.any = true; // out of memory: say "anything"
    }
  }
  void pause(std::chrono::milliseconds timeout) noexcept {
    pollfd p{wakeup_.fd(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) > 0)
      wakeup_.drain();
  }

  DatabaseUrl url_;
  std::unique_ptr<Connection> conn_;
  Wakeup wakeup_;
};

} // namespace leanspec::detail::postgres
