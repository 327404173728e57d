// Tests the file watcher (src/fs/watcher.cpp) on real files in temp directories, with inotify and
// with polling. Every wait is bounded and ends as soon as the expected batch has arrived.
#include "fs/watcher.hpp"
#include "support/eventually.hpp"
#include "support/process_counts.hpp"
#include "support/temp_spec_tree.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace std::chrono_literals;
using leanspec::detail::WatchBatch;
using leanspec::detail::Watcher;
using leanspec::detail::WatcherOptions;
using leanspec::test::open_descriptor_count;
using leanspec::test::patience;
using leanspec::test::TempSpecTree;
using leanspec::test::thread_count;
namespace fs = std::filesystem;

namespace {

// Collects the batches a watcher delivers. Declare it before the Watcher, so that it outlives it.
class Recorder {
public:
  Watcher::Callback callback() {
    return [this](WatchBatch batch) {
      {
        const std::lock_guard lock(mutex_);
        batches_.push_back(std::move(batch));
      }
      changed_.notify_all();
    };
  }

  /// Waits until every path has been reported by the batches since the last clear().
  bool wait_paths(const std::vector<std::string> &paths) {
    return wait([&] {
      return std::all_of(paths.begin(), paths.end(), [&](const std::string &p) { return seen(p); });
    });
  }
  /// Waits until a batch since the last clear() asked for a rescan.
  bool wait_rescan() {
    return wait([&] {
      return std::any_of(batches_.begin(), batches_.end(),
                         [](const WatchBatch &b) { return b.rescan; });
    });
  }
  bool saw(const std::string &path) {
    const std::lock_guard lock(mutex_);
    return seen(path);
  }
  bool saw_prefix(const std::string &prefix) {
    const std::lock_guard lock(mutex_);
    for (const auto &b : batches_)
      for (const auto &p : b.paths)
        if (p.starts_with(prefix))
          return true;
    return false;
  }
  std::size_t count() {
    const std::lock_guard lock(mutex_);
    return batches_.size();
  }
  std::vector<WatchBatch> batches() {
    const std::lock_guard lock(mutex_);
    return batches_;
  }
  void clear() {
    const std::lock_guard lock(mutex_);
    batches_.clear();
  }

private:
  template <class Done> bool wait(Done done) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, patience, done);
  }
  bool seen(const std::string &path) const { // mutex_ held
    return std::any_of(batches_.begin(), batches_.end(), [&](const WatchBatch &b) {
      return std::binary_search(b.paths.begin(), b.paths.end(), path);
    });
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<WatchBatch> batches_;
};

void write_file(const fs::path &path, std::string_view content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  REQUIRE(out.good());
}

std::string spec_id(int i) {
  char id[32];
  std::snprintf(id, sizeof id, "%03d-spec-%d", i, i);
  return id;
}

} // namespace

TEST_SUITE("watcher") {
  TEST_CASE("an atomic save (a temp file renamed over README.md) is reported") {
    TempSpecTree tree;
    tree.spec("042-x", "status: planned", "# X\n");
    Recorder recorder;
    const Watcher watcher({.root = tree.specs_dir()}, recorder.callback());
    CHECK_FALSE(watcher.polling());
    const auto folder = tree.specs_dir() / "042-x";
    write_file(folder / ".README.md.tmp", "---\nstatus: complete\n---\n# X\n");
    fs::rename(folder / ".README.md.tmp", folder / "README.md");
    CHECK(recorder.wait_paths({"042-x/README.md", "042-x/.README.md.tmp"}));
    for (const auto &batch : recorder.batches()) {
      CHECK_FALSE(batch.rescan);
      CHECK(std::is_sorted(batch.paths.begin(), batch.paths.end()));
      CHECK(std::adjacent_find(batch.paths.begin(), batch.paths.end()) == batch.paths.end());
    }
    CHECK(watcher.diagnostics().empty());
  }

  TEST_CASE("a file deleted and then created again is reported both times") {
    TempSpecTree tree;
    tree.spec("042-x", "status: planned", "# X\n");
    Recorder recorder;
    const Watcher watcher({.root = tree.specs_dir()}, recorder.callback());
    fs::remove(tree.specs_dir() / "042-x/README.md");
    CHECK(recorder.wait_paths({"042-x/README.md"}));
    recorder.clear();
    tree.spec("042-x", "status: complete", "# X again\n");
    CHECK(recorder.wait_paths({"042-x/README.md"}));
  }

  TEST_CASE("a renamed folder is reported under both names and watched under the new one") {
    TempSpecTree tree;
    tree.spec("042-x", "status: planned", "# X\n");
    Recorder recorder;
    const Watcher watcher({.root = tree.specs_dir()}, recorder.callback());
    fs::rename(tree.specs_dir() / "042-x", tree.specs_dir() / "043-y");
    CHECK(recorder.wait_paths({"042-x", "043-y", "043-y/README.md"}));
    recorder.clear();
    tree.write("043-y/DESIGN.md", "# Design\n");
    CHECK(recorder.wait_paths({"043-y/DESIGN.md"}));
    CHECK_FALSE(recorder.saw_prefix("042-x")); // the moved inode's watch follows the new name
  }

  TEST_CASE("a spec moved into archived/ is reported at both places and stays watched") {
    TempSpecTree tree;
    tree.spec("042-x", "status: complete", "# X\n");
    bool archived_exists = false;
    SUBCASE("archived/ exists") { archived_exists = true; }
    SUBCASE("archived/ is created while watching") { archived_exists = false; }
    if (archived_exists)
      fs::create_directory(tree.specs_dir() / "archived");
    Recorder recorder;
    const Watcher watcher({.root = tree.specs_dir()}, recorder.callback());
    if (!archived_exists)
      fs::create_directory(tree.specs_dir() / "archived");
    fs::rename(tree.specs_dir() / "042-x", tree.specs_dir() / "archived/042-x");
    CHECK(recorder.wait_paths({"042-x", "archived/042-x"}));
    recorder.clear();
    tree.spec("archived/042-x", "status: archived", "# X, archived\n");
    CHECK(recorder.wait_paths({"archived/042-x/README.md"}));
  }

  TEST_CASE("a new group and spec folder with files written at once are all reported") {
    TempSpecTree tree;
    tree.spec("20251001/001-a", "status: planned", "# A\n");
    Recorder recorder;
    const Watcher watcher({.root = tree.specs_dir()}, recorder.callback());
    // create_directories and the writes follow each other at once: some files may exist before
    // the new folders' watches do.
    tree.write("20251101/003-z/README.md", "# Z\n");
    tree.write("20251101/003-z/DESIGN.md", "# Z design\n");
    CHECK(recorder.wait_paths(
        {"20251101", "20251101/003-z", "20251101/003-z/README.md", "20251101/003-z/DESIGN.md"}));
    recorder.clear();
    tree.write("20251101/003-z/README.md", "# Z, edited\n");
    CHECK(recorder.wait_paths({"20251101/003-z/README.md"}));
  }

  TEST_CASE("folders deeper than max_depth are reported but not watched") {
    TempSpecTree tree;
    tree.spec("20251001/001-a", "status: planned", "# A\n");
    Recorder recorder;
    const Watcher watcher({.root = tree.specs_dir()}, recorder.callback());
    tree.write("20251001/001-a/assets/one.md", "1\n");
    CHECK(recorder.wait_paths({"20251001/001-a/assets"}));
    recorder.clear();
    tree.write("20251001/001-a/assets/two.md", "2\n");
    tree.write("20251001/001-a/README.md", "# A, edited\n"); // after two.md in the same queue
    CHECK(recorder.wait_paths({"20251001/001-a/README.md"}));
    CHECK_FALSE(recorder.saw("20251001/001-a/assets/two.md"));
  }

  TEST_CASE("a checkout-like burst of 300 rewrites arrives in a few batches naming every file") {
    TempSpecTree tree;
    std::vector<std::string> expected;
    for (int i = 1; i <= 100; ++i)
      for (const char *name : {"README.md", "DESIGN.md", "PLAN.md"}) {
        expected.push_back(spec_id(i) + "/" + name);
        tree.write(expected.back(), "before\n");
      }
    Recorder recorder;
    // Default debounce; a max_delay above the default, since sanitizer builds on a busy machine
    // write this burst in up to a second, where git takes a few milliseconds.
    const Watcher watcher({.root = tree.specs_dir(), .max_delay = 1s}, recorder.callback());
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const auto path = tree.specs_dir() / expected[i];
      switch (i % 3) {
      case 0: { // editors: write aside, rename over
        auto temp = path;
        temp += ".tmp";
        write_file(temp, "after\n");
        fs::rename(temp, path);
        break;
      }
      case 1: // git: unlink, create
        fs::remove(path);
        write_file(path, "after, recreated\n");
        break;
      default: // in place
        write_file(path, "after, in place\n");
      }
    }
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(recorder.wait_paths(expected));
    MESSAGE("batches: " << recorder.count() << " for a burst of "
                        << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                        << " ms");
    CHECK(recorder.count() <= 5);
  }

  TEST_CASE("a burst that never goes quiet is still delivered after max_delay") {
    TempSpecTree tree;
    tree.spec("001-a", "status: planned", "# A\n");
    Recorder recorder;
    const Watcher watcher({.root = tree.specs_dir(), .debounce = 60s, .max_delay = 100ms},
                          recorder.callback());
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; recorder.count() == 0 && std::chrono::steady_clock::now() - start < patience;
         ++i)
      tree.write("001-a/README.md", "# A, edit " + std::to_string(i) + "\n");
    CHECK(recorder.count() > 0);
    CHECK(recorder.saw("001-a/README.md"));
  }

  TEST_CASE("a specs directory removed or renamed away and back gives rescans") {
    TempSpecTree tree;
    tree.spec("001-a", "status: planned", "# A\n");
    const auto specs = tree.specs_dir();
    auto away = specs;
    away += ".away";
    bool rename = false;
    SUBCASE("removed") { rename = false; }
    SUBCASE("renamed away") { rename = true; }
    Recorder recorder;
    const Watcher watcher({.root = specs, .poll_interval = 50ms}, recorder.callback());
    if (rename)
      fs::rename(specs, away);
    else
      fs::remove_all(specs);
    CHECK(recorder.wait_rescan()); // the loss
    recorder.clear();
    if (rename)
      fs::rename(away, specs);
    else
      tree.spec("002-b", "status: planned", "# B\n");
    CHECK(recorder.wait_rescan()); // back
    recorder.clear();
    tree.write("001-a/DESIGN.md", "# A design\n"); // watched again, under the right names
    CHECK(recorder.wait_paths({"001-a/DESIGN.md"}));
    CHECK_FALSE(watcher.polling());
  }

  TEST_CASE("a specs directory missing at construction is watched once it exists") {
    TempSpecTree tree;
    const auto specs = tree.specs_dir();
    fs::remove(specs);
    Recorder recorder;
    const Watcher watcher({.root = specs, .poll_interval = 50ms}, recorder.callback());
    tree.spec("001-a", "status: planned", "# A\n");
    CHECK(recorder.wait_rescan());
    recorder.clear();
    tree.write("001-a/README.md", "# A, edited\n");
    CHECK(recorder.wait_paths({"001-a/README.md"}));
  }

  TEST_CASE("polling reports modified, created and deleted paths") {
    TempSpecTree tree;
    tree.spec("001-a", "status: planned", "# A\n");
    tree.write("001-a/DESIGN.md", "# A design\n");
    tree.spec("20251101/002-b", "status: planned", "# B\n");
    Recorder recorder;
    const Watcher watcher({.root = tree.specs_dir(), .poll_interval = 50ms, .force_polling = true},
                          recorder.callback());
    CHECK(watcher.polling());
    const auto diagnostics = watcher.diagnostics();
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].code == "watch-polling");
    CHECK(diagnostics[0].message == "inotify not used (force_polling); polling every 50 ms");
    SUBCASE("modified") {
      tree.spec("001-a", "status: in-progress", "# A, longer than before\n");
      CHECK(recorder.wait_paths({"001-a/README.md"}));
      tree.write("20251101/002-b/README.md", "# B, in a group folder\n");
      CHECK(recorder.wait_paths({"20251101/002-b/README.md"}));
    }
    SUBCASE("created") {
      tree.spec("20251101/003-c", "status: planned", "# C\n");
      CHECK(recorder.wait_paths({"20251101/003-c", "20251101/003-c/README.md"}));
    }
    SUBCASE("deleted") {
      fs::remove(tree.specs_dir() / "001-a/DESIGN.md");
      CHECK(recorder.wait_paths({"001-a/DESIGN.md"}));
    }
    SUBCASE("the root removed and re-created") {
      fs::remove_all(tree.specs_dir());
      CHECK(recorder.wait_rescan());
      recorder.clear();
      tree.spec("001-a", "status: planned", "# A\n");
      CHECK(recorder.wait_rescan());
      recorder.clear();
      tree.write("001-a/DESIGN.md", "# A design, again\n");
      CHECK(recorder.wait_paths({"001-a/DESIGN.md"}));
    }
    for (const auto &batch : recorder.batches())
      CHECK(std::is_sorted(batch.paths.begin(), batch.paths.end()));
  }

  TEST_CASE("without inotify the watcher polls and says why") {
    TempSpecTree tree;
    tree.spec("001-a", "status: planned", "# A\n");
    Recorder recorder;
    std::unique_ptr<Watcher> watcher;
    {
      // Leave exactly one descriptor free: the eventfd takes it and inotify_init1 fails with
      // EMFILE. The limit is restored right after construction.
      rlimit old{};
      REQUIRE(::getrlimit(RLIMIT_NOFILE, &old) == 0);
      int highest = 0;
      for (const auto &e : fs::directory_iterator("/proc/self/fd"))
        highest = std::max(highest, std::stoi(e.path().filename().string()));
      rlimit low = old;
      low.rlim_cur = static_cast<rlim_t>(highest) + 16;
      REQUIRE(::setrlimit(RLIMIT_NOFILE, &low) == 0);
      std::vector<int> fillers{::open("/dev/null", O_RDONLY | O_CLOEXEC)};
      REQUIRE(fillers.back() >= 0);
      for (int fd; (fd = ::fcntl(fillers.front(), F_DUPFD_CLOEXEC, 0)) >= 0;)
        fillers.push_back(fd);
      REQUIRE(errno == EMFILE);
      ::close(fillers.back());
      fillers.pop_back();
      watcher = std::make_unique<Watcher>(
          WatcherOptions{.root = tree.specs_dir(), .poll_interval = 50ms}, recorder.callback());
      REQUIRE(::setrlimit(RLIMIT_NOFILE, &old) == 0);
      for (const int fd : fillers)
        ::close(fd);
    }
    CHECK(watcher->polling());
    const auto diagnostics = watcher->diagnostics();
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].code == "watch-polling");
    CHECK(diagnostics[0].message.starts_with("inotify unavailable ("));
    CHECK(diagnostics[0].message.ends_with("; polling every 50 ms"));
    tree.spec("002-b", "status: planned", "# B\n");
    CHECK(recorder.wait_paths({"002-b/README.md"}));
  }

  TEST_CASE("an exception from the callback is recorded and watching goes on") {
    TempSpecTree tree;
    tree.spec("001-a", "status: planned", "# A\n");
    Recorder recorder;
    std::atomic<bool> thrown{false};
    auto record = recorder.callback();
    const Watcher watcher({.root = tree.specs_dir()}, [&](WatchBatch batch) {
      record(std::move(batch));
      if (!thrown.exchange(true))
        throw std::runtime_error("boom");
    });
    tree.write("001-a/README.md", "# A, edited\n");
    CHECK(recorder.wait_paths({"001-a/README.md"})); // then it throws
    recorder.clear();
    tree.write("001-a/DESIGN.md", "# A design\n"); // delivered after the throw was caught
    CHECK(recorder.wait_paths({"001-a/DESIGN.md"}));
    const auto diagnostics = watcher.diagnostics();
    REQUIRE(diagnostics.size() == 1);
    CHECK(diagnostics[0].code == "watch-callback");
    CHECK(diagnostics[0].message.find("boom") != std::string::npos);
  }

  TEST_CASE("an inotify queue overflow gives a rescan, and watching goes on") {
    long limit = 0;
    if (std::ifstream in("/proc/sys/fs/inotify/max_queued_events");
        !(in >> limit) || limit > 200000) {
      MESSAGE("max_queued_events is " << limit << ": overflow not provoked");
      return;
    }
    TempSpecTree tree;
    tree.spec("001-a", "status: planned", "# A\n");
    std::vector<int> files;
    for (int i = 0; i < 64; ++i) {
      const auto path = tree.write("001-a/f" + std::to_string(i) + ".md", "x\n");
      files.push_back(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
      REQUIRE(files.back() >= 0);
    }
    // The first batch holds the watcher's thread in the callback while the queue fills up.
    std::mutex mutex;
    std::condition_variable cv;
    bool entered = false, released = false;
    Recorder recorder;
    auto record = recorder.callback();
    const Watcher watcher({.root = tree.specs_dir()}, [&](WatchBatch batch) {
      {
        std::unique_lock lock(mutex);
        if (!entered) {
          entered = true;
          cv.notify_all();
          cv.wait_for(lock, patience, [&] { return released; });
        }
      }
      record(std::move(batch));
    });
    tree.write("001-a/README.md", "# A, edited\n");
    {
      std::unique_lock lock(mutex);
      REQUIRE(cv.wait_for(lock, patience, [&] { return entered; }));
    }
    // One IN_ATTRIB each; round robin, so that the kernel merges none with the one before.
    const timespec now[2] = {{0, UTIME_NOW}, {0, UTIME_NOW}};
    for (long i = 0; i < limit + 1000; ++i)
      REQUIRE(::futimens(files[static_cast<std::size_t>(i) % files.size()], now) == 0);
    for (const int fd : files)
      ::close(fd);
    {
      const std::lock_guard lock(mutex);
      released = true;
    }
    cv.notify_all();
    CHECK(recorder.wait_rescan());
    recorder.clear();
    tree.write("002-b/README.md", "# B\n");
    CHECK(recorder.wait_paths({"002-b", "002-b/README.md"}));
    CHECK_FALSE(watcher.polling());
  }

  TEST_CASE("the destructor joins the thread and closes every descriptor") {
    TempSpecTree tree;
    tree.spec("20251101/001-a", "status: planned", "# A\n");
    tree.spec("002-b", "status: planned", "# B\n");
    {
      Recorder recorder; // warm-up: runtimes (TSan) may start a thread of their own lazily
      const Watcher watcher({.root = tree.specs_dir()}, recorder.callback());
    }
    const std::size_t fds = open_descriptor_count(), tasks = thread_count();
    for (const bool polling : {false, true}) {
      CAPTURE(polling);
      Recorder recorder;
      {
        const Watcher watcher(
            {.root = tree.specs_dir(), .poll_interval = 50ms, .force_polling = polling},
            recorder.callback());
        CHECK(thread_count() == tasks + 1);
        if (!polling) // a poll may hold a folder open for a moment
          CHECK(open_descriptor_count() == fds + 2);
        tree.write("20251101/001-a/README.md", polling ? "# A, polled\n" : "# A, edited\n");
        CHECK(recorder.wait_paths({"20251101/001-a/README.md"}));
      }
      CHECK(open_descriptor_count() == fds);
      CHECK(thread_count() == tasks);
    }
  }

  TEST_CASE("the destructor returns promptly mid-burst and no callback runs after it") {
    TempSpecTree tree;
    tree.spec("001-a", "status: planned", "# A\n");
    std::atomic<int> calls{0};
    auto watcher = std::make_unique<Watcher>(
        WatcherOptions{.root = tree.specs_dir(), .debounce = 5s, .max_delay = 10s},
        [&](WatchBatch) { calls.fetch_add(1); });
    for (int i = 0; i < 50; ++i)
      tree.write("001-a/note-" + std::to_string(i) + ".md", "x\n");
    const auto start = std::chrono::steady_clock::now();
    watcher.reset();
    CHECK(std::chrono::steady_clock::now() - start < 2s); // well under the 5 s debounce
    CHECK(calls.load() == 0);
  }

  TEST_CASE("the destructor waits for a running callback") {
    TempSpecTree tree;
    tree.spec("001-a", "status: planned", "# A\n");
    std::mutex mutex;
    std::condition_variable cv;
    bool entered = false;
    std::atomic<bool> finished{false};
    auto watcher =
        std::make_unique<Watcher>(WatcherOptions{.root = tree.specs_dir()}, [&](WatchBatch) {
          {
            const std::lock_guard lock(mutex);
            entered = true;
          }
          cv.notify_all();
          std::this_thread::sleep_for(100ms); // slow work
          finished = true;
        });
    tree.write("001-a/README.md", "# A, edited\n");
    {
      std::unique_lock lock(mutex);
      REQUIRE(cv.wait_for(lock, patience, [&] { return entered; }));
    }
    watcher.reset();
    CHECK(finished.load());
  }
}
