// Implements the "tarball" path of Syncer (src/github/syncer.hpp): one /tarball/{commit}
// read in memory with libarchive; every wanted entry checked against the tree (its name, its
// kind, its size, its blob SHA) and the archive's expansion bounded by the tree's weight.
#include "github/repo_paths.hpp"
#include "github/sync_failure.hpp"
#include "github/syncer.hpp"
#include "tree/spec_names.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <memory>
#include <optional>
#include <string_view>

namespace leanspec::detail {

namespace {

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

using ArchivePtr = std::unique_ptr<archive, decltype(&archive_read_free)>;

// A reader of the gzip tarball in the response's body.
ArchivePtr open_tarball(const GithubResponse &response, const std::string &what) {
  ArchivePtr reader(archive_read_new(), &archive_read_free);
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
  return reader;
}

std::string_view entry_name(archive_entry *entry) {
  const char *raw = archive_entry_pathname_utf8(entry);
  if (!raw) // no UTF-8 locale on this system: the name's bytes as the archive holds them
    raw = archive_entry_pathname(entry);
  return raw ? raw : "";
}

// The entry's path below the archive's one top folder (GitHub's "owner-repo-sha/"), which the
// first entry names; none for that folder itself. @throws SyncFailure for an entry outside it
// or an unsafe path
std::optional<std::string_view> under_prefix(std::string_view name, std::string &prefix,
                                             const std::string &what) {
  const std::size_t slash = name.find('/');
  const std::string_view top = name.substr(0, slash);
  if (prefix.empty())
    prefix = top;
  if (top != prefix || top.empty() || top == "." || top == "..")
    throw SyncFailure{what + ": entry '" + printable_path(name) + "' lies outside the prefix '" +
                      printable_path(prefix) + "'"};
  if (slash == std::string_view::npos || slash + 1 == name.size())
    return std::nullopt;
  std::string_view relative = name.substr(slash + 1);
  if (relative.ends_with('/')) // a folder
    relative.remove_suffix(1);
  if (!safe_path(relative))
    throw SyncFailure{what + ": unsafe entry '" + printable_path(name) + "'"};
  return relative;
}

} // namespace

// Not retried: a failed tarball falls back to the blobs.
GithubRequest Syncer::tarball_request(const std::string &commit) const {
  return {repo_ + "/tarball/" + commit, "application/vnd.github+json", {}, 0};
}

void Syncer::read_tarball(const GithubResponse &response, const std::string &what,
                          const std::vector<const WantedFile *> &files, std::uint64_t max_expanded,
                          std::unordered_map<std::string, std::string> &out) {
  std::unordered_map<std::string, const WantedFile *> by_path;
  for (const WantedFile *file : files)
    by_path.emplace(file->repo_path, file);
  const Utf8ThreadLocale utf8; // outlives the reader: names are converted while it reads
  const ArchivePtr reader = open_tarball(response, what);
  std::string prefix;
  std::size_t done = 0;
  archive_entry *entry = nullptr;
  int status = ARCHIVE_OK;
  // A warning (a name libarchive could not convert) leaves the entry readable: its name is
  // matched against the tree's and its bytes against the blob SHA below.
  while ((status = archive_read_next_header(reader.get(), &entry)) == ARCHIVE_OK ||
         status == ARCHIVE_WARN) {
    const std::string_view name = entry_name(entry);
    const std::optional<std::string_view> under = under_prefix(name, prefix, what);
    if (!under)
      continue; // the prefix folder itself
    const std::string_view relative = *under;
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
      throw SyncFailure{what + ": entry '" + printable_path(name) + "' of " + std::to_string(size) +
                        " bytes expands the archive past " + std::to_string(max_expanded) +
                        " bytes, more than the tree holds"};
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

} // namespace leanspec::detail
