#pragma once
// SpecSource: the abstract interface every source of specs implements (FilesystemSource,
// DatabaseSource, CachingSource, SpecsService). Thread-safe: every implementation allows concurrent
// calls from any thread. Shared logic lives in src/core/.
//
//   auto source = leanspec::make_filesystem_source({.specs_dir = "specs"});
//   const auto page = source->list();            // keep the result alive while you use it
//   for (const auto &spec : page->specs) std::cout << spec->id << '\n';
//   if (auto spec = source->get("82")) std::cout << spec->title << '\n';
//   const auto found = source->search({.text = "status:planned cache"});
//
// IMPORTANT: results are std::shared_ptr<const T>, so one result can be shared by every caller
// of a cache. Hold the pointer in a variable before iterating: in C++20,
// `for (auto &s : source->list()->specs)` destroys the result before the loop body runs
// (the range-for lifetime rule that C++23's P2718 fixes).

#include <cstdint>
#include <functional>
#include <leanspec/query.hpp>
#include <leanspec/spec.hpp>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leanspec {

/// What one new snapshot of a project changed, by spec id. A spec that moved (say into
/// `archived/`) keeps its id and is listed as changed.
struct ChangeEvent {
  std::string project_id;
  std::uint64_t version = 0; ///< the new snapshot's version; it grows by one per snapshot
  std::vector<std::string> added;
  std::vector<std::string> changed;
  std::vector<std::string> removed;
};

using ChangeCallback = std::function<void(const ChangeEvent &)>;

/// A subscription to change events; destroying it (or reset()) unsubscribes. Once reset()
/// returns the callback is not running and will not run again, except when reset() is called
/// from inside the callback itself, which is allowed: then that call is the last. Move-only.
class Subscription {
public:
  Subscription() = default;
  explicit Subscription(std::function<void()> cancel) : cancel_(std::move(cancel)) {}
  Subscription(Subscription &&other) noexcept : cancel_(std::exchange(other.cancel_, {})) {}
  Subscription &operator=(Subscription &&other) noexcept {
    if (this != &other) {
      reset();
      cancel_ = std::exchange(other.cancel_, {});
    }
    return *this;
  }
  ~Subscription() { reset(); }

  void reset() noexcept {
    if (auto cancel = std::exchange(cancel_, {}))
      cancel();
  }
  /// True while subscribed.
  explicit operator bool() const noexcept { return static_cast<bool>(cancel_); }

private:
  std::function<void()> cancel_;
};

class SpecSource {
public:
  virtual ~SpecSource() = default;
  SpecSource() = default;
  SpecSource(const SpecSource &) = delete;
  SpecSource &operator=(const SpecSource &) = delete;

  /// The projects this source serves.
  virtual std::vector<Project> projects() const = 0;

  /// A filtered, sorted page of specs.
  /// @throws leanspec::Error invalid_argument for a malformed cursor
  /// @throws leanspec::Error not_found for an unknown project id
  virtual std::shared_ptr<const SpecList> list(const ListQuery &query = {}) const = 0;

  /// The spec a ref names: its id ("018-spec-validation"), its number ("18", "018") or its
  /// slug ("spec-validation"). Empty when nothing matches.
  /// @throws leanspec::Error ambiguous when the ref matches several specs (all are named)
  /// @throws leanspec::Error invalid_argument when the ref would leave the specs directory
  virtual SpecPtr get(std::string_view ref, std::string_view project_id = {}) const = 0;

  /// Specs matching a query in LeanSpec's query language, best first.
  /// @throws leanspec::Error invalid_argument for a query that does not parse (with position)
  virtual std::shared_ptr<const SearchResult> search(const SearchQuery &query) const = 0;

  virtual std::shared_ptr<const Stats> stats(std::string_view project_id = {}) const = 0;

  /// The relationships of the spec a ref names, or empty when it names none.
  /// @throws leanspec::Error ambiguous, invalid_argument as get()
  virtual std::shared_ptr<const Relationships>
  relationships(std::string_view ref, std::string_view project_id = {}) const = 0;

  /// Every diagnostic of the project: each spec's own, plus cross-spec checks (duplicate
  /// numbers, dangling refs, cycles, status disagreements).
  virtual std::shared_ptr<const std::vector<Diagnostic>>
  validate(std::string_view project_id = {}) const = 0;

  /// Calls `callback` with each change event, on a thread of the source's own, in version
  /// order, after the new snapshot is visible to every call. A slow callback delays later
  /// events, never the source. Sources whose specs never change (the default) never call it.
  /// Thread-safe; the callback must not throw (what it throws is dropped).
  virtual Subscription subscribe(ChangeCallback callback) const;

  /// The design's getSpecsByStatus: every spec of the project grouped by status, by number.
  std::map<Status, std::vector<SpecPtr>> by_status(std::string_view project_id = {}) const;
};

} // namespace leanspec
