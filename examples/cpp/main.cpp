// status_board: prints a LeanSpec specs directory as a board, one column per status.
// Uses only the installed public API (<leanspec/leanspec.hpp>).
//
//   status_board <specs-dir>

#include <cstdio>
#include <exception>
#include <leanspec/leanspec.hpp>
#include <string>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <specs-dir>\n", argv[0]);
    return 2;
  }
  try {
    leanspec::FilesystemOptions options;
    options.specs_dir = argv[1];
    auto source = leanspec::make_filesystem_source(options);
    auto stats = source->stats();

    std::printf("libleanspec %s: %zu specs, %.0f%% complete\n", leanspec::version(), stats->total,
                stats->completion_rate);
    for (const auto &[status, specs] : source->by_status()) {
      std::printf("\n%s (%zu)\n", std::string(leanspec::to_string(status)).c_str(), specs.size());
      for (const auto &spec : specs) {
        std::string priority =
            spec->priority ? std::string(leanspec::to_string(*spec->priority)) : "-";
        std::printf("  %-28s %-8s %s\n", spec->id.c_str(), priority.c_str(), spec->title.c_str());
      }
    }
    return 0;
  } catch (const leanspec::Error &e) {
    std::fprintf(stderr, "error (%s): %s\n", std::string(leanspec::to_string(e.code())).c_str(),
                 e.what());
    return 1;
  } catch (const std::exception &e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
}
