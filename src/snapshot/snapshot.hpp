#pragma once
// Internal: Snapshot, the immutable set of one project's specs that every query runs on
// (list, get, search, stats, relationships, validate). FilesystemSource publishes one per load;
// later sources build theirs the same way. Immutable once constructed; lazily built parts
// (search index, validation) are computed once under std::call_once.

#include <atomic>
#include <leanspec/query.hpp>
#include <leanspec/spec.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace leanspec::detail {

class SearchIndex;

class Snapshot {
public:
  /// `specs` in any order; `diagnostics` are directory-level problems found while loading.
  Snapshot(std::string project_id, std::vector<SpecPtr> specs, std::vector<Diagnostic> diagnostics);
  ~Snapshot();

  const std::string &project_id() const noexcept { return project_id_; }
  /// All specs, ordered by number then id.
  const std::vector<SpecPtr> &specs() const noexcept { return specs_; }
  /// Directory-level diagnostics of the load.
  const std::vector<Diagnostic> &load_diagnostics() const noexcept { return diagnostics_; }

  SpecPtr get(std::string_view ref) const;
  /// The index into specs() of the spec `ref` names, or -1; throws like get().
  long find(std::string_view ref) const;
  /// All indices a ref could mean (id, number or slug), without throwing.
  std::vector<std::size_t> candidates(std::string_view ref) const;

  std::shared_ptr<const SpecList> list(const ListQuery &query) const;
  std::shared_ptr<const SearchResult> search(const SearchQuery &query) const;
  /// search() for a caller that will not search this snapshot again (a process about to exit,
  /// the summaries of a project served cold): unless the snapshot's index is built already, an
  /// index of only the query's terms (query_terms.hpp) is built for the call and dropped. The
  /// same result as search().
  std::shared_ptr<const SearchResult> search_once(const SearchQuery &query) const;
  std::shared_ptr<const Stats> stats() const;
  std::shared_ptr<const Relationships> relationships(std::string_view ref) const;
  std::shared_ptr<const std::vector<Diagnostic>> validate() const;

  /// A list over a project set (include/leanspec/query.hpp, all_projects): `query` over every
  /// snapshot's specs together, ties broken by project id, with SpecList::project_ids filled.
  /// Its cursors are a project set's own (a one-project cursor is refused, and back).
  static std::shared_ptr<const SpecList>
  list_over(const std::vector<std::shared_ptr<const Snapshot>> &snapshots, const ListQuery &query);
  /// Stats over a project set: totals, and Stats::by_project (each snapshot's by_status).
  static std::shared_ptr<const Stats>
  stats_over(const std::vector<std::shared_ptr<const Snapshot>> &snapshots);

  /// The search index, built on first use.
  const SearchIndex &search_index() const;
  /// Whether search_index() has been built (by any thread).
  bool has_search_index() const noexcept { return index_built_.load(std::memory_order_acquire); }

  /// The heap bytes this snapshot holds: its specs (every string's buffer, vector, frontmatter
  /// node, sub-spec and diagnostic, each as the allocator's chunk), its ref maps, relationship
  /// graph and stats, and the search index once built. Specs shared with another snapshot are
  /// counted in both. O(size of the specs' metadata); thread-safe. Implemented in
  /// snapshot_memory.cpp.
  std::size_t memory_bytes() const;

private:
  std::string project_id_;
  std::vector<SpecPtr> specs_;
  std::vector<Diagnostic> diagnostics_;
  std::unordered_multimap<std::string_view, std::size_t>
      by_id_; // a folder name may repeat across groups
  std::unordered_multimap<int, std::size_t> by_number_;
  std::unordered_multimap<std::string_view, std::size_t> by_slug_;
  // Resolved relationship graph: indices into specs_ (unresolvable refs dropped).
  std::vector<std::vector<std::size_t>> depends_on_, required_by_, children_;
  std::vector<long> parent_;
  std::shared_ptr<const Stats> stats_;

  mutable std::once_flag index_once_;
  mutable std::shared_ptr<const SearchIndex> index_;
  mutable std::atomic<bool> index_built_{false}; // index_ is set (release after the store)
  mutable std::once_flag validate_once_;
  mutable std::shared_ptr<const std::vector<Diagnostic>> validation_;
};

} // namespace leanspec::detail
