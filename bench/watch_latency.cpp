// leanspec_watch_latency: how long after a spec file is written its new content is returned,
// with FilesystemSource watching (inotify). Copies a specs tree to a temporary folder, then
// edits it N times the way an editor saves (temp file + rename) and, right after each write,
// asks in a tight loop until the answer carries the edit: get() on the source, get() and
// list() through a CachingSource with the design's 60 s TTL (which must be invalidated by the
// change event, not by its TTL), and the arrival of the change event itself (what a page
// subscribed through server-sent events would be pushed). Prints p50/p90/p99/max per path;
// --json writes them too.
//
//   leanspec_watch_latency [--corpus DIR] [--edits N] [--json FILE]
//
// The peer's figure comes from bench/peer_latency.py, measured the same way over HTTP.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <leanspec/leanspec.hpp>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

struct Series {
  std::string name;
  std::vector<double> ms;
  int timeouts = 0;

  double at(double q) const {
    std::vector<double> s = ms;
    std::sort(s.begin(), s.end());
    if (s.empty())
      return 0;
    return s[std::min(s.size() - 1, static_cast<std::size_t>(q * static_cast<double>(s.size())))];
  }
};

void atomic_save(const fs::path &path, const std::string &content) {
  const fs::path temp = path.parent_path() / ".README.md.tmp";
  std::ofstream(temp, std::ios::binary | std::ios::trunc) << content;
  fs::rename(temp, path);
}

// Waits (spinning, with a yield) until `done()`; the time since `start` in ms, or -1 after 10 s.
template <class Done> double time_until(Clock::time_point start, Done done) {
  while (!done()) {
    if (Clock::now() - start > std::chrono::seconds(10))
      return -1;
    std::this_thread::yield();
  }
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

} // namespace

int main(int argc, char **argv) {
  fs::path corpus = LEANSPEC_DEFAULT_CORPUS;
  if (const char *env = std::getenv("LEANSPEC_CORPUS"))
    corpus = env;
  int edits = 300;
  std::string json_out;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string arg = argv[i];
    if (arg == "--corpus")
      corpus = argv[i + 1];
    else if (arg == "--edits")
      edits = std::atoi(argv[i + 1]);
    else if (arg == "--json")
      json_out = argv[i + 1];
    else {
      std::fprintf(stderr, "usage: %s [--corpus DIR] [--edits N] [--json FILE]\n", argv[0]);
      return 2;
    }
  }
  const fs::path specs_in = fs::is_directory(corpus / "specs") ? corpus / "specs" : corpus;
  if (!fs::is_directory(specs_in)) { // skipped, as the other benchmarks skip the real corpus
    std::fprintf(stderr, "no corpus at %s (set LEANSPEC_CORPUS); skipping\n", corpus.c_str());
    return 0;
  }
  char temp_template[] = "/tmp/leanspec-latency-XXXXXX";
  if (!::mkdtemp(temp_template)) {
    std::perror("mkdtemp");
    return 1;
  }
  const fs::path root = temp_template;
  fs::copy(specs_in, root / "specs", fs::copy_options::recursive);

  leanspec::FilesystemOptions options;
  options.specs_dir = root / "specs";
  options.watch = true;
  const auto source = leanspec::make_filesystem_source(options);
  const auto cache = leanspec::make_caching_source(source, {.ttl = std::chrono::seconds(60)});
  std::vector<leanspec::SpecPtr> targets;
  {
    const auto page = source->list({.filter = {.archived = false}});
    for (std::size_t i = 0; i < page->specs.size() && targets.size() < 40; i += 5)
      targets.push_back(page->specs[i]);
  }
  std::printf("%zu specs in %s; %d edits over %zu specs; debounce %lld ms\n", source->list()->total,
              options.specs_dir.c_str(), edits, targets.size(),
              static_cast<long long>(options.debounce.count()));

  Series direct{"get (FilesystemSource)"}, cached_get{"get (CachingSource, TTL 60 s)"},
      cached_list{"list (CachingSource, TTL 60 s)"}, pushed{"change event (subscribe)"};
  // When the change event naming the edited spec arrived (the push a web page would get).
  std::mutex mutex;
  std::condition_variable arrived;
  std::string awaited;
  Clock::time_point event_time{};
  const leanspec::Subscription subscription =
      source->subscribe([&](const leanspec::ChangeEvent &event) {
        const auto now = Clock::now();
        const std::lock_guard lock(mutex);
        if (std::find(event.changed.begin(), event.changed.end(), awaited) != event.changed.end())
          event_time = now;
        arrived.notify_all();
      });
  for (int e = 0; e < edits; ++e) {
    const leanspec::Spec &target = *targets[static_cast<std::size_t>(e) % targets.size()];
    const std::string marker = "Latency edit " + std::to_string(e);
    // Fill the cache so that a stale answer is what it would give without the event.
    (void)cache->get(target.id);
    (void)cache->list();
    const std::string readme =
        "---\nstatus: in-progress\n---\n# " + marker + "\n\n" + target.body.substr(0, 4000);
    Series &series = e % 3 == 0 ? direct : e % 3 == 1 ? cached_get : cached_list;
    {
      const std::lock_guard lock(mutex);
      awaited = target.id;
      event_time = {};
    }
    const auto start = Clock::now();
    atomic_save(root / "specs" / target.path / "README.md", readme);
    double ms;
    if (&series == &direct)
      ms = time_until(start, [&] { return source->get(target.id)->title == marker; });
    else if (&series == &cached_get)
      ms = time_until(start, [&] { return cache->get(target.id)->title == marker; });
    else
      ms = time_until(start, [&] {
        const auto page = cache->list();
        return std::any_of(page->specs.begin(), page->specs.end(),
                           [&](const leanspec::SpecPtr &s) { return s->title == marker; });
      });
    if (ms < 0)
      ++series.timeouts;
    else
      series.ms.push_back(ms);
    std::unique_lock lock(mutex);
    if (arrived.wait_for(lock, std::chrono::seconds(10),
                         [&] { return event_time != Clock::time_point{}; }))
      pushed.ms.push_back(std::chrono::duration<double, std::milli>(event_time - start).count());
    else
      ++pushed.timeouts;
    awaited.clear();
  }

  std::string json = "{\"edits\":" + std::to_string(edits) + ",\"series\":[";
  for (const Series *s : {&direct, &cached_get, &cached_list, &pushed}) {
    std::printf("%-32s n=%3zu  p50 %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  max %6.2f ms  "
                "timeouts %d\n",
                s->name.c_str(), s->ms.size(), s->at(0.5), s->at(0.9), s->at(0.99), s->at(1.0),
                s->timeouts);
    char entry[256];
    std::snprintf(entry, sizeof entry,
                  "%s{\"name\":\"%s\",\"n\":%zu,\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,"
                  "\"max\":%.3f,\"timeouts\":%d}",
                  s == &direct ? "" : ",", s->name.c_str(), s->ms.size(), s->at(0.5), s->at(0.9),
                  s->at(0.99), s->at(1.0), s->timeouts);
    json += entry;
  }
  json += "]}\n";
  if (!json_out.empty())
    std::ofstream(json_out) << json;
  std::error_code ec;
  fs::remove_all(root, ec);
  return 0;
}
