// `leanspec watch`: follows the specs directory and prints each change event as it happens.
#include "command.hpp"

#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <deque>
#include <leanspec/error.hpp>
#include <leanspec/json.hpp>
#include <leanspec/spec_source.hpp>
#include <mutex>
#include <pthread.h>

namespace leanspec::cli {

namespace {

constexpr OptionSpec options[] = {{"--count", true}, {"--poll", true}};

constexpr std::string_view help = R"~(Usage: leanspec watch [--count N] [--poll MS]

Follow the specs directory and print what changes as it happens: one line per new snapshot
with its version and the specs added, changed and removed (a JSON object per line with
--json). A burst of writes, such as a git checkout, gives one line. Runs until interrupted
(Ctrl-C) or, with --count, until N changes were printed.

Options:
  --count N   stop after N change events
  --poll MS   look every MS milliseconds instead of using inotify (network filesystems)
)~";

void print(const std::string &text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fflush(stdout);
}

std::string describe(Context &context, const ChangeEvent &event) {
  if (context.json())
    return to_json(event) + '\n';
  std::string line;
  append(line, "v", std::to_string(event.version));
  const auto part = [&](std::string_view what, Style style, const std::vector<std::string> &ids) {
    if (ids.empty())
      return;
    line += "  ";
    context.terminal().paint(line, what, style);
    append(line, " ", single_line(join(ids, ", ")));
  };
  part("added", Style::green, event.added);
  part("changed", Style::yellow, event.changed);
  part("removed", Style::red, event.removed);
  line += '\n';
  return context.terminal().safe(line); // printed as it happens, not through main()
}

int run(Context &context, const Arguments &arguments) {
  expect_positionals(arguments, "watch", 0, 0, "");
  const std::size_t limit = arguments.count("--count").value_or(0);
  FilesystemOptions source_options = context.source_options();
  source_options.watch = true;
  if (const auto poll = arguments.count("--poll")) {
    if (*poll == 0)
      usage_error("invalid value '0' for --poll (expected milliseconds, at least 1)");
    source_options.force_polling = true;
    source_options.poll_interval = std::chrono::milliseconds(*poll);
  }

  // Interrupts are taken as a request to stop: blocked here, before the source starts its
  // threads (they inherit the mask), and collected by sigtimedwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  for (int s : {SIGINT, SIGTERM, SIGHUP})
    sigaddset(&stop_signals, s);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  std::mutex mutex;
  std::condition_variable arrived;
  std::deque<ChangeEvent> events;
  const auto source = make_filesystem_source(std::move(source_options));
  const Subscription subscription = source->subscribe([&](const ChangeEvent &event) {
    {
      const std::lock_guard lock(mutex);
      events.push_back(event);
    }
    arrived.notify_one();
  });
  // On stderr, so stdout holds only events; a script may wait for this line before editing.
  std::string banner;
  append(banner, "watching ", source->projects().front().specs_dir, ": ",
         std::to_string(source->list()->total), " specs (Ctrl-C to stop)\n");
  std::fputs(Terminal().safe(banner).c_str(), stderr);

  std::size_t printed = 0;
  for (;;) {
    std::deque<ChangeEvent> ready;
    {
      std::unique_lock lock(mutex);
      arrived.wait_for(lock, std::chrono::milliseconds(100), [&] { return !events.empty(); });
      ready.swap(events);
    }
    for (const auto &event : ready) {
      print(describe(context, event));
      if (limit && ++printed == limit)
        return 0;
    }
    const timespec now{};
    if (sigtimedwait(&stop_signals, nullptr, &now) > 0)
      return 0;
  }
}

} // namespace

const Command watch_command{"watch", "Print changes to the specs as they happen", help, options,
                            run};

} // namespace leanspec::cli
