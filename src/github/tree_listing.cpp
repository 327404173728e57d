// Implements src/github/tree_listing.hpp and Syncer's tree reading (src/github/syncer.hpp):
// the recursive listing of a commit (or, truncated, the specs folder walked level by level),
// each entry judged as the filesystem source judges names (src/tree/spec_names.hpp).
#include "github/tree_listing.hpp"

#include "github/repo_paths.hpp"
#include "github/response_decoding.hpp"
#include "github/sync_failure.hpp"
#include "github/syncer.hpp"
#include "tree/spec_names.hpp"

#include <algorithm>

namespace leanspec::detail {

std::string refused_message(const TreeListing &listing) {
  if (listing.refused.empty())
    return {};
  std::string out = "passed over " + std::to_string(listing.refused.size()) +
                    " path(s) of the specs folder whose names no specs tree holds:";
  std::size_t shown = 0;
  for (const auto &[path, reason] : listing.refused) {
    if (++shown > 10) {
      out += " ...";
      break;
    }
    out += (shown > 1 ? "; '" : " '") + printable_path(path) + "' (its name " +
           std::string(reason) + ")";
  }
  return out;
}

bool Syncer::read_tree(const GithubResponse &response, const std::string &base,
                       const std::string &what, std::vector<RawEntry> &out, std::string *tree_sha) {
  simdjson::dom::parser parser;
  const auto root = parse_json(parser, response.body, what);
  simdjson::dom::array tree;
  if (!root.is_object() || root["tree"].get(tree))
    throw SyncFailure{what + ": GitHub's answer has no 'tree' array"};
  if (tree_sha) {
    std::string_view sha;
    tree_sha->clear();
    if (!root["sha"].get(sha) && is_sha(sha))
      *tree_sha = sha;
  }
  bool truncated = false;
  if (root["truncated"].get(truncated))
    truncated = false;
  for (simdjson::dom::element item : tree) {
    if (!item.is_object())
      throw SyncFailure{what + ": a tree entry is not an object"};
    RawEntry entry;
    entry.path = base + std::string(json_text(item, "path", what));
    entry.mode = json_text(item, "mode", what);
    entry.type = json_text(item, "type", what);
    entry.sha = json_text(item, "sha", what);
    if (const auto size = item["size"]; size.error() == simdjson::NO_SUCH_FIELD)
      entry.size = 0; // trees and submodules have none
    else if (size.get(entry.size))
      throw SyncFailure{what + ": '" + printable_path(entry.path) + "' has no valid size"};
    out.push_back(std::move(entry));
  }
  return truncated;
}

TreeListing Syncer::list_tree(const std::string &commit, const GithubResponse &response) {
  const std::string what = "tree of " + project_.id + " at " + commit.substr(0, 12);
  std::string specs_path = project_.specs_path;
  while (specs_path.ends_with('/'))
    specs_path.pop_back();
  if (specs_path == ".")
    specs_path.clear();
  std::vector<RawEntry> entries;
  check(response, what);
  TreeListing listing;
  const bool truncated = read_tree(response, "", what, entries, &listing.root_tree);
  if (truncated)
    entries = walk_truncated(commit, specs_path, what);

  listing.entries = entries.size();
  std::set<std::string_view> seen; // paths under the specs folder
  const std::string prefix = specs_path.empty() ? "" : specs_path + "/";
  bool specs_found = specs_path.empty();
  for (const RawEntry &entry : entries) {
    if (entry.type == "blob") // saturating: a hostile size cannot wrap the total around
      listing.total_bytes = entry.size > UINT64_MAX - listing.total_bytes
                                ? UINT64_MAX
                                : listing.total_bytes + entry.size;
    if (!specs_path.empty() && entry.path == specs_path) {
      if (entry.type != "tree")
        throw SyncFailure{project_.id + ": '" + specs_path + "' is not a folder at " +
                          commit.substr(0, 12)};
      specs_found = true;
      listing.specs_tree = entry.sha;
      continue;
    }
    if (!entry.path.starts_with(prefix)) {
      // No git tree has such a path, wherever it is (git fsck and GitHub refuse them).
      if (!safe_path(entry.path))
        throw SyncFailure{what + ": unsafe path '" + printable_path(entry.path) + "'"};
      continue;
    }
    // Inside the specs folder each name is judged as the filesystem source judges it
    // (src/tree/spec_names.hpp): one it refuses ("..", a control character, a backslash, ...)
    // is passed over with a word in the run's record, and the rest is synced.
    const std::string relative = entry.path.substr(prefix.size());
    const detail::SpecPlace place = detail::spec_place(relative, entry.type == "tree");
    if (place.kind == detail::SpecPlace::Kind::refused) {
      listing.refused.emplace(prefix + std::string(place.refused), place.reason);
      continue;
    }
    if (place.kind == detail::SpecPlace::Kind::other)
      continue; // never read, whatever it is
    if (!seen.insert(entry.path).second)
      throw SyncFailure{what + ": '" + printable_path(entry.path) + "' is listed twice"};
    if (!is_sha(entry.sha))
      throw SyncFailure{what + ": '" + printable_path(entry.path) + "' has no valid SHA"};
    if (entry.size > max_git_file)
      throw SyncFailure{what + ": '" + printable_path(entry.path) + "' claims " +
                        std::to_string(entry.size) + " bytes, more than a git push can carry"};
    if (entry.type == "tree") {
      // A spec folder: one level down, or two below archived/ or a date group.
      if (place.kind == detail::SpecPlace::Kind::folder)
        listing.folders.insert(relative);
      continue;
    }
    if (entry.type != "blob" || (entry.mode != "100644" && entry.mode != "100755"))
      continue; // symlinks and submodules are never read
    if (place.kind != detail::SpecPlace::Kind::file || entry.size > options_.max_file_size)
      continue; // larger files are left out, as the filesystem source leaves them out
    listing.files.push_back(
        {std::string(place.folder), std::string(place.name), entry.sha, entry.path, entry.size});
  }
  if (!specs_found)
    throw SyncFailure{project_.id + ": the specs folder '" + specs_path +
                      "' does not exist on branch '" + project_.branch + "' (commit " +
                      commit.substr(0, 12) + ")"};
  if (specs_path.empty())
    listing.specs_tree.clear();
  if (truncated) // only the specs folder was walked: the repository's weight is unknown
    listing.total_bytes = UINT64_MAX;
  return listing;
}

std::vector<Syncer::RawEntry> Syncer::walk_truncated(const std::string &commit,
                                                     const std::string &specs_path,
                                                     const std::string &what) {
  std::vector<RawEntry> out;
  // Down to the specs folder, one component at a time.
  std::string tree_sha = commit, base;
  std::size_t begin = 0;
  while (begin < specs_path.size()) {
    const std::size_t end = std::min(specs_path.find('/', begin), specs_path.size());
    const std::string component = specs_path.substr(begin, end - begin);
    std::vector<RawEntry> level;
    GithubResponse response =
        client_.fetch({repo_ + "/git/trees/" + tree_sha, "application/vnd.github+json", {}});
    check(response, what);
    read_tree(response, base, what, level);
    const auto it = std::find_if(level.begin(), level.end(),
                                 [&](const RawEntry &e) { return e.path == base + component; });
    if (it == level.end())
      return out; // no specs folder: list_tree reports it
    out.push_back(*it);
    if (it->type != "tree")
      return out;
    tree_sha = it->sha;
    base += component + "/";
    begin = end + 1;
  }
  // The specs folder, then two more levels (groups, then spec folders' files).
  std::vector<std::pair<std::string, std::string>> pending{{tree_sha, base}}; // sha, base
  for (int depth = 0; depth < 3 && !pending.empty(); ++depth) {
    std::vector<GithubRequest> requests;
    for (const auto &[sha, prefix] : pending)
      requests.push_back({repo_ + "/git/trees/" + sha, "application/vnd.github+json", {}});
    auto responses = client_.fetch_all(requests);
    std::vector<std::pair<std::string, std::string>> next;
    for (std::size_t i = 0; i < responses.size(); ++i) {
      check(responses[i], what);
      std::vector<RawEntry> level;
      if (read_tree(responses[i], pending[i].second, what, level))
        throw SyncFailure{what + ": the listing of '" + printable_path(pending[i].second) +
                          "' is truncated too"};
      for (auto &entry : level) {
        if (entry.type == "tree" && depth < 2 && safe_path(entry.path)) {
          const std::string relative = entry.path.substr(base.size());
          const bool folder =
              detail::spec_place(relative, true).kind == detail::SpecPlace::Kind::folder;
          const bool group = depth == 0 && detail::name_use(relative) == detail::NameUse::accepted;
          if (folder || group)
            next.emplace_back(entry.sha, entry.path + "/");
        }
        out.push_back(std::move(entry));
      }
    }
    pending = std::move(next);
  }
  return out;
}

} // namespace leanspec::detail
