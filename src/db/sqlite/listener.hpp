#pragma once
// Internal: SqliteListener, the SQLite store's ChangeListener (PRAGMA data_version).

#include "db/sqlite/connection.hpp"
#include "db/store.hpp"
#include "db/wakeup.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <poll.h>
#include <string>

namespace leanspec::detail::sqlite {

// Polls PRAGMA data_version every 50 ms on a connection of its own (see ChangeListener).
class SqliteListener final : public ChangeListener {
public:
  explicit SqliteListener(std::string path) : path_(std::move(path)) {}

  StoreChanges wait(std::chrono::milliseconds timeout) noexcept override {
    constexpr auto period = std::chrono::milliseconds(50);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (moved())
        return {{}, true};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        return {};
      pollfd p{wakeup_.fd(), POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(std::min(left, period).count())) > 0 && wakeup_.drain())
        return {};
    }
  }
  void interrupt() noexcept override { wakeup_.signal(); }

private:
  // True when data_version differs from the last reading (or there was none, or it failed).
  bool moved() noexcept {
    try {
      if (!db_)
        db_ = connect(path_);
      SQLite::Statement q(*db_, "PRAGMA data_version");
      q.executeStep();
      const std::int64_t version = q.getColumn(0).getInt64();
      const bool changed = !seen_ || version != last_;
      last_ = version;
      seen_ = true;
      return changed;
    } catch (...) {
      db_.reset(); // reopened by the next check; meanwhile, report a possible change
      seen_ = false;
      return true;
    }
  }

  std::string path_;
  std::unique_ptr<Connection> db_;
  std::int64_t last_ = 0;
  bool seen_ = false;
  Wakeup wakeup_;
};

} // namespace leanspec::detail::sqlite
