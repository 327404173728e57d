// Implements src/github/git_write.hpp: the Git Data API's blob, tree, commit and ref requests,
// and a pull request, each answer checked before the next request is made.
#include "github/git_write.hpp"

#include "github/repo_paths.hpp"
#include "github/response_decoding.hpp"
#include "github/sync_failure.hpp"

#include "json/json_writer.hpp"
#include <leanspec/error.hpp>
#include <leanspec/spec.hpp>
#include <openssl/evp.h>
#include <vector>

namespace leanspec::detail {
namespace {

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()),
                                reinterpret_cast<const unsigned char *>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// GitHub's `message` of an error answer, printable and short (a hostile answer may hold
// anything); empty when there is none.
std::string github_message(const std::string &body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view message;
  if (parser.parse(body).get(root) || !root.is_object() || root["message"].get(message))
    return {};
  std::string out;
  for (const char c : message.substr(0, 200))
    out += static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c;
  return out;
}

class Steps {
public:
  Steps(GithubClient &client, const GitWrite &write) : client_(client), write_(write) {}

  // A request of the repository (its path under write.repo).
  GithubRequest request(GithubRequest request) const {
    request.path = write_.repo + request.path;
    return request;
  }

  // One request; the answer's body when it has status `expected`, else the Error it means
  // (a 422 with `conflict_422` given: a conflict, that text appended).
  std::string send(const std::string &step, const GithubRequest &request, long expected,
                   const std::string &conflict_422 = {}) {
    const GithubRequest sent = this->request(request);
    return checked(step, sent, client_.fetch(sent), expected, conflict_422);
  }

  // The answer `r` to `request`, as send() checks it.
  std::string checked(const std::string &step, const GithubRequest &request,
                      const GithubResponse &r, long expected,
                      const std::string &conflict_422 = {}) const {
    const std::string where =
        write_.what + ": " + step + " (" + request.method + " " + request.path + ")";
    if (r.is_rate_limited())
      throw Error(ErrorCode::rate_limited,
                  where + ": rate limited" + (r.error.empty() ? "" : " (" + r.error + ")"));
    if (!r.error.empty())
      throw Error(ErrorCode::network, write_.what + ": " + step + ": " + r.error);
    if (r.status == expected)
      return r.body;
    const std::string said = github_message(r.body);
    const std::string answer =
        "GitHub answered " + std::to_string(r.status) + (said.empty() ? "" : " '" + said + "'");
    switch (r.status) {
    case 401:
      throw Error(ErrorCode::unauthorized, where + ": " + answer + ": the token was refused");
    case 403:
      throw Error(ErrorCode::unauthorized,
                  where + ": " + answer +
                      ": the token may not write to the repository (it needs the contents: "
                      "write permission" +
                      (write_.pull_request_branch.empty() ? "" : ", and pull_requests: write") +
                      ")");
    case 404:
      throw Error(ErrorCode::not_found,
                  where + ": " + answer +
                      ": the repository, branch or commit does not exist, or the token may not "
                      "write to it (contents: write)");
    case 409:
      throw Error(ErrorCode::conflict, where + ": " + answer);
    case 422:
      if (!conflict_422.empty())
        throw Error(ErrorCode::conflict, where + ": " + answer + ": " + conflict_422);
      [[fallthrough]];
    default:
      throw Error(ErrorCode::network, where + ": " + answer);
    }
  }

  // The SHA an answer names at `key` (or `key`.`inner`).
  std::string sha_of(const std::string &body, const std::string &step, const char *key,
                     const char *inner = nullptr) const {
    const std::string what = write_.what + ": " + step;
    try {
      simdjson::dom::parser parser;
      simdjson::dom::element root = parse_json(parser, body, what);
      if (inner) {
        if (!root.is_object() || !root[key].is_object())
          throw SyncFailure{what + ": GitHub's answer has no '" + key + "' object"};
        root = root[key];
        key = inner;
      }
      if (!root.is_object())
        throw SyncFailure{what + ": GitHub's answer is not an object"};
      const std::string sha(json_text(root, key, what));
      if (!is_sha(sha))
        throw SyncFailure{what + ": GitHub's answer has no valid '" + key + "' SHA"};
      return sha;
    } catch (const SyncFailure &failure) {
      throw Error(ErrorCode::network, failure.message);
    }
  }

private:
  GithubClient &client_;
  const GitWrite &write_;
};

} // namespace

GitWriteResult write_file(GithubClient &client, const GitWrite &write) {
  if (!is_sha(write.parent))
    throw Error(ErrorCode::not_found,
                write.what + ": no commit is stored to write on (sync the project first)");
  Steps steps(client, write);
  GitWriteResult out;

  // The blob, and the base commit's tree when it is not known, in one round trip.
  JsonWriter blob;
  blob.begin_object().key("content").value(base64(write.content));
  blob.key("encoding").value("base64").end_object();
  std::vector<GithubRequest> requests{
      steps.request({.path = "/git/blobs", .method = "POST", .body = std::move(blob.out())})};
  std::string base_tree = write.base_tree;
  if (!is_sha(base_tree))
    requests.push_back(steps.request({.path = "/git/commits/" + write.parent}));
  const std::vector<GithubResponse> answers = client.fetch_all(requests);
  out.blob_sha = steps.sha_of(steps.checked("creating the blob", requests[0], answers[0], 201),
                              "creating the blob", "sha");
  if (out.blob_sha != git_blob_sha1(write.content))
    throw Error(ErrorCode::network, write.what +
                                        ": creating the blob: GitHub's answer names blob " +
                                        out.blob_sha + ", not the content's SHA");
  if (requests.size() > 1)
    base_tree = steps.sha_of(steps.checked("reading the base commit", requests[1], answers[1], 200),
                             "reading the base commit", "tree", "sha");

  JsonWriter tree;
  tree.begin_object().key("base_tree").value(base_tree).key("tree").begin_array();
  tree.begin_object().key("path").value(write.path).key("mode").value("100644");
  tree.key("type").value("blob").key("sha").value(out.blob_sha).end_object();
  tree.end_array().end_object();
  out.tree_sha = steps.sha_of(
      steps.send("creating the tree",
                 {.path = "/git/trees", .method = "POST", .body = std::move(tree.out())}, 201),
      "creating the tree", "sha");

  JsonWriter commit;
  commit.begin_object().key("message").value(write.message).key("tree").value(out.tree_sha);
  commit.key("parents").begin_array().value(write.parent).end_array().end_object();
  out.commit_sha = steps.sha_of(
      steps.send("creating the commit",
                 {.path = "/git/commits", .method = "POST", .body = std::move(commit.out())}, 201),
      "creating the commit", "sha");

  if (write.pull_request_branch.empty()) {
    // GitHub answers 422 "Update is not a fast forward" for a branch that moved on.
    JsonWriter ref;
    ref.begin_object().key("sha").value(out.commit_sha).key("force").value(false).end_object();
    steps.send("moving branch '" + write.branch + "'",
               {.path = "/git/refs/heads/" + url_escape(write.branch, true),
                .method = "PATCH",
                .body = std::move(ref.out())},
               200,
               "branch '" + write.branch + "' moved on since the stored commit " +
                   write.parent.substr(0, 12) + "; nothing was written (sync, then write again)");
    return out;
  }

  JsonWriter ref;
  ref.begin_object().key("ref").value("refs/heads/" + write.pull_request_branch);
  ref.key("sha").value(out.commit_sha).end_object();
  steps.send("creating branch '" + write.pull_request_branch + "'",
             {.path = "/git/refs", .method = "POST", .body = std::move(ref.out())}, 201,
             "the branch exists");
  JsonWriter pull;
  pull.begin_object().key("title").value(write.title).key("head").value(write.pull_request_branch);
  pull.key("base").value(write.branch).key("body").value(write.message).end_object();
  const std::string body =
      steps.send("opening the pull request",
                 {.path = "/pulls", .method = "POST", .body = std::move(pull.out())}, 201);
  try {
    simdjson::dom::parser parser;
    const auto root = parse_json(parser, body, write.what + ": opening the pull request");
    if (!root.is_object())
      throw SyncFailure{write.what +
                        ": opening the pull request: GitHub's answer is not an object"};
    const std::string_view url =
        json_text(root, "html_url", write.what + ": opening the pull request");
    if (!url.starts_with("https://") && !url.starts_with("http://"))
      throw SyncFailure{write.what +
                        ": opening the pull request: its html_url is not a web address"};
    out.pull_request_url = url;
  } catch (const SyncFailure &failure) {
    throw Error(ErrorCode::network, failure.message);
  }
  return out;
}

} // namespace leanspec::detail
