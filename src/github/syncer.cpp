// Implements Syncer (src/github/syncer.hpp): the run, the conditional head check (the
// "unchanged" path), the tree compared with the stored snapshot, and the checks every answer
// passes. The fetch paths are in fetch_contents.cpp, fetch_blobs.cpp and fetch_tarball.cpp.
#include "github/syncer.hpp"

#include "core/unix_ms.hpp"
#include "github/credential.hpp"
#include "github/etags.hpp"
#include "github/repo_paths.hpp"
#include "github/sync_failure.hpp"
#include "tree/spec_names.hpp"

#include <algorithm>
#include <cctype>
#include <leanspec/error.hpp>
#include <map>
#include <set>
#include <simdjson.h>

namespace leanspec::detail {

Syncer::Syncer(Store &store, const SyncOptions &options, GithubClientOptions client_options,
               ProjectRecord project, std::optional<SyncHint> hint, const std::atomic<bool> &cancel)
    : store_(store), options_(options),
      client_(with_deadline(std::move(client_options), options.deadline)),
      project_(std::move(project)), hint_(std::move(hint)), cancel_(cancel),
      repo_("/repos/" + url_escape(project_.owner, false) + "/" +
            url_escape(project_.repo, false)) {}

Syncer::Result Syncer::run() {
  Result result;
  try {
    body(result);
  } catch (const SyncFailure &failure) {
    result.outcome = failure.retry_at ? SyncOutcome::rate_limited : SyncOutcome::error;
    result.retry_at = failure.retry_at;
    result.error = failure.message;
    if (!failure.retry_at && SteadyClock::now() >= client_.options().deadline)
      result.error = project_.id + ": the sync passed its deadline of " +
                     std::to_string(options_.deadline.count()) + " ms (" + failure.message + ")";
  } catch (const Error &e) { // the store, or a config the client refused
    result.outcome = SyncOutcome::error;
    result.error = e.what();
  }
  return result;
}

SteadyClock::time_point Syncer::deadline_of(std::chrono::milliseconds budget) {
  const auto now = SteadyClock::now();
  if (budget <
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::time_point::max() - now))
    return now + budget;
  return SteadyClock::time_point::max(); // none
}

GithubClientOptions Syncer::with_deadline(GithubClientOptions options,
                                          std::chrono::milliseconds budget) {
  options.deadline = std::min(options.deadline, deadline_of(budget));
  return options;
}

void Syncer::body(Result &result) {
  if (sync_hinted(result))
    return;
  if (const std::optional<std::string> commit = head_commit(result))
    sync_tree(*commit, result);
}

bool Syncer::sync_hinted(Result &result) {
  // 2 first: a complete webhook hint names the commit and every changed path; syncing to that
  // commit needs no head check (a later push sends its own delivery).
  if (!hint_ || project_.commit_sha.empty() || hint_->before != project_.commit_sha ||
      !is_sha(hint_->after) || hint_->after == project_.commit_sha)
    return false;
  std::vector<StoredSpec> stored = store_.specs(project_.id);
  try {
    confirm_hint();
    apply_hint(stored, hint_->after, result);
    result.commit_sha = hint_->after;
    result.etags_json = project_.etags_json;
    return true;
  } catch (const HintMismatch &) {
    return false; // the payload did not describe the commit: the head and the tree decide
  }
}

std::optional<std::string> Syncer::head_commit(Result &result) {
  // 1. The head, conditionally.
  const std::string head_path = repo_ + "/commits/" + url_escape(project_.branch, false);
  std::map<std::string, std::string> etags = read_etags(project_.etags_json);
  GithubRequest head_request{head_path, "application/vnd.github.sha", {}};
  if (!project_.commit_sha.empty())
    if (auto it = etags.find(head_path); it != etags.end())
      head_request.if_none_match = it->second;
  GithubResponse head = client_.fetch(head_request);
  check(head, "branch '" + project_.branch + "' of " + project_.id);
  result.etags_json = project_.etags_json;
  if (head.status == 304) {
    result.outcome = SyncOutcome::not_modified;
    result.path = "unchanged";
    result.commit_sha = project_.commit_sha;
    result.specs_tree = project_.last_tree;
    result.commit_tree = project_.commit_tree;
    return std::nullopt;
  }
  std::string commit = head.body;
  while (!commit.empty() && std::isspace(static_cast<unsigned char>(commit.back())))
    commit.pop_back();
  if (!is_sha(commit))
    throw SyncFailure{"branch '" + project_.branch + "' of " + project_.id +
                      ": GitHub's answer is not a commit SHA"};
  if (!head.etag.empty())
    etags[head_path] = head.etag;
  result.etags_json = write_etags(etags);
  result.commit_sha = commit;
  if (commit == project_.commit_sha) {
    result.outcome = SyncOutcome::not_modified;
    result.path = "unchanged";
    result.specs_tree = project_.last_tree;
    result.commit_tree = project_.commit_tree;
    return std::nullopt;
  }
  return commit;
}

void Syncer::sync_tree(const std::string &commit, Result &result) {
  std::vector<StoredSpec> stored = store_.specs(project_.id);

  // 3. The tree. On a first sync everything is needed: the tarball comes alongside the tree
  // (one round trip saved); past tarball_max_bytes it is abandoned and the blobs come instead.
  std::optional<GithubResponse> tarball;
  GithubRequest tree_request{
      repo_ + "/git/trees/" + commit + "?recursive=1", "application/vnd.github+json", {}};
  GithubResponse tree_response;
  if (stored.empty() && options_.first_sync_tarball) {
    auto both = client_.fetch_all({tree_request, tarball_request(commit)});
    tree_response = std::move(both[0]);
    tarball = std::move(both[1]);
  } else {
    tree_response = client_.fetch(tree_request);
  }
  TreeListing listing = list_tree(commit, tree_response);
  result.specs_tree = listing.specs_tree;
  result.commit_tree = listing.root_tree;
  // Names passed over: a word in the run's record even when it ends ok.
  result.error = refused_message(listing);
  if (!project_.last_tree.empty() && listing.specs_tree == project_.last_tree && !stored.empty()) {
    result.outcome = SyncOutcome::ok;
    result.path = "unchanged";
    return;
  }
  std::unordered_map<std::string, const std::string *> have; // blob SHA -> stored bytes
  for (const auto &spec : stored)
    for (const auto &file : spec.files)
      have.emplace(file.content_hash, &file.content);
  std::vector<const WantedFile *> missing;
  std::set<std::string> missing_shas;
  for (const auto &file : listing.files)
    if (!have.count(file.sha) && missing_shas.insert(file.sha).second)
      missing.push_back(&file);
  std::unordered_map<std::string, std::string> fetched =
      fetch_missing(missing, listing, commit, tarball, result);
  for (const auto &[sha, bytes] : fetched)
    have.emplace(sha, &bytes);

  std::vector<StoredSpec> specs = snapshot_of(listing, have);
  if (differs(stored, specs))
    result.snapshot = std::move(specs);
  result.outcome = SyncOutcome::ok;
}

std::vector<StoredSpec>
Syncer::snapshot_of(const TreeListing &listing,
                    const std::unordered_map<std::string, const std::string *> &have) {
  std::map<std::string, StoredSpec> next;
  for (const auto &folder : listing.folders)
    next[folder].path = folder;
  for (const auto &file : listing.files)
    next[file.folder].files.push_back({file.name, *have.at(file.sha), file.sha});
  std::vector<StoredSpec> specs;
  for (auto &[path, spec] : next)
    specs.push_back(std::move(spec));
  return specs;
}

std::unordered_map<std::string, std::string>
Syncer::fetch_missing(const std::vector<const WantedFile *> &missing, const TreeListing &listing,
                      const std::string &commit, std::optional<GithubResponse> &tarball,
                      Result &result) {
  std::unordered_map<std::string, std::string> out;
  if (missing.empty()) {
    result.path = "unchanged";
    return out;
  }
  std::uint64_t bytes = 0;
  for (const WantedFile *file : missing)
    bytes += file->size;
  if (bytes > options_.max_sync_bytes)
    throw SyncFailure{project_.id + ": the spec files to fetch weigh " + std::to_string(bytes) +
                      " bytes, over the per-sync limit of " +
                      std::to_string(options_.max_sync_bytes)};
  // Blobs kept by an earlier, unfinished sync.
  std::vector<std::string> wanted;
  for (const WantedFile *file : missing)
    wanted.push_back(file->sha);
  for (auto &[sha, content] : store_.blobs(wanted))
    if (git_blob_sha1(content) == sha) {
      result.used_kept_blobs.push_back(sha);
      out.emplace(sha, std::move(content));
    }
  std::vector<const WantedFile *> to_fetch;
  for (const WantedFile *file : missing)
    if (!out.count(file->sha))
      to_fetch.push_back(file);
  if (to_fetch.empty()) {
    result.path = "blobs";
    return out;
  }
  const std::string what = "tarball of " + project_.id + " at " + commit.substr(0, 12);
  if (!tarball && to_fetch.size() > options_.tarball_min_files &&
      listing.total_bytes <= options_.tarball_max_bytes)
    tarball = client_.fetch(tarball_request(commit));
  if (tarball && tarball->is_rate_limited())
    check(*tarball, what); // stops here: the blobs would be limited too
  // Too large (by its body or the tree's weight), or failed: the blobs, never the same
  // download again (each attempt is a tarball call and a whole archive).
  if (tarball && (!tarball->error.empty() || tarball->status != 200 ||
                  listing.total_bytes > options_.tarball_max_bytes))
    tarball.reset();
  result.path = tarball ? "tarball" : "blobs";
  report(0, to_fetch.size());
  // A tarball expands to the tree's files and a header or two (a long name's pax header)
  // for each entry; more is a decompression bomb, or not this commit's tarball.
  if (tarball)
    read_tarball(*tarball, what, to_fetch, listing.total_bytes + (listing.entries + 16) * 8192,
                 out);
  else
    fetch_blobs(to_fetch, out);
  return out;
}

// Stops the sync for a response that is not a usable answer.
void Syncer::check(const GithubResponse &response, const std::string &what) const {
  if (response.is_rate_limited()) {
    // GitHub's reset time is in whole seconds; the run's retry_at is unix ms, at least 1 s on.
    const std::int64_t now_ms = unix_ms();
    const std::int64_t at =
        std::max<std::int64_t>(response.retry_at(now_ms / 1000) * 1000, now_ms + 1000);
    const std::string why = response.budget_paused_until > 0
                                ? ": not sent: this token's rate budget is paused after a rate "
                                  "limit; retrying after "
                                : ": GitHub rate limit reached; retrying after ";
    throw SyncFailure{what + why + std::to_string((at - now_ms + 999) / 1000) + " s", at};
  }
  if (!response.error.empty())
    throw SyncFailure{what + ": " + response.error};
  const long s = response.status;
  if (s == 200 || s == 304)
    return;
  std::string message;
  {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    std::string_view text;
    if (!parser.parse(response.body).get(root) && root.is_object() && !root["message"].get(text))
      message = " (" + printable_path(text) + ")";
  }
  if (s == 401)
    throw SyncFailure{what + ": GitHub answered 401 Unauthorized: " +
                      client_.options().credential->refused_text() + message};
  if (s == 403)
    throw SyncFailure{what + ": GitHub answered 403 Forbidden" + message};
  if (s == 404 || s == 422)
    throw SyncFailure{what + ": not found (HTTP " + std::to_string(s) +
                      "): check the repository, the branch and the token's access" + message};
  throw SyncFailure{what + ": unexpected HTTP " + std::to_string(s) + message};
}

bool Syncer::differs(const std::vector<StoredSpec> &a, const std::vector<StoredSpec> &b) {
  auto shape = [](const std::vector<StoredSpec> &specs) {
    std::map<std::string, std::set<std::pair<std::string, std::string>>> out;
    for (const auto &spec : specs) {
      auto &files = out[spec.path];
      for (const auto &file : spec.files)
        files.emplace(file.name, file.content_hash);
    }
    return out;
  };
  return shape(a) != shape(b);
}

void Syncer::report(std::size_t done, std::size_t total) const {
  if (!options_.progress)
    return;
  try {
    options_.progress(project_.id, done, total);
  } catch (...) {
    // a host's progress callback cannot stop the sync
  }
}

std::function<bool(std::size_t, std::size_t)> Syncer::progress_callback(std::size_t) {
  return [this](std::size_t done, std::size_t total) {
    report(done, total);
    return !cancel_.load();
  };
}

} // namespace leanspec::detail
