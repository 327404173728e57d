#pragma once
// Internal: Syncer, one sync of one project (single-thread), in the order the sync may end:
// the webhook's contents path (fetch_contents.cpp), the conditional head check and the tree
// compared by blob SHA (syncer.cpp, tree_listing.cpp), then the missing files as blobs
// (fetch_blobs.cpp) or one tarball (fetch_tarball.cpp). See src/github/github_sync.cpp for the
// whole story of a sync.

#include "db/store.hpp"
#include "github/github_client.hpp"
#include "github/tree_listing.hpp"
#include "github/webhook.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <leanspec/github_sync.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace leanspec::detail {

using SteadyClock = std::chrono::steady_clock;

// One sync of one project. Single-thread.
class Syncer {
public:
  Syncer(Store &store, const SyncOptions &options, GithubClientOptions client_options,
         ProjectRecord project, std::optional<SyncHint> hint, const std::atomic<bool> &cancel);

  struct Result {
    SyncOutcome outcome = SyncOutcome::error;
    /// The snapshot to store (ok only, when it differs from the stored one): written by the
    /// caller with the run's record, in one transaction.
    std::optional<std::vector<StoredSpec>> snapshot;
    std::string path, commit_sha, specs_tree, commit_tree, etags_json, error;
    std::int64_t retry_at = 0;
    std::vector<std::string> used_kept_blobs;
  };

  Result run();

  GithubCounters counters() const noexcept { return client_.counters(); }

  /// A sync's deadline: `budget` from now (max(): none, when it is too long to add).
  static SteadyClock::time_point deadline_of(std::chrono::milliseconds budget);

private:
  // Every request of the sync counts against one deadline, from now (or the options' own,
  // when earlier).
  static GithubClientOptions with_deadline(GithubClientOptions options,
                                           std::chrono::milliseconds budget);

  void body(Result &result);
  // 2. A complete webhook hint, confirmed and applied (the "contents" path); false when there
  // is none or GitHub does not confirm it.
  bool sync_hinted(Result &result);
  // 1. The branch's head, conditionally: the commit to sync, or none when it is the stored one
  // (the "unchanged" path, result filled).
  std::optional<std::string> head_commit(Result &result);
  // 3. The tree compared by blob SHA, then the missing files fetched.
  void sync_tree(const std::string &commit, Result &result);
  // The snapshot the listing describes, its bytes from `have` (blob SHA -> bytes).
  static std::vector<StoredSpec>
  snapshot_of(const TreeListing &listing,
              const std::unordered_map<std::string, const std::string *> &have);

  // --- the contents path (fetch_contents.cpp) ------------------------------------------------

  // 2a. A payload is signed, not true: GitHub's own comparison of the two commits must name
  // the same spec files, changed and removed, or the tree decides (HintMismatch).
  void confirm_hint();
  // 2b. A webhook's paths, fetched through the contents API at the pushed commit.
  void apply_hint(std::vector<StoredSpec> &stored, const std::string &commit, Result &result);
  // One contents API answer: the file's blob SHA and its bytes, checked against each other.
  std::pair<std::string, std::string> contents_file(const GithubResponse &response,
                                                    const std::string &what);

  // --- the blobs path (fetch_blobs.cpp) ------------------------------------------------------

  std::string fetch_blob(const std::string &sha, const std::string &what);
  std::string decode_blob(const GithubResponse &response, const std::string &sha,
                          const std::string &what);
  // The files the stored snapshot lacks: kept blobs, then the tarball or the blobs.
  std::unordered_map<std::string, std::string>
  fetch_missing(const std::vector<const WantedFile *> &missing, const TreeListing &listing,
                const std::string &commit, std::optional<GithubResponse> &tarball, Result &result);
  void fetch_blobs(const std::vector<const WantedFile *> &files,
                   std::unordered_map<std::string, std::string> &out);

  // --- the tarball path (fetch_tarball.cpp) --------------------------------------------------

  // Not retried: a failed tarball falls back to the blobs.
  GithubRequest tarball_request(const std::string &commit) const;
  void read_tarball(const GithubResponse &response, const std::string &what,
                    const std::vector<const WantedFile *> &files, std::uint64_t max_expanded,
                    std::unordered_map<std::string, std::string> &out);

  // --- the tree (tree_listing.cpp) -----------------------------------------------------------

  struct RawEntry {
    std::string path, mode, type, sha;
    std::uint64_t size = 0;
  };

  // One tree listing; `base` is prefixed to its paths; `tree_sha` (optional) gets its SHA.
  bool read_tree(const GithubResponse &response, const std::string &base, const std::string &what,
                 std::vector<RawEntry> &out, std::string *tree_sha = nullptr);
  TreeListing list_tree(const std::string &commit, const GithubResponse &response);
  // A truncated recursive listing: the specs folder level by level, non-recursively (spec
  // folders sit at most two levels down and their files directly in them).
  std::vector<RawEntry> walk_truncated(const std::string &commit, const std::string &specs_path,
                                       const std::string &what);

  // --- helpers (syncer.cpp) ------------------------------------------------------------------

  // Stops the sync for a response that is not a usable answer.
  void check(const GithubResponse &response, const std::string &what) const;
  static bool differs(const std::vector<StoredSpec> &a, const std::vector<StoredSpec> &b);
  void report(std::size_t done, std::size_t total) const;
  std::function<bool(std::size_t, std::size_t)> progress_callback(std::size_t);

  Store &store_;
  const SyncOptions &options_;
  GithubClient client_;
  ProjectRecord project_;
  std::optional<detail::SyncHint> hint_;
  const std::atomic<bool> &cancel_;
  std::string repo_;
  std::string confirmed_tree_; // the hinted commit's root tree, from confirm_hint()
};

} // namespace leanspec::detail
