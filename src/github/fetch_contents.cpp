// Implements the "contents" path of Syncer (src/github/syncer.hpp): a webhook's hint, confirmed
// by GitHub's comparison of the two commits, then each changed spec file fetched through the
// contents API at the pushed commit, without the tree.
#include "github/repo_paths.hpp"
#include "github/response_decoding.hpp"
#include "github/sync_failure.hpp"
#include "github/syncer.hpp"
#include "tree/spec_names.hpp"

#include <map>
#include <set>

namespace leanspec::detail {

// 2a. A payload is signed, not true: GitHub's own comparison of the two commits must name
// the same spec files, changed and removed, or the tree decides (HintMismatch).
void Syncer::confirm_hint() {
  const std::string what = "comparison " + hint_->before.substr(0, 12) + "..." +
                           hint_->after.substr(0, 12) + " of " + project_.id;
  GithubResponse response =
      client_.fetch({repo_ + "/compare/" + hint_->before + "..." + hint_->after,
                     "application/vnd.github+json",
                     {}});
  if ((response.status == 404 || response.status == 422) && response.error.empty())
    throw HintMismatch{}; // a commit GitHub does not know: the head check and the tree decide
  check(response, what);
  simdjson::dom::parser parser;
  const auto root = parse_json(parser, response.body, what);
  std::string_view status;
  simdjson::dom::array files;
  if (!root.is_object() || root["status"].get(status) || root["files"].get(files))
    throw SyncFailure{what + ": GitHub's answer has no 'status' or 'files'"};
  // Not a fast-forward, or a list GitHub may have cut at 300 files: only the tree can tell.
  if (status != "ahead" || files.size() >= 300)
    throw HintMismatch{};
  const auto is_spec = [&](std::string_view path) {
    const auto relative = detail::relative_to(path, project_.specs_path);
    return relative && detail::spec_file_of(*relative).has_value();
  };
  std::set<std::string> changed, removed;
  for (simdjson::dom::element file : files) {
    if (!file.is_object())
      throw SyncFailure{what + ": a file entry is not an object"};
    const std::string_view name = json_text(file, "filename", what);
    const std::string_view change = json_text(file, "status", what);
    if (change == "removed") {
      if (is_spec(name))
        removed.emplace(name);
      continue;
    }
    if (change == "renamed")
      if (const std::string_view old = json_text(file, "previous_filename", what); is_spec(old))
        removed.emplace(old);
    if (change != "unchanged" && is_spec(name))
      changed.emplace(name);
  }
  if (changed != std::set<std::string>(hint_->changed.begin(), hint_->changed.end()) ||
      removed != std::set<std::string>(hint_->removed.begin(), hint_->removed.end()))
    throw HintMismatch{};
  // The pushed commit's tree, as GitHub lists the commits (a write's base; none: asked then).
  confirmed_tree_.clear();
  simdjson::dom::array commits;
  if (!root["commits"].get(commits) && commits.size() > 0) {
    const simdjson::dom::element last = commits.at(commits.size() - 1);
    std::string_view sha, tree;
    if (!last["sha"].get(sha) && sha == hint_->after && !last["commit"]["tree"]["sha"].get(tree) &&
        is_sha(tree))
      confirmed_tree_ = tree;
  }
}

// 2b. A webhook's paths, fetched through the contents API at the pushed commit.
void Syncer::apply_hint(std::vector<StoredSpec> &stored, const std::string &commit,
                        Result &result) {
  std::map<std::string, StoredSpec> next;
  for (auto &spec : stored)
    next[spec.path] = spec;
  auto locate = [&](const std::string &path) -> std::optional<std::pair<std::string, std::string>> {
    const auto relative = detail::relative_to(path, project_.specs_path);
    if (!relative || !storable_path(path))
      return std::nullopt;
    return detail::spec_file_of(*relative);
  };
  for (const auto &path : hint_->removed) {
    const auto place = locate(path);
    if (!place)
      continue;
    auto it = next.find(place->first);
    if (it == next.end())
      continue;
    auto &files = it->second.files;
    std::erase_if(files, [&](const StoredFile &f) { return f.name == place->second; });
    if (files.empty())
      throw HintMismatch{}; // does the folder still exist? only the tree knows
  }
  std::vector<GithubRequest> requests;
  std::vector<std::pair<std::string, std::string>> places;
  std::vector<std::string> paths;
  for (const auto &path : hint_->changed) {
    const auto place = locate(path);
    if (!place)
      continue;
    requests.push_back({repo_ + "/contents/" + url_escape(path, true) + "?ref=" + commit,
                        "application/vnd.github+json",
                        {}});
    places.push_back(*place);
    paths.push_back(path);
  }
  report(0, requests.size());
  auto responses = client_.fetch_all(requests, progress_callback(requests.size()));
  for (std::size_t i = 0; i < responses.size(); ++i) {
    const std::string what = "file '" + printable_path(paths[i]) + "' of " + project_.id;
    auto [sha, bytes] = contents_file(responses[i], what);
    auto &spec = next[places[i].first];
    spec.path = places[i].first;
    std::erase_if(spec.files, [&](const StoredFile &f) { return f.name == places[i].second; });
    spec.files.push_back({places[i].second, std::move(bytes), std::move(sha)});
  }
  std::vector<StoredSpec> specs;
  for (auto &[path, spec] : next)
    specs.push_back(std::move(spec));
  result.snapshot = std::move(specs);
  result.outcome = SyncOutcome::ok;
  result.path = "contents";
  result.specs_tree.clear(); // not known without the tree: the next tree sync compares all
  result.commit_tree = confirmed_tree_;
}

std::pair<std::string, std::string> Syncer::contents_file(const GithubResponse &response,
                                                          const std::string &what) {
  if (response.status == 404 && response.error.empty())
    throw HintMismatch{};
  check(response, what);
  simdjson::dom::parser parser;
  const auto root = parse_json(parser, response.body, what);
  if (!root.is_object())
    throw HintMismatch{}; // a folder where the payload said file
  std::string sha(json_text(root, "sha", what));
  if (!is_sha(sha))
    throw SyncFailure{what + ": not a blob SHA"};
  std::string_view type;
  if (root["type"].get(type) || type != "file")
    throw HintMismatch{};
  std::uint64_t size = 0;
  if (!root["size"].get(size) && size > options_.max_file_size)
    throw HintMismatch{}; // the tree path leaves it out, as the filesystem does
  std::string_view encoding, content;
  if (root["encoding"].get(encoding))
    encoding = {};
  if (root["content"].get(content))
    content = {};
  std::string bytes = encoding == "base64"
                          ? decode_file(content, options_.max_file_size, what)
                          : fetch_blob(sha, what); // over 1 MB the contents API sends none
  if (git_blob_sha1(bytes) != sha)
    throw SyncFailure{what + ": content does not match its blob SHA " + sha};
  return {std::move(sha), std::move(bytes)};
}

} // namespace leanspec::detail
