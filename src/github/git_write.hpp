#pragma once
// Internal: one file written to a GitHub repository through the Git Data API
// (src/github/git_write.cpp). Four requests: the blob, a tree over the base commit's tree, a
// commit with the base commit as its parent, then the branch moved to it without force, so a
// branch that moved on meanwhile is a conflict and nothing lands. For a pull request the last
// step is a new branch at the commit instead, then the pull request. Every answer is checked
// (the blob's SHA must be the content's); a failure throws leanspec::Error naming the step.
//
//   GitWriteResult done = write_file(client, {.repo = "/repos/acme/web", .branch = "main",
//                                             .parent = stored_commit, .base_tree = its_tree,
//                                             .path = "specs/042-x/README.md", ...});

#include "github/github_client.hpp"

#include <string>

namespace leanspec::detail {

struct GitWrite {
  std::string what;   ///< for messages: "acme/web"
  std::string repo;   ///< "/repos/{owner}/{repo}", percent-encoded
  std::string branch; ///< the branch the commit goes on (or the pull request's base)
  std::string parent; ///< the commit the write is based on: the stored one
  /// The parent's root tree; empty: asked for, beside the blob (one more request, no more
  /// round trips)
  std::string base_tree;
  std::string path;    ///< the file, relative to the repository's root
  std::string content; ///< its new bytes (any bytes)
  std::string message; ///< the commit message
  /// Non-empty: open a pull request from this new branch into `branch`, titled `title`,
  /// instead of moving `branch`.
  std::string pull_request_branch;
  std::string title;
};

struct GitWriteResult {
  std::string blob_sha, tree_sha, commit_sha;
  std::string pull_request_url; ///< the pull request's page, when one was opened
};

/// Makes the commit (and moves the branch, or opens the pull request).
/// @throws leanspec::Error conflict when the branch moved on (GitHub: not a fast forward) or
///         the pull request's branch exists; unauthorized for a token GitHub refuses or one
///         that may not write (401, 403: it needs `contents: write`, and `pull_requests: write`
///         for a pull request); not_found when GitHub does not know the repository, branch or
///         commit (a token that may not see it gets 404 too); rate_limited; network for a
///         transport failure or an answer that is not what GitHub sends
GitWriteResult write_file(GithubClient &client, const GitWrite &write);

} // namespace leanspec::detail
