#pragma once
// Internal: a commit's tree as the sync sees it (read by Syncer::list_tree,
// src/github/tree_listing.cpp): the spec files it wants, every spec folder, the specs folder's
// tree SHA, the repository's weight, and the names it passed over.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace leanspec::detail {

// A file of the new snapshot: where it goes and what it must hash to.
struct WantedFile {
  std::string folder, name, sha, repo_path;
  std::uint64_t size = 0;
};

struct TreeListing {
  std::vector<WantedFile> files;
  std::set<std::string> folders; // every spec folder, files or not
  std::string specs_tree;        // the specs folder's tree SHA
  std::string root_tree;         // the commit's tree SHA (the base of a write's tree)
  // Every blob of the listing (the repository's weight); UINT64_MAX when a truncated listing
  // leaves it unknown.
  std::uint64_t total_bytes = 0;
  std::uint64_t entries = 0; // entries of the listing (a tarball has one header each)
  // Paths under the specs folder passed over for a name no specs tree holds, with why.
  std::map<std::string, std::string_view> refused;
};

// The run's word on the entries a listing passed over; empty when it passed none.
std::string refused_message(const TreeListing &listing);

} // namespace leanspec::detail
