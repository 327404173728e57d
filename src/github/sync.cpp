// Implements include/leanspec/github_sync.hpp: one project's sync (Syncer), the scheduler and
// the webhook entry point, over GitHubClient (src/github/github_client.hpp) and the store
// (src/db/store.hpp) a DatabaseSource owns.
//
// A sync, in as few requests as the facts allow:
//   1. GET /repos/o/r/commits/{branch} (Accept: application/vnd.github.sha, If-None-Match the
//      stored ETag): a 304, or the SHA last synced, ends it.
//   2. Before that, a webhook hint that is complete (not forced, `before` the stored head,
//      fewer than 20 commits) and that GitHub confirms (GET /compare/{before}...{after} names
//      the same spec files changed and removed; a signed payload may still lie by omission):
//      GET /contents/{path}?ref={after} for each changed spec file, in parallel, and nothing
//      else (path "contents"): the sync goes to `after`. Any disagreement: steps 1 and 3.
//   3. Else GET /git/trees/{commit}?recursive=1 (a truncated listing: the specs folder walked
//      level by level without `recursive`); the specs folder's tree SHA unchanged ends it; spec
//      files are compared by blob SHA with the stored snapshot and the kept blobs, and only the
//      rest is fetched: /git/blobs/{sha} in parallel (path "blobs"), or, when many are needed
//      and the repository is not huge, one /tarball/{commit} read with libarchive ("tarball").
//      A failed tarball is not asked for again: the blobs come instead.
//   4. Every fetched file's git blob SHA is checked against the tree, then the whole set goes
//      to Store::replace_specs (one transaction, only changed folders written) and the project
//      row and sync run are updated. A failure anywhere leaves the stored snapshot as it was.
// Every HTTP request counts against the sync's deadline (SyncOptions::deadline); past it the
// sync fails with a message naming it. Nothing GitHub sends is trusted: invalid JSON or base64,
// unsafe tree paths outside the specs folder, absurd sizes, and tarball entries that climb out,
// link where a file belongs or expand past the tree's weight fail the sync with the path named;
// inside the specs folder, entries whose names no specs tree holds (src/fs/spec_names.hpp) are
// passed over and named in the run's record, as the filesystem source passes them over. No file
// is ever written.
#include "core/scrub.hpp"
#include "db/database_source_access.hpp"
#include "db/store.hpp"
#include "fs/spec_names.hpp"
#include "github/github_client.hpp"
#include "github/webhook.hpp"

#include "json/json_writer.hpp"
#include <archive.h>
#include <archive_entry.h>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <leanspec/database_source.hpp>
#include <leanspec/error.hpp>
#include <leanspec/github_sync.hpp>
#include <leanspec/spec.hpp>
#include <locale.h>
#include <map>
#include <mutex>
#include <openssl/evp.h>
#include <optional>
#include <random>
#include <set>
#include <simdjson.h>
#include <stop_token>
#include <thread>
#include <unistd.h>
#include <unordered_map>

namespace leanspec {

std::string_view to_string(SyncOutcome outcome) noexcept {
  switch (outcome) {
  case SyncOutcome::ok:
    return "ok";
  case SyncOutcome::not_modified:
    return "not_modified";
  case SyncOutcome::error:
    return "error";
  case SyncOutcome::rate_limited:
    return "rate_limited";
  case SyncOutcome::running:
    return "running";
  }
  return "error";
}

std::string_view to_string(WebhookAction action) noexcept {
  switch (action) {
  case WebhookAction::rejected:
    return "rejected";
  case WebhookAction::ping:
    return "ping";
  case WebhookAction::ignored:
    return "ignored";
  case WebhookAction::queued:
    return "queued";
  }
  return "rejected";
}

namespace {

using detail::GitHubClient;
using detail::GitHubRequest;
using detail::GitHubResponse;
using detail::printable_path;
using detail::ProjectRecord;
using detail::scrub;
using detail::Store;
using detail::StoredFile;
using detail::StoredSpec;
using SteadyClock = std::chrono::steady_clock;

std::int64_t unix_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string env(const char *name) {
  const char *value = std::getenv(name);
  return value ? value : "";
}

// A sync that cannot go on; `retry_at` (unix s) set for a rate limit.
struct SyncFailure {
  std::string message;
  std::int64_t retry_at = 0;
};

// A hint that turned out not to fit (a path the payload named is gone): use the tree.
struct HintMismatch {};

bool is_sha(std::string_view s) {
  return s.size() == 40 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Percent-encodes everything but unreserved characters (and '/' when keep_slash).
std::string url_escape(std::string_view s, bool keep_slash) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/'))
      out += c;
    else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

// Tree paths must be relative, free of NUL, empty, "." and ".." components.
bool safe_path(std::string_view path) {
  if (path.empty() || path.front() == '/' || path.find('\0') != std::string_view::npos)
    return false;
  std::size_t begin = 0;
  while (begin <= path.size()) {
    const std::size_t end = std::min(path.find('/', begin), path.size());
    const std::string_view part = path.substr(begin, end - begin);
    if (part.empty() || part == "." || part == "..")
      return false;
    begin = end + 1;
  }
  return true;
}

// A safe path no longer than a filesystem could hold: components of at most 1024 bytes
// (Windows' 255 UTF-16 units are at most 765 bytes of UTF-8), 4096 bytes in all.
bool storable_path(std::string_view path) {
  if (path.size() > 4096 || !safe_path(path))
    return false;
  for (std::size_t begin = 0; begin <= path.size();) {
    const std::size_t end = std::min(path.find('/', begin), path.size());
    if (end - begin > 1024)
      return false;
    begin = end + 1;
  }
  return true;
}

// libarchive converts a pax header's UTF-8 name to the calling thread's locale, and
// archive_entry_pathname_utf8 converts back from it: in the "C" locale of a CLI or a Node
// process a non-ASCII name fails both ways ("Pathname can't be converted from UTF-8 to current
// locale"; libarchive 3.6, and its hdrcharset option only names the archive's side, making
// plain tar names fail too). While an archive is read, this thread alone uses a UTF-8 LC_CTYPE
// (uselocale, restored on scope exit): names are UTF-8 whatever the process's locale, and the
// process locale is never touched (a library never calls setlocale).
class Utf8ThreadLocale {
public:
  Utf8ThreadLocale() : utf8_(::newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t{})) {
    if (utf8_)
      previous_ = ::uselocale(utf8_);
  }
  ~Utf8ThreadLocale() {
    if (utf8_) {
      ::uselocale(previous_);
      ::freelocale(utf8_);
    }
  }
  Utf8ThreadLocale(const Utf8ThreadLocale &) = delete;
  Utf8ThreadLocale &operator=(const Utf8ThreadLocale &) = delete;

private:
  locale_t utf8_;
  locale_t previous_ = LC_GLOBAL_LOCALE;
};

// GitHub refuses pushes over 2 GB: a tree entry claiming more is not a real file.
constexpr std::uint64_t max_git_file = std::uint64_t{2} << 30;

// Base64 as GitHub sends it (newlines every 60 characters), through OpenSSL's decoder.
std::optional<std::string> decode_base64(std::string_view text) {
  std::unique_ptr<EVP_ENCODE_CTX, decltype(&EVP_ENCODE_CTX_free)> ctx(EVP_ENCODE_CTX_new(),
                                                                      &EVP_ENCODE_CTX_free);
  if (!ctx)
    return std::nullopt;
  EVP_DecodeInit(ctx.get());
  std::string out(text.size() / 4 * 3 + 3, '\0');
  int written = 0, tail = 0;
  const std::size_t step = 1u << 20; // EVP_DecodeUpdate takes an int length
  std::size_t total = 0;
  for (std::size_t at = 0; at < text.size(); at += step) {
    const std::size_t n = std::min(step, text.size() - at);
    if (EVP_DecodeUpdate(ctx.get(), reinterpret_cast<unsigned char *>(out.data()) + total, &written,
                         reinterpret_cast<const unsigned char *>(text.data()) + at,
                         static_cast<int>(n)) < 0)
      return std::nullopt;
    total += static_cast<std::size_t>(written);
  }
  if (EVP_DecodeFinal(ctx.get(), reinterpret_cast<unsigned char *>(out.data()) + total, &tail) < 0)
    return std::nullopt;
  total += static_cast<std::size_t>(tail);
  out.resize(total);
  return out;
}

// A spec file's base64 `content`, within `max_size` bytes once decoded.
std::string decode_file(std::string_view content, std::size_t max_size, const std::string &what) {
  const auto too_large = [&] {
    return SyncFailure{what + ": larger than the " + std::to_string(max_size) + "-byte limit"};
  };
  // 4 characters for 3 bytes, and line breaks: more than twice that cannot fit.
  if (content.size() / 2 > max_size / 3 * 4 + 4)
    throw too_large();
  auto decoded = decode_base64(content);
  if (!decoded)
    throw SyncFailure{what + ": invalid base64 content"};
  if (decoded->size() > max_size)
    throw too_large();
  return std::move(*decoded);
}

simdjson::dom::element parse_json(simdjson::dom::parser &parser, const std::string &body,
                                  const std::string &what) {
  simdjson::dom::element root;
  if (auto error = parser.parse(body).get(root))
    throw SyncFailure{what + ": GitHub sent invalid JSON (" + simdjson::error_message(error) + ")"};
  return root;
}

std::string_view json_text(simdjson::dom::element object, const char *key,
                           const std::string &what) {
  std::string_view text;
  if (object[key].get(text))
    throw SyncFailure{what + ": '" + key + "' missing or not a string"};
  return text;
}

// A file of the new snapshot: where it goes and what it must hash to.
struct WantedFile {
  std::string folder, name, sha, repo_path;
  std::uint64_t size = 0;
};

struct TreeListing {
  std::vector<WantedFile> files;
  std::set<std::string> folders; // every spec folder, files or not
  std::string specs_tree;        // the specs folder's tree SHA
  // Every blob of the listing (the repository's weight); UINT64_MAX when a truncated listing
  // leaves it unknown.
  std::uint64_t total_bytes = 0;
  std::uint64_t entries = 0; // entries of the listing (a tarball has one header each)
  // Paths under the specs folder passed over for a name no specs tree holds, with why.
  std::map<std::string, std::string_view> refused;
};

// The run's word on the entries a listing passed over; empty when it passed none.
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

// One sync of one project. Single-thread.
class Syncer {
public:
  Syncer(Store &store, const SyncOptions &options, detail::GitHubClientOptions client_options,
         ProjectRecord project, std::optional<detail::SyncHint> hint,
         const std::atomic<bool> &cancel)
      : store_(store), options_(options),
        client_(with_deadline(std::move(client_options), options.deadline)),
        project_(std::move(project)), hint_(std::move(hint)), cancel_(cancel),
        repo_("/repos/" + url_escape(project_.owner, false) + "/" +
              url_escape(project_.repo, false)) {}

  struct Result {
    SyncOutcome outcome = SyncOutcome::error;
    /// The snapshot to store (ok only, when it differs from the stored one): written by the
    /// caller with the run's record, in one transaction.
    std::optional<std::vector<StoredSpec>> snapshot;
    std::string path, commit, specs_tree, etags_json, error;
    std::int64_t retry_at = 0;
    std::vector<std::string> used_kept_blobs;
  };

  Result run() {
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

  detail::GitHubCounters counters() const noexcept { return client_.counters(); }

private:
  // Every request of the sync counts against one deadline, from now.
  static detail::GitHubClientOptions with_deadline(detail::GitHubClientOptions options,
                                                   std::chrono::milliseconds budget) {
    const auto now = SteadyClock::now();
    if (budget < std::chrono::duration_cast<std::chrono::milliseconds>(
                     SteadyClock::time_point::max() - now)) // else: none
      options.deadline = now + budget;
    return options;
  }

  void body(Result &result) {
    // 2 first: a complete webhook hint names the commit and every changed path; syncing to that
    // commit needs no head check (a later push sends its own delivery).
    if (hint_ && !project_.last_commit.empty() && hint_->before == project_.last_commit &&
        is_sha(hint_->after) && hint_->after != project_.last_commit) {
      std::vector<StoredSpec> stored = store_.specs(project_.id);
      try {
        confirm_hint();
        apply_hint(stored, hint_->after, result);
        result.commit = hint_->after;
        result.etags_json = project_.etags_json;
        return;
      } catch (const HintMismatch &) {
        // the payload did not describe the commit: the head and the tree decide below
      }
    }

    // 1. The head, conditionally.
    const std::string head_path = repo_ + "/commits/" + url_escape(project_.branch, false);
    std::map<std::string, std::string> etags = read_etags();
    GitHubRequest head_request{head_path, "application/vnd.github.sha", {}};
    if (!project_.last_commit.empty())
      if (auto it = etags.find(head_path); it != etags.end())
        head_request.if_none_match = it->second;
    GitHubResponse head = client_.fetch(head_request);
    check(head, "branch '" + project_.branch + "' of " + project_.id);
    result.etags_json = project_.etags_json;
    if (head.status == 304) {
      result.outcome = SyncOutcome::not_modified;
      result.path = "unchanged";
      result.commit = project_.last_commit;
      result.specs_tree = project_.last_tree;
      return;
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
    result.commit = commit;
    if (commit == project_.last_commit) {
      result.outcome = SyncOutcome::not_modified;
      result.path = "unchanged";
      result.specs_tree = project_.last_tree;
      return;
    }

    std::vector<StoredSpec> stored = store_.specs(project_.id);

    // 3. The tree. On a first sync everything is needed: the tarball comes alongside the tree
    // (one round trip saved); past tarball_max_bytes it is abandoned and the blobs come instead.
    std::optional<GitHubResponse> tarball;
    GitHubRequest tree_request{
        repo_ + "/git/trees/" + commit + "?recursive=1", "application/vnd.github+json", {}};
    GitHubResponse tree_response;
    if (stored.empty() && options_.first_sync_tarball) {
      auto both = client_.fetch_all({tree_request, tarball_request(commit)});
      tree_response = std::move(both[0]);
      tarball = std::move(both[1]);
    } else {
      tree_response = client_.fetch(tree_request);
    }
    TreeListing listing = list_tree(commit, tree_response);
    result.specs_tree = listing.specs_tree;
    // Names passed over: a word in the run's record even when it ends ok.
    result.error = refused_message(listing);
    if (!project_.last_tree.empty() && listing.specs_tree == project_.last_tree &&
        !stored.empty()) {
      result.outcome = SyncOutcome::ok;
      result.path = "unchanged";
      return;
    }
    std::unordered_map<std::string, const std::string *> have; // blob SHA -> stored bytes
    for (const auto &spec : stored)
      for (const auto &file : spec.files)
        have.emplace(file.blob_sha, &file.content);
    std::vector<const WantedFile *> missing;
    std::set<std::string> missing_shas;
    for (const auto &file : listing.files)
      if (!have.count(file.sha) && missing_shas.insert(file.sha).second)
        missing.push_back(&file);
    std::unordered_map<std::string, std::string> fetched =
        fetch_missing(missing, listing, commit, tarball, result);
    for (const auto &[sha, bytes] : fetched)
      have.emplace(sha, &bytes);

    std::map<std::string, StoredSpec> next;
    for (const auto &folder : listing.folders)
      next[folder].path = folder;
    for (const auto &file : listing.files)
      next[file.folder].files.push_back({file.name, *have.at(file.sha), file.sha});
    std::vector<StoredSpec> specs;
    for (auto &[path, spec] : next)
      specs.push_back(std::move(spec));
    if (differs(stored, specs))
      result.snapshot = std::move(specs);
    result.outcome = SyncOutcome::ok;
  }

  // 2a. A payload is signed, not true: GitHub's own comparison of the two commits must name
  // the same spec files, changed and removed, or the tree decides (HintMismatch).
  void confirm_hint() {
    const std::string what = "comparison " + hint_->before.substr(0, 12) + "..." +
                             hint_->after.substr(0, 12) + " of " + project_.id;
    GitHubResponse response =
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
  }

  // 2b. A webhook's paths, fetched through the contents API at the pushed commit.
  void apply_hint(std::vector<StoredSpec> &stored, const std::string &commit, Result &result) {
    std::map<std::string, StoredSpec> next;
    for (auto &spec : stored)
      next[spec.path] = spec;
    auto locate =
        [&](const std::string &path) -> std::optional<std::pair<std::string, std::string>> {
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
    std::vector<GitHubRequest> requests;
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
      auto &response = responses[i];
      const std::string what = "file '" + printable_path(paths[i]) + "' of " + project_.id;
      if (response.status == 404 && response.error.empty())
        throw HintMismatch{};
      check(response, what);
      simdjson::dom::parser parser;
      const auto root = parse_json(parser, response.body, what);
      if (!root.is_object())
        throw HintMismatch{}; // a folder where the payload said file
      const std::string sha(json_text(root, "sha", what));
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
      auto &spec = next[places[i].first];
      spec.path = places[i].first;
      std::erase_if(spec.files, [&](const StoredFile &f) { return f.name == places[i].second; });
      spec.files.push_back({places[i].second, std::move(bytes), sha});
    }
    std::vector<StoredSpec> specs;
    for (auto &[path, spec] : next)
      specs.push_back(std::move(spec));
    result.snapshot = std::move(specs);
    result.outcome = SyncOutcome::ok;
    result.path = "contents";
    result.specs_tree.clear(); // not known without the tree: the next tree sync compares all
  }

  std::string fetch_blob(const std::string &sha, const std::string &what) {
    GitHubResponse response =
        client_.fetch({repo_ + "/git/blobs/" + sha, "application/vnd.github+json", {}});
    check(response, what);
    return decode_blob(response, sha, what);
  }

  std::string decode_blob(const GitHubResponse &response, const std::string &sha,
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

  std::unordered_map<std::string, std::string>
  fetch_missing(const std::vector<const WantedFile *> &missing, const TreeListing &listing,
                const std::string &commit, std::optional<GitHubResponse> &tarball, Result &result) {
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

  void fetch_blobs(const std::vector<const WantedFile *> &files,
                   std::unordered_map<std::string, std::string> &out) {
    std::vector<GitHubRequest> requests;
    for (const WantedFile *file : files)
      requests.push_back({repo_ + "/git/blobs/" + file->sha, "application/vnd.github+json", {}});
    auto responses = client_.fetch_all(requests, progress_callback(requests.size()));
    std::vector<std::pair<std::string, std::string>> keep;
    std::optional<SyncFailure> failure;
    for (std::size_t i = 0; i < responses.size(); ++i) {
      const std::string what =
          "file '" + printable_path(files[i]->repo_path) + "' of " + project_.id;
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

  // Not retried: a failed tarball falls back to the blobs.
  GitHubRequest tarball_request(const std::string &commit) const {
    return {repo_ + "/tarball/" + commit, "application/vnd.github+json", {}, 0};
  }

  void read_tarball(const GitHubResponse &response, const std::string &what,
                    const std::vector<const WantedFile *> &files, std::uint64_t max_expanded,
                    std::unordered_map<std::string, std::string> &out) {
    std::unordered_map<std::string, const WantedFile *> by_path;
    for (const WantedFile *file : files)
      by_path.emplace(file->repo_path, file);
    const Utf8ThreadLocale utf8; // outlives the reader: names are converted while it reads
    std::unique_ptr<archive, decltype(&archive_read_free)> reader(archive_read_new(),
                                                                  &archive_read_free);
    if (!reader)
      throw SyncFailure{what + ": out of memory"};
    archive_read_support_filter_gzip(reader.get());
    archive_read_support_format_tar(reader.get());
    if (archive_read_open_memory(reader.get(), response.body.data(), response.body.size()) !=
        ARCHIVE_OK)
      throw SyncFailure{what + ": not a gzip tarball (" +
                        printable_path(archive_error_string(reader.get())
                                           ? archive_error_string(reader.get())
                                           : "") +
                        ")"};
    std::string prefix;
    std::size_t done = 0;
    archive_entry *entry = nullptr;
    int status = ARCHIVE_OK;
    // A warning (a name libarchive could not convert) leaves the entry readable: its name is
    // matched against the tree's and its bytes against the blob SHA below.
    while ((status = archive_read_next_header(reader.get(), &entry)) == ARCHIVE_OK ||
           status == ARCHIVE_WARN) {
      const char *raw = archive_entry_pathname_utf8(entry);
      if (!raw) // no UTF-8 locale on this system: the name's bytes as the archive holds them
        raw = archive_entry_pathname(entry);
      const std::string_view name = raw ? raw : "";
      const std::size_t slash = name.find('/');
      const std::string_view top = name.substr(0, slash);
      if (prefix.empty())
        prefix = top;
      if (top != prefix || top.empty() || top == "." || top == "..")
        throw SyncFailure{what + ": entry '" + printable_path(name) +
                          "' lies outside the prefix '" + printable_path(prefix) + "'"};
      if (slash == std::string_view::npos || slash + 1 == name.size())
        continue; // the prefix folder itself
      std::string_view relative = name.substr(slash + 1);
      if (relative.ends_with('/')) // a folder
        relative.remove_suffix(1);
      if (!safe_path(relative))
        throw SyncFailure{what + ": unsafe entry '" + printable_path(name) + "'"};
      const auto it = by_path.find(std::string(relative));
      const bool regular = archive_entry_filetype(entry) == AE_IFREG &&
                           !archive_entry_hardlink(entry) && !archive_entry_symlink(entry);
      if (it != by_path.end() && !regular)
        throw SyncFailure{what + ": '" + printable_path(relative) +
                          "' is a link or folder, where the tree has a file"};
      const bool wanted = it != by_path.end() && !out.count(it->second->sha);
      const la_int64_t size = archive_entry_size_is_set(entry) ? archive_entry_size(entry) : 0;
      if (wanted && (size < 0 || static_cast<std::uint64_t>(size) > options_.max_file_size))
        throw SyncFailure{what + ": '" + printable_path(relative) + "' is larger than the limit"};
      // Checked before the next header skips this entry's data: what it declares must fit.
      const la_int64_t at = archive_filter_bytes(reader.get(), 0);
      if (size < 0 || at < 0 || static_cast<std::uint64_t>(size) > max_expanded ||
          static_cast<std::uint64_t>(at) > max_expanded - static_cast<std::uint64_t>(size))
        throw SyncFailure{what + ": entry '" + printable_path(name) + "' of " +
                          std::to_string(size) + " bytes expands the archive past " +
                          std::to_string(max_expanded) + " bytes, more than the tree holds"};
      if (!wanted)
        continue; // symlinks, hard links, folders and files the sync has: never read
      std::string bytes(static_cast<std::size_t>(size), '\0');
      if (archive_read_data(reader.get(), bytes.data(), bytes.size()) != size)
        throw SyncFailure{what + ": '" + printable_path(relative) + "' is cut short"};
      if (git_blob_sha1(bytes) != it->second->sha)
        throw SyncFailure{what + ": '" + printable_path(relative) +
                          "' does not match the tree's blob SHA"};
      out.emplace(it->second->sha, std::move(bytes));
      report(++done, files.size());
      if (cancel_)
        throw SyncFailure{project_.id + ": cancelled (the scheduler is stopping)"};
    }
    if (status != ARCHIVE_EOF)
      throw SyncFailure{what + ": " +
                        printable_path(archive_error_string(reader.get())
                                           ? archive_error_string(reader.get())
                                           : "damaged archive")};
    for (const WantedFile *file : files)
      if (!out.count(file->sha))
        throw SyncFailure{what + ": '" + printable_path(file->repo_path) + "' is missing"};
  }

  // --- the tree ------------------------------------------------------------------------------

  struct RawEntry {
    std::string path, mode, type, sha;
    std::uint64_t size = 0;
  };

  // One tree listing; `base` is prefixed to its paths.
  bool read_tree(const GitHubResponse &response, const std::string &base, const std::string &what,
                 std::vector<RawEntry> &out) {
    simdjson::dom::parser parser;
    const auto root = parse_json(parser, response.body, what);
    simdjson::dom::array tree;
    if (!root.is_object() || root["tree"].get(tree))
      throw SyncFailure{what + ": GitHub's answer has no 'tree' array"};
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

  TreeListing list_tree(const std::string &commit, const GitHubResponse &response) {
    const std::string what = "tree of " + project_.id + " at " + commit.substr(0, 12);
    std::string specs_path = project_.specs_path;
    while (specs_path.ends_with('/'))
      specs_path.pop_back();
    if (specs_path == ".")
      specs_path.clear();
    std::vector<RawEntry> entries;
    check(response, what);
    const bool truncated = read_tree(response, "", what, entries);
    if (truncated)
      entries = walk_truncated(commit, specs_path, what);

    TreeListing listing;
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
      // (src/fs/spec_names.hpp): one it refuses ("..", a control character, a backslash, ...)
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

  // A truncated recursive listing: the specs folder level by level, non-recursively (spec
  // folders sit at most two levels down and their files directly in them).
  std::vector<RawEntry> walk_truncated(const std::string &commit, const std::string &specs_path,
                                       const std::string &what) {
    std::vector<RawEntry> out;
    // Down to the specs folder, one component at a time.
    std::string tree_sha = commit, base;
    std::size_t begin = 0;
    while (begin < specs_path.size()) {
      const std::size_t end = std::min(specs_path.find('/', begin), specs_path.size());
      const std::string component = specs_path.substr(begin, end - begin);
      std::vector<RawEntry> level;
      GitHubResponse response =
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
      std::vector<GitHubRequest> requests;
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
            const bool group =
                depth == 0 && detail::name_use(relative) == detail::NameUse::accepted;
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

  // --- helpers ------------------------------------------------------------------------------

  // Stops the sync for a response that is not a usable answer.
  void check(const GitHubResponse &response, const std::string &what) const {
    if (response.is_rate_limited()) {
      const auto now = unix_ms() / 1000;
      const std::int64_t at = std::max<std::int64_t>(response.retry_at(now), now + 1);
      throw SyncFailure{what + ": GitHub rate limit reached; retrying after " +
                            std::to_string(at - now) + " s",
                        at};
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
      throw SyncFailure{what +
                        ": GitHub answered 401 Unauthorized: the token is missing, wrong "
                        "or expired" +
                        message};
    if (s == 403)
      throw SyncFailure{what + ": GitHub answered 403 Forbidden" + message};
    if (s == 404 || s == 422)
      throw SyncFailure{what + ": not found (HTTP " + std::to_string(s) +
                        "): check the repository, the branch and the token's access" + message};
    throw SyncFailure{what + ": unexpected HTTP " + std::to_string(s) + message};
  }

  std::map<std::string, std::string> read_etags() const {
    std::map<std::string, std::string> out;
    simdjson::dom::parser parser;
    simdjson::dom::object object;
    if (parser.parse(project_.etags_json).get(object))
      return out; // a damaged value only costs a request
    for (auto field : object) {
      std::string_view value;
      if (!field.value.get(value))
        out.emplace(std::string(field.key), std::string(value));
    }
    return out;
  }

  static std::string write_etags(const std::map<std::string, std::string> &etags) {
    detail::JsonWriter writer;
    writer.begin_object();
    for (const auto &[url, etag] : etags)
      writer.key(url).value(etag);
    writer.end_object();
    return writer.out();
  }

  static bool differs(const std::vector<StoredSpec> &a, const std::vector<StoredSpec> &b) {
    auto shape = [](const std::vector<StoredSpec> &specs) {
      std::map<std::string, std::set<std::pair<std::string, std::string>>> out;
      for (const auto &spec : specs) {
        auto &files = out[spec.path];
        for (const auto &file : spec.files)
          files.emplace(file.name, file.blob_sha);
      }
      return out;
    };
    return shape(a) != shape(b);
  }

  void report(std::size_t done, std::size_t total) const {
    if (!options_.progress)
      return;
    try {
      options_.progress(project_.id, done, total);
    } catch (...) {
      // a host's progress callback cannot stop the sync
    }
  }

  std::function<bool(std::size_t, std::size_t)> progress_callback(std::size_t) {
    return [this](std::size_t done, std::size_t total) {
      report(done, total);
      return !cancel_.load();
    };
  }

  Store &store_;
  const SyncOptions &options_;
  GitHubClient client_;
  ProjectRecord project_;
  std::optional<detail::SyncHint> hint_;
  const std::atomic<bool> &cancel_;
  std::string repo_;
};

std::string default_holder() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0)
    host[0] = '\0';
  std::random_device random;
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" +
         std::to_string(random() & 0xffffff);
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char &c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

} // namespace

struct GithubSync::Impl {
  std::shared_ptr<DatabaseSource> source;
  Store &store;
  SyncOptions options;
  detail::GitHubClientOptions client_options;
  std::vector<std::string> secrets; // token and webhook secrets, scrubbed from messages

  std::mutex mutex; // guards everything below
  std::condition_variable_any wake;
  std::set<std::string> syncing;                   // projects this process is syncing
  std::map<std::string, std::int64_t> next_due;    // unix ms, per project
  std::map<std::string, std::int64_t> synced_seen; // the last_synced_at next_due follows
  std::map<std::string, int> failures;             // consecutive failed runs
  std::map<std::string, std::int64_t> not_before;  // unix ms: no sync of it before
  std::uint64_t notifications = 0;
  std::mt19937_64 random{std::random_device{}()};
  std::vector<std::jthread> workers;
  std::atomic<bool> cancel{false};

  Impl(std::shared_ptr<DatabaseSource> s, SyncOptions o)
      : source(std::move(s)), store(detail::DatabaseSourceAccess::store(*source)),
        options(std::move(o)) {
    if (options.api_url.empty())
      options.api_url = env("GITHUB_API_URL");
    if (options.api_url.empty())
      options.api_url = "https://api.github.com";
    if (options.token.empty())
      options.token = env("GITHUB_TOKEN");
    if (options.holder.empty())
      options.holder = default_holder();
    if (options.webhook_secrets.size() > 2)
      throw Error(ErrorCode::config, "webhook_secrets: at most two secrets may be active, got " +
                                         std::to_string(options.webhook_secrets.size()));
    if (options.lease_ttl < std::chrono::milliseconds(300))
      throw Error(ErrorCode::config, "lease_ttl: at least 300 ms");
    if (options.deadline <= std::chrono::milliseconds(0))
      throw Error(ErrorCode::config,
                  "deadline: " + std::to_string(options.deadline.count()) + " ms is not positive");
    client_options.api_url = options.api_url;
    client_options.token = options.token;
    client_options.max_concurrency = std::max(1u, options.concurrency);
    client_options.connect_timeout = options.connect_timeout;
    client_options.request_timeout = options.request_timeout;
    client_options.max_retries = options.max_retries;
    client_options.retry_base = options.retry_base;
    // A tarball is the largest answer; others (trees, blobs) are far below it.
    client_options.max_body_size = std::max<std::size_t>(options.tarball_max_bytes, 64u << 20);
    GitHubClient check(client_options); // throws config for a bad api_url
    // Secrets under 4 characters are not scrubbed: every "a" of a message would go.
    for (const std::string &secret : options.webhook_secrets)
      if (secret.size() >= 4)
        secrets.push_back(secret);
    if (options.token.size() >= 4)
      secrets.push_back(options.token);
  }

  std::chrono::milliseconds interval_of(const ProjectRecord &project) {
    const auto base =
        project.sync_interval.count() > 0
            ? std::chrono::duration_cast<std::chrono::milliseconds>(project.sync_interval)
            : std::chrono::duration_cast<std::chrono::milliseconds>(options.default_interval);
    std::uniform_real_distribution<double> spread(-options.jitter, options.jitter);
    return std::chrono::milliseconds(
        static_cast<std::int64_t>(static_cast<double>(base.count()) * (1.0 + spread(random))));
  }

  void notify() {
    {
      const std::lock_guard lock(mutex);
      ++notifications;
    }
    wake.notify_all();
  }

  SyncRun busy(std::string_view project_id, const std::string &why) {
    SyncRun run;
    run.project_id = project_id;
    run.outcome = SyncOutcome::error;
    run.error = why;
    return run;
  }

  // One sync, with the lease held and renewed.
  // `reserved`: the scheduler marked the project as syncing already. `picked_synced_at`: for
  // the scheduler, the project's last_synced_at when it found it due; when another holder
  // synced it since (and no request is queued), the lease is given back unused: a run with
  // id 0 and outcome not_modified.
  SyncRun sync(std::string_view project_id, bool reserved = false,
               std::optional<std::int64_t> picked_synced_at = std::nullopt) {
    const std::string id(project_id);
    if (!reserved) {
      const std::lock_guard lock(mutex);
      if (!syncing.insert(id).second)
        return busy(id, "a sync of '" + id + "' is already running in this process");
    }
    struct Unmark {
      Impl &impl;
      const std::string &id;
      ~Unmark() {
        const std::lock_guard lock(impl.mutex);
        impl.syncing.erase(id);
      }
    } unmark{*this, id};
    auto project = store.project(id);
    if (!project)
      throw Error(ErrorCode::not_found, "project '" + id + "' is not registered");
    if (!store.try_acquire_lease(id, options.holder, options.lease_ttl))
      return busy(id, "a sync of '" + id + "' is running in another process");
    if (picked_synced_at) {
      bool synced_since = false;
      try {
        synced_since = synced_elsewhere(id, *picked_synced_at);
      } catch (...) {
        store.release_lease(id, options.holder);
        throw;
      }
      if (synced_since) {
        store.release_lease(id, options.holder);
        SyncRun skipped;
        skipped.project_id = id;
        skipped.outcome = SyncOutcome::not_modified;
        return skipped;
      }
    }
    SyncRun run;
    {
      // Renewed every third of its time to live, so a long sync keeps it; a sync that writes
      // after losing it writes what any holder would (the same commit's blobs, by SHA).
      std::jthread renew([&](std::stop_token stop) {
        std::mutex m;
        std::condition_variable_any cv;
        std::unique_lock lock(m);
        while (!stop.stop_requested()) {
          cv.wait_for(lock, stop, options.lease_ttl / 3, [] { return false; });
          if (stop.stop_requested())
            break;
          try {
            store.try_acquire_lease(id, options.holder, options.lease_ttl);
          } catch (const Error &) {
            // the next renewal tries again; the lease outlives one failed write
          }
        }
      });
      try {
        run = sync_locked(*project);
      } catch (...) {
        renew.request_stop();
        renew.join();
        store.release_lease(id, options.holder);
        throw;
      }
    }
    store.release_lease(id, options.holder);
    return run;
  }

  // True when another holder synced the project after the scheduler read `picked_synced_at`
  // and nothing is queued for it: between a scheduler's read and its lease, another instance
  // may have run the whole sync (and released the lease).
  bool synced_elsewhere(const std::string &id, std::int64_t picked_synced_at) {
    const auto project = store.project(id);
    if (!project || project->last_synced_at <= picked_synced_at)
      return false;
    for (const auto &schedule : store.sync_schedules())
      if (schedule.project_id == id && schedule.requested_at > 0)
        return false;
    return true;
  }

  SyncRun sync_locked(ProjectRecord project) {
    const auto started = SteadyClock::now();
    // The request being answered: its sequence number, read before the head check, so a
    // request arriving during the sync stays queued.
    std::int64_t request_seq = -1, retry_at = 0;
    std::optional<detail::SyncHint> hint;
    for (const auto &schedule : store.sync_schedules())
      if (schedule.project_id == project.id) {
        retry_at = schedule.retry_at;
        if (schedule.requested_at > 0) {
          request_seq = schedule.request_seq;
          hint = detail::decode_hint(schedule.hint);
        }
      }
    SyncRun run;
    run.project_id = project.id;
    run.started_at = unix_ms();
    run.id = store.begin_sync_run(project.id, run.started_at); // marks the project "syncing"
    project.sync_state = "syncing";

    Syncer syncer(store, options, client_options, project, hint, cancel);
    Syncer::Result result = syncer.run();
    const auto counters = syncer.counters();
    run.outcome = result.outcome;
    run.requests = static_cast<int>(counters.requests);
    run.not_modified = static_cast<int>(counters.not_modified);
    run.bytes = counters.bytes;
    run.rate_limit_remaining = counters.last_rate_limit.remaining;
    run.path = result.path;
    run.commit = result.commit;
    run.retry_at = result.retry_at;
    run.error = scrub(result.error, secrets);
    run.duration =
        std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
    run.ended_at = unix_ms();

    // The snapshot, the project's sync fields and the run's record go in one transaction.
    const auto finish = [&] {
      detail::SyncFinish f;
      f.project = project; // only its sync fields are written: settings changed meanwhile stay
      if (run.outcome == SyncOutcome::ok || run.outcome == SyncOutcome::not_modified) {
        f.project.last_commit = result.commit;
        f.project.last_tree = result.specs_tree;
        f.project.etags_json = result.etags_json;
        f.project.sync_state = "ok";
        f.project.sync_error.clear();
        f.project.last_synced_at = unix_ms();
      } else {
        f.project.sync_state = "error";
        f.project.sync_error = run.error;
      }
      f.run.id = run.id;
      f.run.project_id = project.id;
      f.run.ended_at = run.ended_at;
      f.run.outcome = to_string(run.outcome);
      f.run.requests = run.requests;
      f.run.not_modified = run.not_modified;
      f.run.rate_limit_remaining = run.rate_limit_remaining;
      f.run.error = run.error;
      f.run.details = {run.path, static_cast<std::int64_t>(run.bytes), run.duration.count(),
                       run.commit};
      f.run.retry_at = run.retry_at;
      return f;
    };
    detail::ReplaceResult replaced;
    try {
      replaced =
          store.finish_sync(project.id, result.snapshot ? &*result.snapshot : nullptr, finish());
    } catch (const Error &e) {
      if (!result.snapshot || e.code() == ErrorCode::database)
        throw;
      // The store refused the snapshot (a path or name it does not take): the run fails as a
      // whole and the previous snapshot stays.
      run.outcome = SyncOutcome::error;
      run.error = scrub(e.what(), secrets);
      result.snapshot.reset();
      store.finish_sync(project.id, nullptr, finish());
    }
    run.added = replaced.added;
    run.updated = replaced.updated;
    run.removed = replaced.removed;
    const bool done = run.outcome == SyncOutcome::ok || run.outcome == SyncOutcome::not_modified;
    if (run.outcome == SyncOutcome::rate_limited) {
      store.set_retry_at(project.id, run.retry_at * 1000);
    } else {
      if (request_seq >= 0)
        store.clear_sync_request(project.id, request_seq);
      if (done) {
        store.drop_blobs(result.used_kept_blobs);
        if (retry_at)
          store.set_retry_at(project.id, 0);
      }
    }
    prune_runs(project.id);
    if (run.added + run.updated + run.removed > 0)
      detail::DatabaseSourceAccess::invalidate(*source, project.id);
    return run;
  }

  // The run history within max_sync_runs and max_sync_run_age; a failure to prune fails
  // no sync (the next run prunes again).
  void prune_runs(const std::string &id) noexcept {
    const auto age =
        std::chrono::duration_cast<std::chrono::milliseconds>(options.max_sync_run_age).count();
    try {
      store.prune_sync_runs(id, options.max_sync_runs, age > 0 ? unix_ms() - age : 0);
    } catch (const std::exception &) {
    }
  }

  // --- scheduler ------------------------------------------------------------------------------

  void worker(std::stop_token stop) {
    while (!stop.stop_requested()) {
      std::optional<std::string> pick;
      std::int64_t pick_synced_at = 0;
      std::int64_t wait_until = unix_ms() + options.poll.count();
      std::uint64_t seen = 0;
      try {
        const auto projects = store.projects();
        std::map<std::string, detail::SyncSchedule> schedules;
        for (auto &s : store.sync_schedules())
          schedules.emplace(s.project_id, std::move(s));
        const std::lock_guard lock(mutex);
        seen = notifications;
        const std::int64_t now = unix_ms();
        std::int64_t best = 0;
        for (const auto &project : projects) {
          if (syncing.count(project.id))
            continue;
          std::int64_t due = 0;
          const auto s = schedules.find(project.id);
          const std::int64_t retry_at = s == schedules.end() ? 0 : s->second.retry_at;
          if (s != schedules.end() && s->second.requested_at > 0)
            due = s->second.requested_at;
          else {
            auto [it, inserted] = next_due.try_emplace(project.id, 0);
            auto &synced = synced_seen[project.id];
            // First sight, or synced since (by any instance): due an interval after that sync,
            // so that instances sharing the store do not each sync it again.
            if (inserted || synced != project.last_synced_at) {
              it->second = project.last_synced_at
                               ? project.last_synced_at + interval_of(project).count()
                               : now;
              synced = project.last_synced_at;
            }
            due = it->second;
          }
          // A sync whose holder died (or lost its lease): taken over at once, unless this
          // process's own failures are backing off.
          if (project.interrupted_at > 0 && !failures.count(project.id))
            due = std::min(due, project.interrupted_at);
          due = std::max(due, retry_at);
          if (const auto nb = not_before.find(project.id); nb != not_before.end())
            due = std::max(due, nb->second);
          if (due <= now && (!pick || due < best)) {
            pick = project.id;
            pick_synced_at = project.last_synced_at;
            best = due;
          } else if (due > now) {
            wait_until = std::min(wait_until, due);
          }
        }
        if (pick)
          syncing.insert(*pick); // reserved for this worker; sync() unmarks it
      } catch (const Error &) {
        pick.reset(); // the store is unreachable: try again after the poll interval
      }
      if (pick) {
        run_scheduled(*pick, pick_synced_at);
        continue;
      }
      std::unique_lock lock(mutex);
      const auto deadline =
          std::chrono::system_clock::time_point(std::chrono::milliseconds(wait_until));
      wake.wait_until(lock, stop, deadline, [&] { return notifications != seen; });
    }
  }

  void run_scheduled(const std::string &id, std::int64_t picked_synced_at) {
    SyncRun run;
    bool failed = false;
    try {
      run = sync(id, true, picked_synced_at);
      failed = run.outcome == SyncOutcome::error;
    } catch (const std::exception &) {
      failed = true; // the project was removed, or the store failed: try later
    }
    std::optional<ProjectRecord> project;
    try {
      project = store.project(id);
    } catch (const Error &) {
      // unreachable store: the default interval below
    }
    const std::lock_guard lock(mutex);
    ProjectRecord fallback;
    fallback.sync_interval = std::chrono::seconds(0);
    const std::int64_t interval = interval_of(project ? *project : fallback).count();
    if (failed && run.id == 0 && !run.error.empty()) {
      // Another holder is syncing it: not again before a poll interval, queued request or not
      // (no loop on a busy lease).
      not_before[id] = unix_ms() + options.poll.count();
    } else if (failed) {
      const int n = std::min(++failures[id], 6);
      const std::int64_t backoff = std::int64_t{30'000} << n; // 1 min ... 32 min
      next_due[id] = unix_ms() + std::min(backoff, interval);
    } else {
      failures.erase(id);
      next_due[id] = unix_ms() + interval;
    }
  }

  // --- webhooks ---------------------------------------------------------------------------------

  WebhookResult handle_webhook(const std::vector<std::pair<std::string, std::string>> &headers,
                               std::string_view body);
};

WebhookResult
GithubSync::Impl::handle_webhook(const std::vector<std::pair<std::string, std::string>> &headers,
                                 std::string_view body) {
  auto header = [&](std::string_view name) -> std::optional<std::string> {
    for (const auto &[key, value] : headers)
      if (lower(key) == name)
        return value;
    return std::nullopt;
  };
  auto answer = [](int status, WebhookAction action, std::string message,
                   std::string project_id = {}) {
    return WebhookResult{status, action, std::move(message), std::move(project_id)};
  };
  if (body.size() > detail::max_webhook_body)
    return answer(413, WebhookAction::rejected, "payload larger than GitHub's 25 MB cap");
  if (std::none_of(options.webhook_secrets.begin(), options.webhook_secrets.end(),
                   [](const std::string &s) { return !s.empty(); }))
    return answer(401, WebhookAction::rejected, "no webhook secret is configured");
  const auto signature = header("x-hub-signature-256");
  if (!signature)
    return answer(401, WebhookAction::rejected, "missing X-Hub-Signature-256");
  if (!detail::signature_matches(options.webhook_secrets, *signature, body))
    return answer(401, WebhookAction::rejected, "X-Hub-Signature-256 does not match the payload");
  const auto event = header("x-github-event");
  if (!event)
    return answer(400, WebhookAction::rejected, "missing X-GitHub-Event");
  if (*event == "ping")
    return answer(200, WebhookAction::ping, "pong");
  if (*event != "push")
    return answer(202, WebhookAction::ignored,
                  "event '" + printable_path(*event) + "' is not handled");
  const auto delivery = header("x-github-delivery");
  if (!delivery || delivery->empty() || delivery->size() > 200)
    return answer(400, WebhookAction::rejected, "missing or malformed X-GitHub-Delivery");
  detail::PushEvent push;
  try {
    push = detail::parse_push_event(body);
  } catch (const Error &e) {
    return answer(400, WebhookAction::rejected, e.what());
  }
  std::optional<ProjectRecord> project;
  for (auto &p : store.projects())
    if (lower(p.id) == lower(push.repository))
      project = std::move(p);
  if (!project)
    return answer(202, WebhookAction::ignored,
                  "repository '" + printable_path(push.repository) +
                      "' is not a registered project");
  if (push.ref != "refs/heads/" + project->branch)
    return answer(202, WebhookAction::ignored,
                  "push to '" + printable_path(push.ref) + "', not branch '" + project->branch +
                      "'",
                  project->id);
  if (push.deleted)
    return answer(202, WebhookAction::ignored, "the branch was deleted", project->id);
  const bool complete = !push.forced && !push.created && push.paths_usable &&
                        push.commits < detail::push_commit_cap && is_sha(push.after) &&
                        !project->last_commit.empty() && push.before == project->last_commit;
  detail::SyncHint hint{push.before, push.after, {}, {}};
  auto is_spec = [&](const std::string &path) {
    const auto relative = detail::relative_to(path, project->specs_path);
    return relative && detail::spec_file_of(*relative).has_value();
  };
  for (const auto &path : push.changed)
    if (is_spec(path))
      hint.changed.push_back(path);
  for (const auto &path : push.removed)
    if (is_spec(path))
      hint.removed.push_back(path);
  const bool capped = push.commits >= detail::push_commit_cap || !push.paths_usable;
  if (hint.changed.empty() && hint.removed.empty() && !capped && !push.forced)
    return answer(202, WebhookAction::ignored, "the push touches no spec file", project->id);
  if (store.has_delivery(*delivery))
    return answer(202, WebhookAction::ignored, "delivery already handled", project->id);
  store.request_sync(project->id, complete ? detail::encode_hint(hint) : std::string());
  store.record_delivery(*delivery); // only once the sync is durably queued
  notify();
  return answer(202, WebhookAction::queued,
                complete ? "sync of " + std::to_string(hint.changed.size() + hint.removed.size()) +
                               " spec file(s) queued"
                         : "sync queued (checked against the tree)",
                project->id);
}

GithubSync::GithubSync(std::shared_ptr<DatabaseSource> source, SyncOptions options) {
  if (!source)
    throw Error(ErrorCode::invalid_argument, "GithubSync needs a DatabaseSource");
  impl_ = std::make_shared<Impl>(std::move(source), std::move(options));
}

GithubSync::~GithubSync() { stop(); }

SyncRun GithubSync::sync_now(std::string_view project_id) { return impl_->sync(project_id); }

std::vector<SyncRun> GithubSync::sync_runs(std::string_view project_id, std::size_t limit) const {
  std::vector<SyncRun> out;
  for (auto &record : impl_->store.sync_runs(project_id, limit)) {
    SyncRun &run = out.emplace_back();
    run.id = record.id;
    run.project_id = std::move(record.project_id);
    run.outcome = SyncOutcome::error;
    for (auto outcome : {SyncOutcome::ok, SyncOutcome::not_modified, SyncOutcome::rate_limited,
                         SyncOutcome::running})
      if (record.outcome == to_string(outcome))
        run.outcome = outcome;
    run.started_at = record.started_at;
    run.ended_at = record.ended_at;
    run.added = record.added;
    run.updated = record.updated;
    run.removed = record.removed;
    run.requests = record.requests;
    run.not_modified = record.not_modified;
    run.bytes = static_cast<std::uint64_t>(record.details.bytes);
    run.duration = std::chrono::milliseconds(record.details.duration_ms);
    run.rate_limit_remaining = record.rate_limit_remaining;
    run.path = std::move(record.details.path);
    run.commit = std::move(record.details.commit);
    run.retry_at = record.retry_at;
    run.error = std::move(record.error);
  }
  return out;
}

void GithubSync::request_sync(std::string_view project_id) {
  impl_->store.request_sync(project_id, "");
  impl_->notify();
}

void GithubSync::start() {
  const std::lock_guard lock(impl_->mutex);
  if (!impl_->workers.empty())
    return;
  impl_->cancel = false;
  for (unsigned i = 0; i < std::max(1u, impl_->options.workers); ++i)
    impl_->workers.emplace_back([impl = impl_.get()](std::stop_token stop) { impl->worker(stop); });
}

void GithubSync::stop() noexcept {
  std::vector<std::jthread> workers;
  {
    const std::lock_guard lock(impl_->mutex);
    workers.swap(impl_->workers);
  }
  if (workers.empty())
    return;
  impl_->cancel = true;
  for (auto &w : workers)
    w.request_stop();
  impl_->wake.notify_all();
  workers.clear(); // joins
  impl_->cancel = false;
}

bool GithubSync::is_running() const noexcept {
  const std::lock_guard lock(impl_->mutex);
  return !impl_->workers.empty();
}

WebhookResult
GithubSync::handle_webhook(const std::vector<std::pair<std::string, std::string>> &headers,
                           std::string_view body) {
  WebhookResult result = impl_->handle_webhook(headers, body);
  result.message = scrub(std::move(result.message), impl_->secrets);
  return result;
}

std::shared_ptr<GithubSync> make_github_sync(std::shared_ptr<DatabaseSource> source,
                                             SyncOptions options) {
  return std::make_shared<GithubSync>(std::move(source), std::move(options));
}

} // namespace leanspec
