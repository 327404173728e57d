#pragma once
// Internal: BackgroundJob, upkeep that a store runs on a thread of its own so that no write
// waits for it (SQLite's checkpoints, PostgreSQL's merge of the search index's pending
// entries). request() asks for one more run; requests that arrive before it starts are one
// run. The job must not throw (a failure waits for the next request). Thread-safe.

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <unistd.h>
#include <utility>

namespace leanspec::detail {

class BackgroundJob {
public:
  explicit BackgroundJob(std::function<void()> job)
      : job_(std::move(job)), owner_(::getpid()), thread_([this] { run(); }) {}
  BackgroundJob(const BackgroundJob &) = delete;
  BackgroundJob &operator=(const BackgroundJob &) = delete;
  /// Waits for a run in progress; a request not yet started is dropped.
  ~BackgroundJob() {
    {
      const std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_one();
    if (::getpid() == owner_)
      thread_.join();
    else
      thread_.detach(); // a forked child has no such thread
  }

  void request() {
    {
      const std::lock_guard lock(mutex_);
      due_ = true;
    }
    wake_.notify_one();
  }

private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return due_ || stop_; });
      if (stop_)
        return;
      due_ = false;
      lock.unlock();
      job_();
      lock.lock();
    }
  }

  std::function<void()> job_;
  pid_t owner_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool due_ = false, stop_ = false;
  std::thread thread_; // last: starts once the rest is initialized
};

} // namespace leanspec::detail
