// leanspec_showcase_scale: the showcase store of issue 18 (thousands of projects served from
// one database in bounded memory), measured through the public API on SQLite or PostgreSQL.
//
//   leanspec_showcase_scale --cache-dir DIR [--postgres URL] [--generated 800] [--specs 100]
//       [--real 200] [--corpus DIR] [--cache-bytes 268435456] [--reads 20000] [--samples 500]
//       [--search-all-samples 100] [--hot-samples 20000] [--seed 1] [--json FILE]
//
// The store: `--generated` projects gen/pNNNN made by bench/corpus_generator (each with 70% to
// 130% of `--specs` specs, ~12 KB READMEs, its own seed) and the real corpus (`--corpus`,
// default $LEANSPEC_CORPUS or ../shared/corpus/lean-spec beside the checkout) imported under
// `--real` ids real/rNNN, each through DatabaseSource::import_directory. It is kept between
// runs: a marker project showcase/built-<hash of the parameters> says the store is complete;
// without it every project is removed and the store built again (in a child process, so that
// the measuring process's memory owes nothing to the build). SQLite: DIR/showcase-<hash>.db;
// PostgreSQL: the database the URL names (bench/showcase_scale.sh keeps a server for it). The
// spec ids of every project are kept in DIR too, so reads name real specs without loading any.
//
// Then, one JSON line each (stdout and --json FILE, appended; bench/summarize.py reads them):
//   build          seconds, whether it was cached, projects, specs, bytes imported
//   rss            process RSS (VmHWM, and VmRSS split into anonymous and file pages) while one
//                  DatabaseSource with cache_bytes = --cache-bytes serves --reads random reads
//                  (get 50%, list page 25%, search 15%, stats 10%) across every project;
//                  target <= cache_bytes + 64 MB. Stopped early past cache_bytes + 1 GiB.
//   cold_get, cold_list, cold_search
//                  p50/p99/max of a read of a project this source has never served
//                  (cache_bytes = 0: everything from the database); a fresh source every 50
//                  samples, its connection warmed by reads of an unsampled project, untimed
//   search_all     a search over project_id "*" (cache_bytes = 0) after one untimed search;
//                  "error" when the source refuses it
//   hot_get, hot_list
//                  the same reads on a project already in memory (default cache_bytes)
// Times are wall clock (steady_clock around each call), in microseconds. Nothing is asserted.
#include "corpus_generator.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

#ifndef LEANSPEC_DEFAULT_CORPUS
#define LEANSPEC_DEFAULT_CORPUS "../shared/corpus/lean-spec"
#endif

struct Options {
  fs::path cache_dir;       ///< the SQLite store, the spec ids, the generator's scratch tree
  std::string postgres_url; ///< empty: SQLite
  std::size_t generated = 800, specs = 100, real = 200;
  fs::path corpus;
  std::size_t cache_bytes = 256u << 20;
  std::size_t reads = 20000, samples = 500, search_all_samples = 100, hot_samples = 20000;
  std::uint64_t seed = 1;
  std::string json_path;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// --- Output ---------------------------------------------------------------------------------

std::string json_string(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\')
      out += {'\\', c};
    else if (static_cast<unsigned char>(c) < 0x20)
      out += ' ';
    else
      out += c;
  }
  return out + '"';
}

/// One JSON object being written: `add` appends "key": value.
class Line {
public:
  Line(const Options &o, std::string_view metric) {
    text_ = "{\"bench\":\"showcase_scale\",\"backend\":" +
            json_string(o.postgres_url.empty() ? "sqlite" : "postgres") +
            ",\"metric\":" + json_string(metric);
  }
  Line &add(std::string_view key, double value) {
    std::ostringstream s;
    s << std::setprecision(12) << value; // byte counts stay exact
    return raw(key, s.str());
  }
  Line &add(std::string_view key, std::string_view value) { return raw(key, json_string(value)); }
  Line &add(std::string_view key, bool value) { return raw(key, value ? "true" : "false"); }
  std::string str() const { return text_ + "}"; }

private:
  Line &raw(std::string_view key, const std::string &value) {
    text_ += "," + json_string(key) + ":" + value;
    return *this;
  }
  std::string text_;
};

void emit(const Options &o, const Line &line) {
  std::printf("%s\n", line.str().c_str());
  std::fflush(stdout);
  if (!o.json_path.empty()) {
    std::ofstream out(o.json_path, std::ios::app);
    out << line.str() << '\n';
  }
}

// --- The store ------------------------------------------------------------------------------

struct Project {
  std::string id;
  std::vector<std::string> spec_ids; ///< the folders, as get() takes them
};

std::string fingerprint(const Options &o) {
  std::ostringstream s;
  s << "generated=" << o.generated << " specs=" << o.specs << " real=" << o.real
    << " corpus=" << (o.real ? fs::absolute(o.corpus).string() : "") << " seed=" << o.seed
    << " corpus_version=" << leanspec::bench::corpus_fingerprint({});
  return s.str();
}

std::string key(const Options &o) {
  std::uint64_t h = 1469598103934665603ull; // FNV-1a
  for (const char c : fingerprint(o))
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(h));
  return buffer;
}

std::string database_url(const Options &o) {
  return o.postgres_url.empty()
             ? "sqlite:" + (o.cache_dir / ("showcase-" + key(o) + ".db")).string()
             : o.postgres_url;
}

std::string marker_project(const Options &o) { return "showcase/built-" + key(o); }

/// Every spec folder of a specs directory (top level, numbered), sorted.
std::vector<std::string> spec_folders(const fs::path &specs_dir) {
  std::vector<std::string> out;
  for (const auto &entry : fs::directory_iterator(specs_dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && !name.empty() && name[0] >= '0' && name[0] <= '9' &&
        fs::exists(entry.path() / "README.md"))
      out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::size_t specs_of_generated(const Options &o, std::size_t i) {
  // 70% .. 130% of --specs, a pure function of the index.
  const std::size_t spread = (i * 2654435761u) % 61;
  return std::max<std::size_t>(1, o.specs * (70 + spread) / 100);
}

/// The id of the i-th generated (gen/p0001...) or real-corpus (real/r001...) project.
std::string project_id(bool real, std::size_t i) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, real ? "real/r%03zu" : "gen/p%04zu", i + 1);
  return buffer;
}

/// The spec ids of every project ("project\tid" lines), written by the build.
fs::path ids_file(const Options &o) {
  return o.cache_dir /
         ("showcase-" + key(o) + (o.postgres_url.empty() ? "-sqlite" : "-postgres") + ".ids");
}

/// Builds the store from scratch: removes every project, imports each, adds the marker last;
/// writes the ids file. The generated trees are made one at a time in DIR/generated.
void build_store(const Options &o) {
  const auto start = Clock::now();
  leanspec::DatabaseSource db({.database_url = database_url(o), .cache_bytes = 0});
  for (const auto &p : db.registered_projects())
    db.remove_project(p.id);
  std::ofstream out(ids_file(o), std::ios::trunc);
  std::size_t specs = 0, bytes = 0;
  const auto import = [&](const std::string &id, const fs::path &root) {
    db.add_project({.id = id});
    db.import_directory(id, root / "specs");
    for (const auto &folder : spec_folders(root / "specs")) {
      out << id << '\t' << folder << '\n';
      ++specs;
    }
  };
  for (std::size_t i = 0; i < o.generated; ++i) {
    leanspec::bench::CorpusOptions corpus;
    corpus.root = o.cache_dir / "generated";
    corpus.specs = specs_of_generated(o, i);
    corpus.seed = o.seed * 1000003 + i;
    bytes += leanspec::bench::generate_corpus(corpus).bytes;
    import(project_id(false, i), corpus.root);
    if ((i + 1) % 100 == 0)
      std::fprintf(stderr, "leanspec_showcase_scale: %zu generated projects stored (%.0f s)\n",
                   i + 1, seconds_since(start));
  }
  fs::remove_all(o.cache_dir / "generated");
  for (std::size_t i = 0; i < o.real; ++i) {
    import(project_id(true, i), o.corpus);
    if ((i + 1) % 50 == 0)
      std::fprintf(stderr, "leanspec_showcase_scale: %zu real-corpus projects stored (%.0f s)\n",
                   i + 1, seconds_since(start));
  }
  out.close();
  db.add_project({.id = marker_project(o)});
  emit(o, Line(o, "build")
              .add("cached", false)
              .add("seconds", seconds_since(start))
              .add("projects", static_cast<double>(o.generated + o.real))
              .add("specs", static_cast<double>(specs))
              .add("generated_bytes", static_cast<double>(bytes)));
}

/// Builds the store unless the marker project says it holds these parameters; in a child
/// process. @returns false when the child failed
bool ensure_store(const Options &o) {
  std::fflush(stdout);
  const pid_t pid = ::fork();
  if (pid == 0) {
    try {
      bool built = false;
      {
        leanspec::DatabaseSource db({.database_url = database_url(o), .cache_bytes = 0});
        for (const auto &p : db.registered_projects())
          built = built || p.id == marker_project(o);
      }
      if (built && fs::exists(ids_file(o)))
        emit(o, Line(o, "build")
                    .add("cached", true)
                    .add("projects", static_cast<double>(o.generated + o.real))
                    .add("store", fingerprint(o)));
      else
        build_store(o);
      std::fflush(stdout);
      ::_exit(0);
    } catch (const std::exception &e) {
      std::fprintf(stderr, "leanspec_showcase_scale: building the store: %s\n", e.what());
      ::_exit(1);
    }
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::vector<Project> read_projects(const fs::path &ids) {
  std::vector<Project> out;
  std::ifstream in(ids);
  std::string line;
  while (std::getline(in, line)) {
    const auto tab = line.find('\t');
    const std::string id = line.substr(0, tab);
    if (out.empty() || out.back().id != id)
      out.push_back({id, {}});
    out.back().spec_ids.push_back(line.substr(tab + 1));
  }
  return out;
}

// --- Measuring ------------------------------------------------------------------------------

/// Wall times of calls, in microseconds.
class Samples {
public:
  template <class F> void time(F &&call) {
    const auto start = Clock::now();
    call();
    us_.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  /// The line with n, p50, p99 and max (nearest rank).
  Line line(const Options &o, std::string_view metric) {
    Line out(o, metric);
    std::sort(us_.begin(), us_.end());
    out.add("n", static_cast<double>(us_.size()));
    if (us_.empty())
      return out;
    const auto rank = [&](double p) {
      const auto i = static_cast<std::size_t>(p * static_cast<double>(us_.size()) + 0.999999);
      return us_[std::clamp<std::size_t>(i, 1, us_.size()) - 1];
    };
    return out.add("p50_us", rank(0.5)).add("p99_us", rank(0.99)).add("max_us", us_.back());
  }

private:
  std::vector<double> us_;
};

/// The process's memory from /proc/self/status, in MB: VmHWM, VmRSS, RssAnon, RssFile.
struct Memory {
  double hwm = 0, rss = 0, anon = 0, file = 0;
};

Memory memory() {
  Memory m;
  std::ifstream in("/proc/self/status");
  std::string key;
  double kb = 0;
  while (in >> key) {
    if (key == "VmHWM:" || key == "VmRSS:" || key == "RssAnon:" || key == "RssFile:") {
      in >> kb;
      (key == "VmHWM:"     ? m.hwm
       : key == "VmRSS:"   ? m.rss
       : key == "RssAnon:" ? m.anon
                           : m.file) = kb / 1024;
    }
    in.ignore(1 << 20, '\n');
  }
  return m;
}

const char *search_words[] = {"cache", "search index", "validation", "sync status", "api"};

/// One read of `project`: 0 get, 1 a list page (status filter, 50 specs), 2 search, 3 stats.
void read_once(const leanspec::DatabaseSource &db, const Project &project, int kind,
               std::mt19937_64 &rng) {
  switch (kind) {
  case 0:
    db.get(project.spec_ids[rng() % project.spec_ids.size()], project.id);
    break;
  case 1: {
    leanspec::ListQuery query{.project_id = project.id, .limit = 50};
    query.filter.statuses = {leanspec::Status::planned, leanspec::Status::in_progress};
    db.list(query);
    break;
  }
  case 2:
    db.search({.project_id = project.id,
               .text = search_words[rng() % std::size(search_words)],
               .limit = 20});
    break;
  default:
    db.stats(project.id);
  }
}

void measure_rss(const Options &o, const std::vector<Project> &projects) {
  std::mt19937_64 rng(o.seed);
  const Memory at_start = memory();
  const double limit_mb = static_cast<double>(o.cache_bytes) / (1 << 20) + 64;
  const double abort_mb = limit_mb + 1024;
  std::size_t done = 0;
  double peak_sampled = at_start.rss;
  const auto start = Clock::now();
  {
    leanspec::DatabaseSource db({.database_url = database_url(o), .cache_bytes = o.cache_bytes});
    for (; done < o.reads; ++done) {
      const int roll = static_cast<int>(rng() % 20);
      const int kind = roll < 10 ? 0 : roll < 15 ? 1 : roll < 18 ? 2 : 3;
      read_once(db, projects[rng() % projects.size()], kind, rng);
      if (done % 100 == 0) {
        peak_sampled = std::max(peak_sampled, memory().rss);
        if (peak_sampled > abort_mb)
          break;
      }
    }
  }
  const Memory at_end = memory();
  emit(o, Line(o, "rss")
              .add("cache_bytes", static_cast<double>(o.cache_bytes))
              .add("limit_mb", limit_mb)
              .add("peak_mb", at_end.hwm)
              .add("start_mb", at_start.rss)
              .add("anon_mb_sampled_at_end", at_end.anon)
              .add("file_mb_sampled_at_end", at_end.file)
              .add("reads", static_cast<double>(done))
              .add("stopped_early", done < o.reads)
              .add("seconds", seconds_since(start)));
}

/// Times `read` on projects this source has never served: a project order drawn once, a
/// fresh source (cache_bytes 0) every 50 samples. A fresh source's connection first answers
/// one get, list and search on a project outside the sample, untimed: in a running app a pooled
/// connection has run every statement before, and a new server backend's first statements pay
/// for its catalog caches and for mapping the shared buffers it touches (both per connection,
/// not per project; 2 to 3 ms each on PostgreSQL here). The project read stays cold.
void measure_cold(const Options &o, const std::vector<Project> &projects, std::string_view metric,
                  const std::function<void(const leanspec::DatabaseSource &, const Project &,
                                           std::mt19937_64 &)> &read) {
  std::mt19937_64 rng(o.seed + std::hash<std::string_view>{}(metric));
  std::vector<std::size_t> order(projects.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  std::mt19937_64 warm_rng(o.seed); // the warm-up's own: the samples stay the same reads
  Samples samples;
  std::unique_ptr<leanspec::DatabaseSource> db;
  for (std::size_t k = 0; k < std::min(o.samples, order.size()); ++k) {
    if (k % 50 == 0) {
      db.reset();
      db = std::make_unique<leanspec::DatabaseSource>(
          leanspec::DatabaseOptions{.database_url = database_url(o), .cache_bytes = 0});
      if (order.size() > o.samples) { // an unsampled project: warms the connection, untimed
        const Project &warm =
            projects[order[order.size() - 1 - (k / 50) % (order.size() - o.samples)]];
        for (int kind = 0; kind < 3; ++kind)
          read_once(*db, warm, kind, warm_rng);
      } else {
        db->list({.project_id = marker_project(o)}); // opens a connection: untimed
      }
    }
    const Project &project = projects[order[k]];
    samples.time([&] { read(*db, project, rng); });
  }
  emit(o, samples.line(o, metric));
}

void measure_search_all(const Options &o) {
  leanspec::DatabaseSource db({.database_url = database_url(o), .cache_bytes = 0});
  std::mt19937_64 rng(o.seed);
  Samples samples;
  try {
    // A warm connection, as in measure_cold: one untimed search of a word outside the list.
    if (o.search_all_samples > 0)
      db.search(
          {.project_id = std::string(leanspec::all_projects), .text = "project", .limit = 20});
    for (std::size_t k = 0; k < o.search_all_samples; ++k)
      samples.time([&] {
        db.search({.project_id = std::string(leanspec::all_projects),
                   .text = search_words[rng() % std::size(search_words)],
                   .limit = 20});
      });
    emit(o, samples.line(o, "search_all"));
  } catch (const std::exception &e) {
    emit(o, Line(o, "search_all").add("error", std::string_view(e.what())));
  }
}

void measure_hot(const Options &o, const std::vector<Project> &projects) {
  leanspec::DatabaseSource db({.database_url = database_url(o)});
  std::mt19937_64 rng(o.seed);
  // One generated project and one real one (when there are), both read once untimed.
  std::vector<const Project *> hot{&projects.front()};
  if (projects.back().id != projects.front().id)
    hot.push_back(&projects.back());
  for (const Project *p : hot)
    db.list({.project_id = p->id});
  Samples gets, lists;
  for (std::size_t k = 0; k < o.hot_samples; ++k) {
    const Project &p = *hot[k % hot.size()];
    gets.time([&] { read_once(db, p, 0, rng); });
    if (k % 10 == 0)
      lists.time([&] { read_once(db, p, 1, rng); });
  }
  emit(o, gets.line(o, "hot_get"));
  emit(o, lists.line(o, "hot_list"));
}

void measure_all(const Options &o, const std::vector<Project> &projects) {
  measure_rss(o, projects); // first: the process's peak belongs to this phase
  measure_cold(o, projects, "cold_get",
               [](const auto &db, const Project &p, auto &rng) { read_once(db, p, 0, rng); });
  measure_cold(o, projects, "cold_list",
               [](const auto &db, const Project &p, auto &rng) { read_once(db, p, 1, rng); });
  measure_cold(o, projects, "cold_search",
               [](const auto &db, const Project &p, auto &rng) { read_once(db, p, 2, rng); });
  measure_search_all(o);
  measure_hot(o, projects);
}

// --- Arguments ------------------------------------------------------------------------------

int usage() {
  std::fputs("usage: leanspec_showcase_scale --cache-dir DIR [--postgres URL] [--generated N] "
             "[--specs N] [--real N] [--corpus DIR] [--cache-bytes N] [--reads N] "
             "[--samples N] [--search-all-samples N] [--hot-samples N] [--seed S] "
             "[--json FILE]\n",
             stderr);
  return 2;
}

std::optional<Options> parse(int argc, char **argv) {
  Options o;
  const char *env = std::getenv("LEANSPEC_CORPUS");
  o.corpus = env && *env ? env : LEANSPEC_DEFAULT_CORPUS;
  const auto count = [](const char *text, std::size_t &out) {
    char *end = nullptr;
    out = std::strtoull(text, &end, 10);
    return end != text && *end == '\0';
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc)
      return std::nullopt;
    const char *value = argv[++i];
    std::size_t n = 0;
    if (arg == "--cache-dir")
      o.cache_dir = value;
    else if (arg == "--postgres")
      o.postgres_url = value;
    else if (arg == "--corpus")
      o.corpus = value;
    else if (arg == "--json")
      o.json_path = value;
    else if (!count(value, n))
      return std::nullopt;
    else if (arg == "--generated")
      o.generated = n;
    else if (arg == "--specs")
      o.specs = n;
    else if (arg == "--real")
      o.real = n;
    else if (arg == "--cache-bytes")
      o.cache_bytes = n;
    else if (arg == "--reads")
      o.reads = n;
    else if (arg == "--samples")
      o.samples = n;
    else if (arg == "--search-all-samples")
      o.search_all_samples = n;
    else if (arg == "--hot-samples")
      o.hot_samples = n;
    else if (arg == "--seed")
      o.seed = n;
    else
      return std::nullopt;
  }
  if (o.cache_dir.empty() || o.generated + o.real == 0)
    return std::nullopt;
  return o;
}

} // namespace

int main(int argc, char **argv) {
  const auto options = parse(argc, argv);
  if (!options)
    return usage();
  const Options &o = *options;
  if (o.real && !fs::is_directory(o.corpus / "specs")) {
    std::fprintf(stderr, "leanspec_showcase_scale: no real corpus at %s (--corpus, --real 0)\n",
                 o.corpus.string().c_str());
    return 1;
  }
  fs::create_directories(o.cache_dir);
  if (!ensure_store(o))
    return 1;
  try {
    const auto projects = read_projects(ids_file(o));
    measure_all(o, projects);
  } catch (const std::exception &e) {
    std::fprintf(stderr, "leanspec_showcase_scale: %s\n", e.what());
    return 1;
  }
  return 0;
}
