#pragma once
// Internal: cold reads (issue 18): a project's spec summaries, the denormalized columns of its
// `specs` rows and its relationship rows as Specs without body, frontmatter, sub-specs,
// transitions or diagnostics, enough for ref resolution, list (filter, sort, cursor), stats and
// relationships; DatabaseSource answers from them for projects it does not keep in memory
// (src/db/database_source.cpp) and reads whole only the folders an answer returns. What both
// Store backends share to build them; implemented in spec_summaries.cpp. Thread-safe (pure
// functions and plain data).

#include "db/store.hpp"

#include <cstdint>
#include <functional>
#include <leanspec/spec.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace leanspec::detail {

/// One project's summaries as a cold read found them.
struct ProjectSummaries {
  std::string project_id;
  std::uint64_t version = 0;                   ///< the snapshot version read
  std::vector<Spec> specs;                     ///< by path (byte order)
  std::vector<std::uint64_t> written_versions; ///< parallel to specs: the version that wrote it
};

/// The folders a cold read reads whole, chosen from the summaries it read (in the same
/// transaction): pairs of (index into the summaries, folder path).
using FolderPick = std::function<std::vector<std::pair<std::size_t, std::string>>(
    const std::vector<ProjectSummaries> &)>;

/// What Store::read_summaries returns: one stored version of every project it names.
struct SummaryRead {
  std::vector<ProjectSummaries> projects; ///< in the order asked; every project: by id
  /// Parallel to projects: the picked folders of each, as Store::specs gives them, by path.
  std::vector<std::vector<StoredSpec>> folders;
};

/// The columns of a summary row in the order every backend's summary_rows_sql selects them.
enum SummaryColumn {
  col_path,
  col_id,
  col_number,
  col_number_text,
  col_slug,
  col_title,
  col_status,
  col_priority,
  col_tags,
  col_assignee,
  col_created,
  col_created_at,
  col_updated_at,
  col_completed,
  col_completed_at,
  col_parent,
  col_archived,
  col_written_version,
  col_body ///< only in a read with bodies
};
/// The select list of a summary row (columns of `specs`, unqualified), in SummaryColumn order
/// (without col_body: a read with bodies adds ", body").
extern const char *const summary_columns;

/// Whether a cold read reads each spec's body (Spec::body) with its summary, as a search does.
enum class WithBodies : bool { no, yes };

/// A summary row's text columns to a Spec (with its body when `bodies`). `text(c)` gives
/// column c's text.
Spec summary_spec(const std::function<std::string(SummaryColumn)> &text, bool number_is_null,
                  bool archived, WithBodies bodies);

/// Adds relationship row (kind, ref) to its spec; rows arrive in position order. A "parent" row
/// is ignored: the `parent` column holds it.
void add_relationship(Spec &spec, std::string_view kind, std::string ref);

/// The index of `path` in `specs` (sorted by path, byte order), or -1.
long find_path(const std::vector<Spec> &specs, std::string_view path) noexcept;

} // namespace leanspec::detail
