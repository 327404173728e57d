#pragma once
// Internal: ConnectionPool, the small pool of database connections behind a Store (SQLite and
// PostgreSQL alike). Connections are opened on demand up to a capacity and handed out one per
// call as an RAII Checkout; a call finding all of them busy waits. Thread-safe.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace leanspec::detail {

template <class Connection> class ConnectionPool {
public:
  using Factory = std::function<std::unique_ptr<Connection>()>;

  /// `factory` opens a connection (and may throw); at most `capacity` are open at once.
  ConnectionPool(std::size_t capacity, Factory factory)
      : capacity_(capacity ? capacity : 1), factory_(std::move(factory)) {
    idle_.reserve(capacity_); // so that give_back() never allocates
  }
  ConnectionPool(const ConnectionPool &) = delete;
  ConnectionPool &operator=(const ConnectionPool &) = delete;

  /// A connection checked out of the pool; back into it on destruction, unless discard()ed
  /// (a connection left in an unknown state: a failed rollback, a broken socket).
  class Checkout {
  public:
    Checkout(ConnectionPool &pool, std::unique_ptr<Connection> connection) noexcept
        : pool_(&pool), connection_(std::move(connection)) {}
    Checkout(Checkout &&other) noexcept
        : pool_(other.pool_), connection_(std::move(other.connection_)) {}
    Checkout(const Checkout &) = delete;
    Checkout &operator=(const Checkout &) = delete;
    Checkout &operator=(Checkout &&) = delete;
    ~Checkout() {
      if (connection_)
        pool_->give_back(std::move(connection_));
    }
    Connection &operator*() const noexcept { return *connection_; }
    Connection *operator->() const noexcept { return connection_.get(); }
    /// Closes the connection instead of returning it; the pool may open a new one.
    void discard() noexcept {
      if (connection_) {
        connection_.reset();
        pool_->forget();
      }
    }

  private:
    ConnectionPool *pool_;
    std::unique_ptr<Connection> connection_;
  };

  /// Adds an already open connection (the one open() migrated with), within the capacity.
  void adopt(std::unique_ptr<Connection> connection) {
    const std::lock_guard lock(mutex_);
    ++open_;
    idle_.push_back(std::move(connection));
  }

  /// An idle connection, a new one while under capacity, else the next one given back.
  /// @throws what the factory throws
  Checkout checkout() {
    std::unique_lock lock(mutex_);
    available_.wait(lock, [&] { return !idle_.empty() || open_ < capacity_; });
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Checkout(*this, std::move(connection));
    }
    ++open_;
    lock.unlock();
    try {
      return Checkout(*this, factory_());
    } catch (...) {
      forget();
      throw;
    }
  }

  /// Closes every idle connection: after one turned out dead (a server restart closes them
  /// all), the next checkouts open new ones.
  void discard_idle() noexcept {
    {
      const std::lock_guard lock(mutex_);
      open_ -= idle_.size();
      idle_.clear(); // keeps the capacity reserved
    }
    available_.notify_all();
  }

private:
  void give_back(std::unique_ptr<Connection> connection) noexcept {
    {
      const std::lock_guard lock(mutex_);
      idle_.push_back(std::move(connection)); // reserved: never grows past capacity_
    }
    available_.notify_one();
  }
  void forget() noexcept {
    {
      const std::lock_guard lock(mutex_);
      --open_;
    }
    available_.notify_one();
  }

  const std::size_t capacity_;
  Factory factory_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;
};

} // namespace leanspec::detail
