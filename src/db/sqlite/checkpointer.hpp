#pragma once
// Internal: Checkpointer, the SQLite store's WAL checkpoints on a thread of its own.

#include "db/background_job.hpp"
#include "db/sqlite/connection.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <sqlite3.h>
#include <string>

namespace leanspec::detail::sqlite {

// Copies the WAL back into the database on a thread of its own, so that no write waits for it.
// The store's connections report each commit's WAL size through sqlite3_wal_hook (which
// replaces SQLite's automatic checkpoint in the committing connection); past 4,000 WAL frames
// (64 MB of 16 KB pages) the thread runs a PASSIVE checkpoint on a connection of its own. Four
// times SQLite's 1,000: pages that consecutive writes rewrite are copied back once per
// checkpoint. When the store closes, a store that wrote runs a TRUNCATE checkpoint: a short
// process (a CLI import) leaves the database checkpointed and the WAL empty, instead of a log
// that every later process must read back and that grows with each run. It waits at most
// truncate_wait_ms for other processes' readers, so a writer beside a busy server does not
// stall at exit.
class Checkpointer {
public:
  explicit Checkpointer(std::string path) : path_(std::move(path)) {}
  /// Call once the store's other connections are closed.
  ~Checkpointer() {
    job_.reset(); // waits for a checkpoint in progress
    if (wrote_.load(std::memory_order_relaxed))
      checkpoint("TRUNCATE", truncate_wait_ms);
  }
  Checkpointer(const Checkpointer &) = delete;
  Checkpointer &operator=(const Checkpointer &) = delete;

  /// Routes `db`'s commits to this checkpointer; `db` must be closed before it is destroyed.
  void attach(Connection &db) { sqlite3_wal_hook(db.getHandle(), &Checkpointer::committed, this); }

private:
  static constexpr int wal_pages = 4000;

  static int committed(void *self, sqlite3 *, const char *, int pages) {
    auto &checkpointer = *static_cast<Checkpointer *>(self);
    checkpointer.wrote_.store(true, std::memory_order_relaxed);
    if (pages >= wal_pages)
      checkpointer.job_->request();
    return SQLITE_OK;
  }

  // A checkpoint in `mode`; a failure (busy readers, a removed file) waits for the next one.
  void checkpoint(const char *mode, int wait_ms = busy_timeout_ms) noexcept {
    try {
      if (!db_)
        db_ = std::make_unique<Connection>(path_, SQLite::OPEN_READWRITE | SQLite::OPEN_NOMUTEX,
                                           busy_timeout_ms);
      db_->setBusyTimeout(wait_ms);
      db_->exec(std::string("PRAGMA wal_checkpoint(") + mode + ")");
    } catch (...) {
      db_.reset(); // the next commit past the mark tries again, on a new connection
    }
  }

  std::string path_;
  std::unique_ptr<Connection> db_; // the job's own
  std::atomic<bool> wrote_{false};
  // Last: runs once the rest is initialized.
  std::optional<BackgroundJob> job_{std::in_place, [this] { checkpoint("PASSIVE"); }};
};

} // namespace leanspec::detail::sqlite
