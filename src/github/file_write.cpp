// Implements GithubSync::write_file (include/leanspec/github_sync.hpp): with the project's lease
// held, the stored file checked against the write's base hash, the commit made through the Git
// Data API (src/github/git_write.cpp), then the stored snapshot updated from it and the write
// recorded as a sync run.
#include "core/scrub.hpp"
#include "core/unix_ms.hpp"
#include "db/database_source_access.hpp"
#include "github/git_write.hpp"
#include "github/github_sync_impl.hpp"
#include "github/repo_paths.hpp"
#include "github/syncer.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <leanspec/error.hpp>
#include <simdjson.h>
#include <thread>

namespace leanspec {

using detail::ProjectRecord;
using detail::StoredSpec;
using detail::unix_ms;

namespace {

constexpr auto lease_wait = std::chrono::seconds(10);

// A pull request's branch: "leanspec/<folder>-<8 hex>", the folder's characters that a ref
// name may not hold made '-'.
std::string pull_request_branch(std::string_view folder, std::uint64_t random) {
  std::string out = "leanspec/";
  for (const char c : folder)
    out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ? c : '-';
  char hex[9];
  std::snprintf(hex, sizeof hex, "%08x", static_cast<unsigned>(random));
  return out + "-" + hex;
}

void check_names(const FileWrite &write) {
  if (write.path.empty() || !detail::safe_path(write.path))
    throw Error(ErrorCode::invalid_argument,
                "write: the folder '" + write.path + "' is not a path inside the specs folder");
  if (write.name.empty() || write.name.find('/') != std::string::npos ||
      !detail::safe_path(write.name))
    throw Error(ErrorCode::invalid_argument,
                "write: the file name '" + write.name + "' is not a name in a spec folder");
  if (!write.edit)
    throw Error(ErrorCode::invalid_argument, "write: no edit given");
  // GitHub's API names files in JSON: a name that is not UTF-8 cannot be written as it is.
  if (!simdjson::validate_utf8(write.path.data(), write.path.size()) ||
      !simdjson::validate_utf8(write.name.data(), write.name.size()))
    throw Error(ErrorCode::invalid_argument,
                "write: the folder or file name is not UTF-8, which GitHub's API cannot name");
}

} // namespace

void GithubSync::Impl::acquire_for_write(const std::string &id, std::chrono::milliseconds wait) {
  const auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    bool marked;
    {
      const std::lock_guard lock(mutex);
      marked = syncing.insert(id).second;
    }
    if (marked) {
      try {
        if (store.try_acquire_lease(id, options.holder, options.lease_ttl))
          return;
      } catch (...) {
        release_after_write(id);
        throw;
      }
      const std::lock_guard lock(mutex);
      syncing.erase(id);
    }
    if (std::chrono::steady_clock::now() >= until)
      throw Error(ErrorCode::conflict, "project '" + id +
                                           "' is being synced; nothing was written (write "
                                           "again when the sync ends)");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void GithubSync::Impl::release_after_write(const std::string &id) noexcept {
  try {
    store.release_lease(id, options.holder);
  } catch (const Error &) {
    // it expires after lease_ttl
  }
  const std::lock_guard lock(mutex);
  syncing.erase(id);
}

FileWriteResult GithubSync::write_file(std::string_view project_id, const FileWrite &write) {
  check_names(write);
  Impl &impl = *impl_;
  const std::string id(project_id);
  const auto registered = [&] {
    auto found = impl.store.project(id);
    if (!found)
      throw Error(ErrorCode::not_found, "project '" + id + "' is not registered");
    return std::move(*found);
  };
  registered();
  impl.acquire_for_write(id, lease_wait);
  struct Release {
    Impl &impl;
    const std::string &id;
    ~Release() { impl.release_after_write(id); }
  } release{impl, id};
  ProjectRecord project = registered(); // as the lease found it
  if (project.commit_sha.empty())
    throw Error(ErrorCode::not_found,
                "project '" + id + "' has never been synced: nothing to write on");

  // The stored file, checked against the base hash; nothing is sent when it moved on.
  std::vector<StoredSpec> specs = impl.store.specs(id);
  auto folder = std::find_if(specs.begin(), specs.end(),
                             [&](const StoredSpec &s) { return s.path == write.path; });
  const detail::StoredFile *stored = nullptr;
  if (folder != specs.end())
    for (const auto &file : folder->files)
      if (file.name == write.name)
        stored = &file;
  const std::string where = id + ": " + write.path + "/" + write.name;
  if (write.base_hash.empty() && folder != specs.end())
    throw Error(ErrorCode::conflict, where + ": the folder exists already; nothing was written");
  if (!write.base_hash.empty() && !stored)
    throw Error(ErrorCode::not_found, where + " is not in the stored snapshot");
  if (stored && stored->content_hash != write.base_hash)
    throw Error(ErrorCode::conflict, where + " is at " + stored->content_hash.substr(0, 12) +
                                         ", not at the base " + write.base_hash.substr(0, 12) +
                                         " the write was made from; nothing was written");
  FileWriteResult result;
  result.content = write.edit(stored ? std::string_view(stored->content) : std::string_view());
  if (stored && result.content == stored->content) {
    result.commit_sha = project.commit_sha;
    return result; // nothing to commit
  }

  const bool pull_request = project.write_mode == WriteMode::pull_request;
  const std::string repo_path =
      (project.specs_path.empty() ? "" : project.specs_path + "/") + write.path + "/" + write.name;
  detail::GitWrite git;
  git.what = id;
  git.repo = "/repos/" + detail::url_escape(project.owner, false) + "/" +
             detail::url_escape(project.repo, false);
  git.branch = project.branch;
  git.parent = project.commit_sha;
  git.base_tree = project.commit_tree;
  git.path = repo_path;
  git.content = result.content;
  git.message =
      write.message.empty() ? (stored ? "Update " : "Create ") + repo_path : write.message;
  if (pull_request) {
    std::uint64_t random;
    {
      const std::lock_guard lock(impl.mutex);
      random = impl.random();
    }
    git.pull_request_branch = pull_request_branch(write.path, random);
    git.title = git.message.substr(0, git.message.find('\n'));
  }

  // The run's record, as a sync's: started, then ended with the snapshot in one transaction.
  const auto started = std::chrono::steady_clock::now();
  SyncRun run;
  run.project_id = id;
  run.started_at = unix_ms();
  const ProjectRecord before = project;
  run.id = impl.store.begin_sync_run(id, run.started_at);
  const auto deadline = detail::Syncer::deadline_of(impl.options.deadline);
  const auto credential = impl.credential_for(project, deadline);
  detail::GithubClientOptions client_options = impl.client_options;
  client_options.deadline = deadline;
  if (impl.app) {
    client_options.token.clear();
    client_options.credential = credential;
  }
  client_options.budget = impl.budgets.get(impl.budget_key(project));
  detail::GithubClient client(std::move(client_options));
  std::vector<std::string> secrets = impl.secrets;
  for (std::string &token : credential->secrets())
    secrets.push_back(std::move(token));

  detail::SyncFinish finish;
  finish.project = before; // a failed write changes none of the project's sync fields
  finish.run.id = run.id;
  finish.run.project_id = id;
  detail::GitWriteResult made;
  std::optional<Error> failed;
  try {
    made = detail::write_file(client, git);
  } catch (const Error &e) {
    failed.emplace(e.code(), detail::scrub(e.what(), secrets));
  }
  const auto counters = client.counters();
  result.requests = static_cast<int>(counters.requests);
  finish.run.requests = result.requests;
  finish.run.rate_limit_remaining = counters.last_rate_limit.remaining;
  finish.run.ended_at = unix_ms();
  finish.run.details.path = pull_request ? "pull_request" : "commit";
  finish.run.details.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::steady_clock::now() - started)
                                       .count();
  finish.run.details.commit_sha = made.commit_sha;
  if (failed) {
    finish.run.outcome = "error";
    finish.run.error = failed->what();
    impl.store.finish_sync(id, nullptr, finish);
    impl.prune_runs(id);
    if (failed->code() == ErrorCode::conflict && !pull_request)
      impl.store.request_sync(id, ""); // the branch moved on: catch up
    throw *failed;
  }
  finish.run.outcome = "ok";
  result.commit_sha = made.commit_sha;
  result.pull_request_url = made.pull_request_url;
  if (pull_request) {
    impl.store.finish_sync(id, nullptr, finish);
    impl.prune_runs(id);
    return result;
  }
  // The stored snapshot from the commit made: the written folder alone changes.
  if (folder == specs.end()) {
    specs.push_back({write.path, {}});
    folder = specs.end() - 1;
  }
  std::erase_if(folder->files, [&](const detail::StoredFile &f) { return f.name == write.name; });
  folder->files.push_back({write.name, result.content, made.blob_sha});
  finish.project.commit_sha = made.commit_sha;
  finish.project.commit_tree = made.tree_sha;
  finish.project.last_tree.clear(); // the specs tree's SHA is not known: the next sync lists it
  impl.store.finish_sync(id, &specs, finish);
  impl.prune_runs(id);
  detail::DatabaseSourceAccess::invalidate(*impl.source, id);
  return result;
}

} // namespace leanspec
