// Implements the "blobs" path of Syncer (src/github/syncer.hpp): each missing file as one
// /git/blobs/{sha} request, in parallel, its bytes checked against the SHA; on a failure the
// blobs that came are kept in the store for the retry.
#include "github/response_decoding.hpp"
#include "github/sync_failure.hpp"
#include "github/syncer.hpp"
#include "tree/spec_names.hpp"

namespace leanspec::detail {

std::string Syncer::fetch_blob(const std::string &sha, const std::string &what) {
  GithubResponse response =
      client_.fetch({repo_ + "/git/blobs/" + sha, "application/vnd.github+json", {}});
  check(response, what);
  return decode_blob(response, sha, what);
}

std::string Syncer::decode_blob(const GithubResponse &response, const std::string &sha,
                                const std::string &what) {
  simdjson::dom::parser parser;
  const auto root = parse_json(parser, response.body, what);
  if (!root.is_object())
    throw SyncFailure{what + ": GitHub's blob is not a JSON object"};
  const std::string_view content = json_text(root, "content", what);
  const std::string_view encoding = json_text(root, "encoding", what);
  std::string bytes;
  if (encoding == "base64") {
    bytes = decode_file(content, options_.max_file_size, what);
  } else if (encoding == "utf-8") {
    if (content.size() > options_.max_file_size)
      throw SyncFailure{what + ": larger than the " + std::to_string(options_.max_file_size) +
                        "-byte limit"};
    bytes = content;
  } else {
    throw SyncFailure{what + ": unknown encoding '" + printable_path(encoding) + "'"};
  }
  if (git_blob_sha1(bytes) != sha)
    throw SyncFailure{what + ": content does not match its blob SHA " + sha};
  return bytes;
}

void Syncer::fetch_blobs(const std::vector<const WantedFile *> &files,
                         std::unordered_map<std::string, std::string> &out) {
  std::vector<GithubRequest> requests;
  for (const WantedFile *file : files)
    requests.push_back({repo_ + "/git/blobs/" + file->sha, "application/vnd.github+json", {}});
  auto responses = client_.fetch_all(requests, progress_callback(requests.size()));
  std::vector<std::pair<std::string, std::string>> keep;
  std::optional<SyncFailure> failure;
  for (std::size_t i = 0; i < responses.size(); ++i) {
    const std::string what = "file '" + printable_path(files[i]->repo_path) + "' of " + project_.id;
    try {
      check(responses[i], what);
      std::string bytes = decode_blob(responses[i], files[i]->sha, what);
      keep.emplace_back(files[i]->sha, bytes);
      out.emplace(files[i]->sha, std::move(bytes));
    } catch (const SyncFailure &f) {
      if (!failure || (f.retry_at && !failure->retry_at))
        failure = f; // a rate limit wins: it decides when to come back
    }
  }
  if (failure) {
    store_.put_blobs(keep); // the retry fetches only the rest
    throw *failure;
  }
}

} // namespace leanspec::detail
