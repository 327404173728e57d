// Tests the realtime filesystem mode: FilesystemSource with `watch` on real files, its change
// events and incremental reloads, and CachingSource invalidating on those events. Waits are
// bounded and end on an event, never on a fixed sleep.
#include "support/event_recorder.hpp"
#include "support/eventually.hpp"
#include "support/process_counts.hpp"
#include "support/swapped_tree.hpp"
#include "support/temp_spec_tree.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <doctest/doctest.h>
#include <filesystem>
#include <future>
#include <leanspec/caching_source.hpp>
#include <leanspec/filesystem_source.hpp>
#include <mutex>
#include <thread>
#include <unistd.h>

using namespace leanspec;
using leanspec::test::EventRecorder;
using leanspec::test::eventually;
using leanspec::test::open_descriptor_count;
using leanspec::test::patience;
using leanspec::test::SwappedTree;
using leanspec::test::TempSpecTree;
using leanspec::test::thread_count;
namespace fs = std::filesystem;

namespace {

std::string readme(std::string_view status, std::string_view title) {
  return "---\nstatus: " + std::string(status) + "\n---\n# " + std::string(title) + "\n";
}

// Writes like an editor's atomic save: a temporary file renamed over the target.
void atomic_save(const fs::path &path, std::string_view content) {
  const fs::path temp = path.parent_path() / ("." + path.filename().string() + ".tmp");
  {
    std::FILE *f = std::fopen(temp.c_str(), "wb");
    REQUIRE(f);
    std::fwrite(content.data(), 1, content.size(), f);
    std::fclose(f);
  }
  fs::rename(temp, path);
}

std::string title_of(const SpecSource &source, std::string_view ref) {
  const auto spec = source.get(ref);
  return spec ? spec->title : std::string("<none>");
}

FilesystemOptions watched(const TempSpecTree &tree) {
  FilesystemOptions options;
  options.specs_dir = tree.specs_dir();
  options.watch = true;
  options.debounce = std::chrono::milliseconds(10);
  return options;
}

bool contains(const std::vector<std::string> &v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

} // namespace

TEST_SUITE("watcher") {

  TEST_CASE("an atomic save is seen, as one changed spec and one new version") {
    TempSpecTree tree;
    tree.spec("001-alpha", "status: planned", "# Alpha\n");
    tree.spec("002-beta", "status: planned", "# Beta\n");
    const auto source = make_filesystem_source(watched(tree));
    EventRecorder log(*source);
    const SpecPtr beta_before = source->get("002-beta");
    CHECK(source->version() == 1);

    atomic_save(tree.specs_dir() / "001-alpha/README.md", readme("in-progress", "Alpha two"));
    REQUIRE(log.wait([&] { return title_of(*source, "001-alpha") == "Alpha two"; }));
    CHECK(source->get("1")->status == Status::in_progress);
    CHECK(source->get("002-beta") == beta_before); // unchanged specs are shared, not re-read
    const auto events = log.events();
    REQUIRE(!events.empty());
    CHECK(events.back().changed == std::vector<std::string>{"001-alpha"});
    CHECK(events.back().added.empty());
    CHECK(events.back().removed.empty());
    CHECK(events.back().version == source->version());
    CHECK(events.back().project_id == source->projects().front().id);
  }

  TEST_CASE("new, deleted, renamed and archived spec folders") {
    TempSpecTree tree;
    tree.spec("001-alpha", "status: planned", "# Alpha\n");
    tree.spec("002-beta", "status: complete\ncompleted: 2025-01-01", "# Beta\n");
    const auto source = make_filesystem_source(watched(tree));
    EventRecorder log(*source);

    tree.spec("003-gamma", "status: draft", "# Gamma\n");
    REQUIRE(log.wait([&] { return title_of(*source, "003") == "Gamma"; }));

    fs::remove_all(tree.specs_dir() / "001-alpha");
    REQUIRE(log.wait([&] { return !source->get("001-alpha"); }));

    fs::rename(tree.specs_dir() / "003-gamma", tree.specs_dir() / "004-delta");
    REQUIRE(log.wait([&] { return source->get("004-delta") && !source->get("003-gamma"); }));

    fs::create_directories(tree.specs_dir() / "archived");
    fs::rename(tree.specs_dir() / "002-beta", tree.specs_dir() / "archived/002-beta");
    REQUIRE(log.wait([&] {
      const auto beta = source->get("002-beta");
      return beta && beta->archived && beta->path == "archived/002-beta";
    }));

    bool added = false, removed = false, archived_changed = false;
    for (const auto &e : log.events()) {
      added = added || contains(e.added, "003-gamma");
      removed = removed || contains(e.removed, "001-alpha");
      archived_changed = archived_changed || contains(e.changed, "002-beta");
    }
    CHECK(added);
    CHECK(removed);
    CHECK(archived_changed);
  }

  TEST_CASE("delete and re-create, and a sub-spec written in a new folder right away") {
    TempSpecTree tree;
    tree.spec("001-alpha", "status: planned", "# Alpha\n");
    const auto source = make_filesystem_source(watched(tree));
    EventRecorder log(*source);

    fs::remove(tree.specs_dir() / "001-alpha/README.md");
    tree.write("001-alpha/README.md", readme("complete", "Alpha again"));
    REQUIRE(log.wait([&] { return title_of(*source, "001-alpha") == "Alpha again"; }));

    tree.spec("002-beta", "status: planned", "# Beta\n");
    tree.write("002-beta/DESIGN.md", "# The design\n");
    REQUIRE(log.wait([&] {
      const auto beta = source->get("002-beta");
      return beta && beta->sub_specs.size() == 1;
    }));
    CHECK(source->get("002-beta")->sub_specs[0].name == "The design");
  }

  TEST_CASE("1,000 rapid edits across 100 specs end in exactly what is on disk") {
    TempSpecTree tree;
    for (int i = 0; i < 100; ++i)
      tree.spec((i < 9    ? "00"
                 : i < 99 ? "0"
                          : "") +
                    std::to_string(i + 1) + "-spec",
                "status: planned", "# Spec\n");
    const auto source = make_filesystem_source(watched(tree));
    EventRecorder log(*source);
    for (int edit = 0; edit < 1000; ++edit) {
      const int i = (edit * 37) % 100;
      const std::string id = (i < 9 ? "00" : i < 99 ? "0" : "") + std::to_string(i + 1) + "-spec";
      const auto path = tree.specs_dir() / id / "README.md";
      if (edit % 2)
        atomic_save(path, readme("in-progress", "Edit " + std::to_string(edit)));
      else
        tree.write(id + "/README.md", readme("planned", "Edit " + std::to_string(edit)));
    }
    // The disk's truth, read by a source of its own.
    const auto truth = make_filesystem_source({.specs_dir = tree.specs_dir()});
    const auto expected = truth->list();
    const auto same_as_disk = [&] {
      const auto page = source->list();
      if (page->specs.size() != expected->specs.size())
        return false;
      for (std::size_t k = 0; k < page->specs.size(); ++k)
        if (page->specs[k]->id != expected->specs[k]->id ||
            page->specs[k]->content_hash != expected->specs[k]->content_hash ||
            page->specs[k]->title != expected->specs[k]->title)
          return false;
      return true;
    };
    REQUIRE(log.wait(same_as_disk));
    // Bursts are coalesced: far fewer snapshots than edits.
    CHECK(source->version() < 500);
  }

  TEST_CASE("a checkout-like burst rewriting 300 files gives one or a few snapshots") {
    TempSpecTree tree;
    for (int i = 1; i <= 150; ++i)
      tree.spec((i < 10    ? "00"
                 : i < 100 ? "0"
                           : "") +
                    std::to_string(i) + "-spec",
                "status: planned", "# Before\n");
    const auto source = make_filesystem_source(watched(tree));
    EventRecorder log(*source);
    for (int i = 1; i <= 150; ++i) { // README.md and a new DESIGN.md in every spec
      const std::string id = (i < 10 ? "00" : i < 100 ? "0" : "") + std::to_string(i) + "-spec";
      tree.write(id + "/README.md", readme("complete", "After"));
      tree.write(id + "/DESIGN.md", "# Design\n");
    }
    REQUIRE(log.wait([&] {
      const auto page = source->list({.filter = {.statuses = {Status::complete}}});
      return page->total == 150 && page->specs.back()->sub_specs.size() == 1;
    }));
    CHECK(source->version() <= 6);
    std::size_t changed = 0;
    for (const auto &e : log.events())
      changed += e.changed.size();
    CHECK(changed >= 150);
  }

  TEST_CASE("8 threads read while specs are created and deleted") {
    TempSpecTree tree;
    for (int i = 1; i <= 20; ++i)
      tree.spec((i < 10 ? "00" : "0") + std::to_string(i) + "-base", "status: planned", "# Base\n");
    const auto source = make_filesystem_source(watched(tree));
    EventRecorder log(*source);
    std::atomic<bool> stop{false};
    std::atomic<long> reads{0}, broken{0};
    std::vector<std::jthread> readers;
    for (int t = 0; t < 8; ++t)
      readers.emplace_back([&] {
        while (!stop.load()) {
          const auto page = source->list();
          for (const auto &spec : page->specs)
            if (!spec || spec->title.empty() || spec->status == Status::complete)
              ++broken; // a half-applied change would show here
          if (page->specs.size() != page->total || !source->get("010-base"))
            ++broken;
          ++reads;
        }
      });
    for (int round = 0; round < 30; ++round) {
      const std::string id = "1" + std::to_string(10 + round) + "-new";
      tree.spec(id, "status: draft", "# New\n");
      if (round % 3 == 0)
        fs::remove_all(tree.specs_dir() / id);
    }
    REQUIRE(log.wait([&] { return source->list()->total == 20 + 20; }));
    stop = true;
    readers.clear();
    CHECK(broken.load() == 0);
    CHECK(reads.load() > 0);
  }

  TEST_CASE("unsubscribing inside a callback, and a slow subscriber does not stall updates") {
    TempSpecTree tree;
    tree.spec("001-alpha", "status: planned", "# Alpha\n");
    const auto source = make_filesystem_source(watched(tree));
    EventRecorder log(*source);

    std::atomic<int> calls{0};
    std::promise<void> called;
    Subscription once;
    once = source->subscribe([&](const ChangeEvent &) {
      if (++calls == 1)
        called.set_value();
      once.reset(); // allowed from inside: this call is the last
    });
    std::mutex gate;
    std::unique_lock held(gate); // the slow subscriber blocks until the test lets it go
    Subscription slow =
        source->subscribe([&](const ChangeEvent &) { const std::lock_guard g(gate); });

    tree.write("001-alpha/README.md", readme("planned", "One"));
    REQUIRE(called.get_future().wait_for(patience) == std::future_status::ready);
    // The event thread is now stuck in the slow subscriber; snapshots must still move on.
    tree.write("001-alpha/README.md", readme("planned", "Two"));
    tree.write("001-alpha/README.md", readme("planned", "Three"));
    CHECK(eventually([&] { return title_of(*source, "1") == "Three"; }));
    held.unlock();
    slow.reset();
    CHECK(calls.load() == 1);
  }

  TEST_CASE("a CachingSource over a watched source is invalidated by the events") {
    TempSpecTree tree;
    tree.spec("001-alpha", "status: planned", "# Alpha\n");
    const auto inner = make_filesystem_source(watched(tree));
    const auto cache = make_caching_source(inner, {.ttl = std::chrono::hours(24)});
    EventRecorder log(*cache);
    CHECK(cache->get("1")->title == "Alpha");
    CHECK(cache->list()->total == 1);
    tree.write("001-alpha/README.md", readme("planned", "Alpha two"));
    tree.spec("002-beta", "status: planned", "# Beta\n");
    REQUIRE(log.wait([&] { return inner->list()->total == 2; }));
    // The cache dropped its entries before this subscriber heard of the change.
    CHECK(log.wait([&] { return cache->get("1")->title == "Alpha two"; }));
    CHECK(cache->list()->total == 2);
  }

  TEST_CASE("polling instead of inotify: changes are seen and a diagnostic says why") {
    TempSpecTree tree;
    tree.spec("001-alpha", "status: planned", "# Alpha\n");
    FilesystemOptions options = watched(tree);
    options.force_polling = true;
    options.poll_interval = std::chrono::milliseconds(50);
    const auto source = make_filesystem_source(options);
    EventRecorder log(*source);
    const auto diagnostics = source->validate();
    CHECK(std::any_of(diagnostics->begin(), diagnostics->end(),
                      [](const Diagnostic &d) { return d.code == "watch-polling"; }));
    tree.write("001-alpha/README.md", readme("planned", "Alpha, a longer title now"));
    tree.spec("002-beta", "status: planned", "# Beta\n");
    REQUIRE(log.wait(
        [&] { return title_of(*source, "1") == "Alpha, a longer title now" && source->get("2"); }));
    fs::remove_all(tree.specs_dir() / "002-beta");
    REQUIRE(log.wait([&] { return !source->get("002-beta"); }));
  }

  TEST_CASE("the specs directory removed and re-created ends in the right snapshot") {
    TempSpecTree tree;
    tree.spec("001-alpha", "status: planned", "# Alpha\n");
    FilesystemOptions options = watched(tree);
    options.poll_interval = std::chrono::milliseconds(50);
    const auto source = make_filesystem_source(options);
    EventRecorder log(*source);
    fs::remove_all(tree.specs_dir());
    REQUIRE(log.wait([&] { return source->list()->total == 0; }));
    tree.spec("007-seven", "status: planned", "# Seven\n");
    REQUIRE(log.wait([&] { return title_of(*source, "7") == "Seven"; }));
    CHECK(source->list()->total == 1);
  }

  TEST_CASE("starting and stopping a watched source leaves no thread or descriptor behind") {
    TempSpecTree tree;
    tree.spec("001-alpha", "status: planned", "# Alpha\n");
    const std::size_t fds = open_descriptor_count();
    const std::size_t threads = thread_count();
    for (int i = 0; i < 3; ++i) {
      const auto source = make_filesystem_source(watched(tree));
      EventRecorder log(*source);
      tree.write("001-alpha/README.md", readme("planned", "Run " + std::to_string(i)));
      REQUIRE(log.wait([&] { return title_of(*source, "1") == "Run " + std::to_string(i); }));
    }
    CHECK(open_descriptor_count() == fds);
    CHECK(thread_count() == threads);
  }

  TEST_CASE("a watched source never serves a file swapped in from outside the tree") {
    SwappedTree swapped;
    auto source = make_filesystem_source({.specs_dir = swapped.tree.specs_dir(),
                                          .watch = true,
                                          .debounce = std::chrono::milliseconds(1)});
    long leaks = 0;
    // Until the watcher has published many snapshots, each from a load the swaps raced
    // (bounded by the swaps, should the watcher stop).
    while (source->version() < 60 && swapped.swaps.load() < 50'000'000) {
      leaks += SwappedTree::leaked(*source->list());
      std::this_thread::yield();
    }
    CHECK(leaks == 0);
    CHECK(source->version() >= 60);
  }
}
