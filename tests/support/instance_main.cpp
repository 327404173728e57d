// leanspec_instance: one "app instance" for the multi-process tests
// (tests/processes/instances_test.cpp). It creates a SpecsService from the environment
// (ServiceConfig::from_env(): SPECS_MODE, DATABASE_URL, GITHUB_API_URL, GITHUB_TOKEN, CACHE_TTL,
// ...), subscribes to its change events, optionally starts its sync scheduler, and then serves one
// command per stdin line, answering with one stdout line. Change events are printed as they arrive,
// between answers.
//
//   leanspec_instance [--no-sync] [--lease-ttl-ms N] [--poll-ms N]
//
// Every timestamp is steady_clock (CLOCK_MONOTONIC, shared by all processes of the machine) in
// nanoseconds, so the parent can compare the times of different instances.
//
//   start-up                 -> "ready <pid>"  (or "error <message>", then exit status 1)
//   get <ref> <project>      -> "got <id> <content hash> <title>" | "missing"
//   sync_now <project>       -> "synced <outcome> <added> <updated> <removed> <run id> <called>
//                               <returned>" (when sync_now was called and when it returned, ns:
//                               the store's commit lies between the two)
//   request_sync <project>   -> "requested"
//   quit                     -> "bye", then exit status 0 once the service is destroyed
//   a failing command        -> "error <message>"
//   a change event           -> "event <ns> <project> <version> <added> <changed> <removed>"
//                               (each list comma-separated, "-" when empty; <ns>: when the
//                               service's subscriber was called)
// A closed stdin is a quit. Errors and diagnostics other than these lines go to stderr.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <leanspec/error.hpp>
#include <leanspec/github_sync.hpp>
#include <leanspec/specs_service.hpp>
#include <mutex>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

std::mutex out_mutex; // one line at a time: the command loop and the event thread both print

void say(const std::string &line) {
  const std::lock_guard lock(out_mutex);
  std::cout << line << '\n' << std::flush;
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string joined(const std::vector<std::string> &ids) {
  if (ids.empty())
    return "-";
  std::string out;
  for (const auto &id : ids)
    out += (out.empty() ? "" : ",") + id;
  return out;
}

// One line without newlines (an error message may hold several).
std::string one_line(std::string text) {
  for (char &c : text)
    if (c == '\n' || c == '\r')
      c = ' ';
  return text;
}

int run(int argc, char **argv) {
  bool sync = true;
  leanspec::ServiceConfig config = leanspec::ServiceConfig::from_env();
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--no-sync") {
      sync = false;
    } else if ((arg == "--lease-ttl-ms" || arg == "--poll-ms") && i + 1 < argc) {
      const std::chrono::milliseconds value(std::stoll(argv[++i]));
      (arg == "--poll-ms" ? config.sync_poll : config.sync_lease_ttl) = value;
    } else {
      say("error unknown argument '" + arg + "'");
      return 1;
    }
  }
  const auto service = leanspec::make_specs_service(std::move(config));
  auto events = service->subscribe([](const leanspec::ChangeEvent &e) {
    say("event " + std::to_string(now_ns()) + ' ' + e.project_id + ' ' + std::to_string(e.version) +
        ' ' + joined(e.added) + ' ' + joined(e.changed) + ' ' + joined(e.removed));
  });
  if (sync)
    service->start_sync();
  say("ready " + std::to_string(::getpid()));

  for (std::string line; std::getline(std::cin, line);) {
    std::istringstream in(line);
    std::string command, a, b;
    in >> command >> a >> b;
    try {
      if (command == "get") {
        const auto spec = service->get(a, b);
        say(spec ? "got " + spec->id + ' ' + spec->content_hash + ' ' + spec->title : "missing");
      } else if (command == "sync_now") {
        const std::int64_t called = now_ns();
        const leanspec::SyncRun run = service->sync_now(a);
        const std::int64_t returned = now_ns();
        say("synced " + std::string(leanspec::to_string(run.outcome)) + ' ' +
            std::to_string(run.added) + ' ' + std::to_string(run.updated) + ' ' +
            std::to_string(run.removed) + ' ' + std::to_string(run.id) + ' ' +
            std::to_string(called) + ' ' + std::to_string(returned));
      } else if (command == "request_sync") {
        service->request_sync(a);
        say("requested");
      } else if (command == "quit") {
        break;
      } else {
        say("error unknown command '" + command + "'");
      }
    } catch (const std::exception &e) {
      say("error " + one_line(e.what()));
    }
  }
  events.reset();
  service->stop_sync();
  say("bye");
  return 0;
}

} // namespace

int main(int argc, char **argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception &e) {
    say("error " + one_line(e.what()));
    return 1;
  }
}
